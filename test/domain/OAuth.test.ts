import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { createHash } from "node:crypto"
import { decodeClaudeCredentials, importDecision } from "../../src/domain/ClaudeCode.js"
import { OAuthCredential, TokenCredential } from "../../src/domain/Credential.js"
import {
  applyRefreshedTokens,
  casDecision,
  credentialFromGrant,
  decodeTokenGrant,
  DEFAULT_ACCESS_LIFETIME_MS,
  MAX_ACCESS_LIFETIME_MS,
  rotatedRefreshToken,
  refreshDecision,
  refreshLockPath,
  REFRESH_WINDOW_MS
} from "../../src/domain/OAuth.js"
import { authorizeUrl, checkCallback, parsePastedRedirect, pkceChallenge } from "../../src/domain/OAuthLogin.js"
import { decodeOAuthOverrides, oauthEndpoints } from "../../src/domain/OAuthProviders.js"
import type { ProfileId } from "../../src/domain/ProfileId.js"
import type { ProviderId } from "../../src/domain/Provider.js"

const NOW = Date.UTC(2026, 0, 1)
const anthropic = "anthropic" as ProviderId
const oauth = (fields: { access?: string; refresh?: string; expires?: number }) =>
  new OAuthCredential({
    type: "oauth",
    provider: anthropic,
    ...(fields.access === undefined ? {} : { access: Redacted.make(fields.access) }),
    ...(fields.refresh === undefined ? {} : { refresh: Redacted.make(fields.refresh) }),
    ...(fields.expires === undefined ? {} : { expires: fields.expires })
  })

describe("refreshDecision (§7: expired or within 5 minutes → refresh)", () => {
  it.each([
    ["more than 5 minutes left", NOW + REFRESH_WINDOW_MS + 1, "fresh"],
    ["exactly 5 minutes left", NOW + REFRESH_WINDOW_MS, "refresh"],
    ["1 ms left", NOW + 1, "refresh"],
    ["expired", NOW - 1, "refresh"]
  ])("%s → %s", (_, expires, decision) => {
    expect(refreshDecision(oauth({ access: "a".repeat(20), refresh: "r".repeat(20), expires }), NOW)).toBe(decision)
  })

  it("an unknown expiry or a missing access token is refreshed when it can be", () => {
    expect(refreshDecision(oauth({ access: "a".repeat(20), refresh: "r".repeat(20) }), NOW)).toBe("refresh")
    expect(refreshDecision(oauth({ refresh: "r".repeat(20), expires: NOW + 3_600_000 }), NOW)).toBe("refresh")
  })

  it("without a refresh token: used until it expires, then dead", () => {
    expect(refreshDecision(oauth({ access: "a".repeat(20), expires: NOW + 60_000 }), NOW)).toBe("use-as-is")
    expect(refreshDecision(oauth({ access: "a".repeat(20) }), NOW)).toBe("use-as-is")
    expect(refreshDecision(oauth({ access: "a".repeat(20), expires: NOW }), NOW)).toBe("dead")
    expect(refreshDecision(oauth({ refresh: "  " }), NOW)).toBe("dead")
  })
})

describe("token responses", () => {
  it("expires = now + expires_in × 1000; a response without a refresh token keeps the old one", () => {
    const grant = Either.getOrThrow(decodeTokenGrant({ access_token: "new-access", expires_in: 3600, token_type: "Bearer" }))
    const c = credentialFromGrant(anthropic, grant, NOW, { refresh: "old-refresh", email: "a@b.c", clientId: "cid" })
    expect(c.expires).toBe(NOW + 3_600_000)
    expect(Redacted.value(c.refresh!)).toBe("old-refresh")
    expect(c).toMatchObject({ email: "a@b.c", clientId: "cid" })
  })

  it("no expires_in → the default lifetime; expires_in as a string is read", () => {
    expect(credentialFromGrant(anthropic, Either.getOrThrow(decodeTokenGrant({ access_token: "x" })), NOW).expires).toBe(NOW + DEFAULT_ACCESS_LIFETIME_MS)
    expect(Either.getOrThrow(decodeTokenGrant({ access_token: "x", expires_in: "60" })).expiresInMs).toBe(60_000)
    // A lifetime we can keep, whatever the endpoint said: at most a year, and a bad one is no lifetime (the default
    // then) rather than a refused answer that would throw away a rotated refresh token.
    for (const [expiresIn, ms] of [[1e15, MAX_ACCESS_LIFETIME_MS], [1e308, MAX_ACCESS_LIFETIME_MS], ["soon", undefined], [-5, undefined], [Number.NaN, undefined], [null, undefined]] as const) {
      expect(Either.getOrThrow(decodeTokenGrant({ access_token: "x", refresh_token: "r2", expires_in: expiresIn })).expiresInMs, String(expiresIn)).toBe(ms)
    }
    // An access token no request can carry is no token: the answer is refused, the stored credential kept.
    expect(Either.getOrThrow(decodeTokenGrant({ access_token: "sk-ant-oat01-tok\n" })).access).toBe("sk-ant-oat01-tok")
    // An error beside tokens is an error (RFC 6749 §5.2), and its refresh token is not kept either.
    expect(decodeTokenGrant({ access_token: "a", refresh_token: "r2", error: "invalid_grant" })).toEqual(
      Either.left("the token endpoint answered with an error (invalid_grant) beside its tokens; none were used")
    )
    expect(rotatedRefreshToken({ access_token: "a\n\n", refresh_token: "r2", error: "invalid_grant" }, "r1")).toBeUndefined()
    expect(rotatedRefreshToken({ access_token: "a\n\n", refresh_token: "r2" }, "r1")).toBe("r2")
    expect(rotatedRefreshToken({ access_token: "a\n\n", refresh_token: "r1" }, "r1")).toBeUndefined()
    for (const bad of ["sk-ant-oat01-x\r\nX-Evil: 1", "tok\u001b]0;pwn\u0007", "   "]) {
      expect(decodeTokenGrant({ access_token: bad, expires_in: 3600 })).toEqual(Either.left(expect.stringMatching(/^unexpected token response \(access_token holds /)))
    }
  })

  it("finds the email in account.email_address, email, or the id_token's claims", () => {
    const idToken = `e30.${Buffer.from(JSON.stringify({ email: "jwt@example.com", sub: "u1" })).toString("base64url")}.sig`
    expect(Either.getOrThrow(decodeTokenGrant({ access_token: "x", account: { email_address: "acct@example.com", uuid: "u" } }))).toMatchObject({
      email: "acct@example.com",
      accountId: "u"
    })
    expect(Either.getOrThrow(decodeTokenGrant({ access_token: "x", email: "top@example.com" })).email).toBe("top@example.com")
    expect(Either.getOrThrow(decodeTokenGrant({ access_token: "x", id_token: idToken }))).toMatchObject({ email: "jwt@example.com", accountId: "u1" })
    expect(Either.getOrThrow(decodeTokenGrant({ access_token: "x", id_token: "garbage" })).email).toBeUndefined()
  })

  it("a response without an access token is refused without quoting it", () => {
    const r = decodeTokenGrant({ refresh_token: "sk-ant-ort01-SECRETSECRETSECRET" })
    expect(Either.isLeft(r) && r.left).toMatch(/^unexpected token response \(access_token/)
    expect(JSON.stringify(r)).not.toContain("SECRETSECRET")
  })
})

describe("compare-and-set", () => {
  const stored = oauth({ access: "a1", refresh: "r1", expires: NOW })
  it("writes only over the credential whose refresh token was used", () => {
    expect(casDecision(stored, anthropic, "r1")).toEqual({ kind: "write" })
    expect(casDecision(stored, anthropic, "r0")).toEqual({ kind: "keep-stored", stored })
    expect(casDecision(undefined, anthropic, "r1")).toEqual({ kind: "gone" })
    const token = new TokenCredential({ type: "token", provider: anthropic, token: Redacted.make("t") })
    expect(casDecision(token, anthropic, "r1")).toEqual({ kind: "keep-stored", stored: token })
  })

  it("keeps every other field of the entry, known or not", () => {
    const id = "anthropic:me" as ProfileId
    const raw = { version: 1, extra: true, profiles: { [id]: { mode: "oauth", provider: "anthropic", access: "a1", refresh: "r1", expires: 1, projectId: "p", email: "me@x.y" } } }
    const next = credentialFromGrant(anthropic, { access: "a2", refresh: "r2", expiresInMs: 1000, email: undefined, accountId: undefined }, NOW)
    expect(applyRefreshedTokens(raw, id, next)).toEqual({
      version: 1,
      extra: true,
      profiles: { [id]: { mode: "oauth", provider: "anthropic", access: "a2", refresh: "r2", expires: NOW + 1000, projectId: "p", email: "me@x.y" } }
    })
  })
})

describe("PKCE and the redirect", () => {
  it("S256 challenge of RFC 7636 appendix B", () => {
    const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    expect(pkceChallenge(new Uint8Array(createHash("sha256").update(verifier).digest()))).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
  })

  it("the authorize URL carries client, redirect, scopes, challenge and state", () => {
    const e = Either.getOrThrow(oauthEndpoints(anthropic, {}))
    const url = new URL(authorizeUrl(e, { redirectUri: "http://127.0.0.1:5555/callback", challenge: "ch", state: "st" }))
    expect(url.origin + url.pathname).toBe("https://claude.ai/oauth/authorize")
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      client_id: e.clientId,
      redirect_uri: "http://127.0.0.1:5555/callback",
      scope: "org:create_api_key user:profile user:inference",
      code_challenge: "ch",
      code_challenge_method: "S256",
      state: "st"
    })
  })

  it("checks error, state and code, in that order", () => {
    expect(checkCallback({ error: "access_denied", state: "x" }, "s")).toEqual(Either.left({ kind: "denied" }))
    expect(checkCallback({ error: "server_error", error_description: "boom" }, "s")).toEqual(
      Either.left({ kind: "provider-error", error: "server_error", description: "boom" })
    )
    expect(checkCallback({ code: "c", state: "other" }, "s")).toEqual(Either.left({ kind: "state-mismatch" }))
    expect(checkCallback({ code: "c" }, "s")).toEqual(Either.left({ kind: "state-mismatch" }))
    expect(checkCallback({ state: "s" }, "s")).toEqual(Either.left({ kind: "no-code" }))
    expect(checkCallback({ code: " c ", state: "s" }, "s")).toEqual(Either.right("c"))
  })

  it.each([
    ["http://127.0.0.1:5/callback?code=c1&state=s1", { code: "c1", state: "s1" }],
    ["  https://console.example.com/cb?code=c1&state=s1  ", { code: "c1", state: "s1" }],
    ["?code=c1&state=s1", { code: "c1", state: "s1" }],
    ["code=c1&state=s1", { code: "c1", state: "s1" }],
    ["c1#s1", { code: "c1", state: "s1" }],
    ["http://127.0.0.1:5/callback?error=access_denied&state=s1", { error: "access_denied", state: "s1" }]
  ])("reads a pasted %s", (text, params) => {
    expect(parsePastedRedirect(text)).toEqual(Either.right(params))
  })

  it.each(["", "hello world", "http://127.0.0.1:5/callback"])("refuses %j", (text) => {
    expect(parsePastedRedirect(text)).toEqual(Either.left({ kind: "unreadable" }))
  })
})

describe("provider metadata and config overrides", () => {
  it("config overrides the built-in entry field by field and drops the provider's own paste page", () => {
    const o = Either.getOrThrow(decodeOAuthOverrides({ auth: { oauth: { anthropic: { authorizeUrl: "http://127.0.0.1:9/a", tokenUrl: "http://localhost:9/t", clientId: "c", scopes: "a b" } } } }))
    const e = Either.getOrThrow(oauthEndpoints(anthropic, o))
    expect(e).toMatchObject({ authorizeUrl: "http://127.0.0.1:9/a", tokenUrl: "http://localhost:9/t", clientId: "c", scopes: ["a", "b"], tokenEncoding: "json", manualRedirectUri: undefined })
  })

  it("a provider without built-in settings needs them in config; plain http only to loopback", () => {
    expect(oauthEndpoints("openai" as ProviderId, {})).toEqual(Either.left(expect.stringContaining("set auth.oauth.openai")))
    expect(oauthEndpoints(anthropic, { anthropic: { tokenUrl: "http://example.com/t" } })).toEqual(
      Either.left(expect.stringContaining("auth.oauth.anthropic.tokenUrl must use https"))
    )
    const custom = Either.getOrThrow(oauthEndpoints("openai" as ProviderId, { openai: { authorizeUrl: "https://a/x", tokenUrl: "https://a/t", clientId: "c" } }))
    expect(custom).toMatchObject({ tokenEncoding: "form", redirectPath: "/callback", scopes: [] })
  })

  it("a misshapen block is named by path", () => {
    expect(decodeOAuthOverrides({ auth: { oauth: { anthropic: { tokenUrl: 5 } } } })).toEqual(Either.left(expect.stringMatching(/^auth\.oauth\.anthropic\.tokenUrl: /)))
    expect(decodeOAuthOverrides({})).toEqual(Either.right({}))
  })

  it("the refresh lock is per provider and profile, under <state>/locks", () => {
    expect(refreshLockPath("/s/", anthropic, "anthropic:Me@Example.com" as ProfileId)).toBe("/s/locks/oauth-anthropic-me@example.com")
  })
})

describe("Claude Code credentials", () => {
  const file = (o: Record<string, unknown>) => ({ claudeAiOauth: { accessToken: "sk-ant-oat01-A", refreshToken: "sk-ant-ort01-R", expiresAt: NOW, ...o } })

  it("becomes an oauth credential, or a token without a refresh token", () => {
    expect(Either.getOrThrow(decodeClaudeCredentials(file({}), NOW))).toMatchObject({ type: "oauth", provider: "anthropic", expires: NOW })
    expect(Either.getOrThrow(decodeClaudeCredentials(file({ refreshToken: undefined }), NOW))).toMatchObject({ type: "token", expires: NOW })
    expect(decodeClaudeCredentials({}, NOW)).toEqual(Either.left(expect.stringContaining("no claudeAiOauth")))
    expect(decodeClaudeCredentials(file({ accessToken: 1 }), NOW)).toEqual(Either.left("claudeAiOauth.accessToken is missing"))
  })

  it("a token no request can carry is refused by field and position; an expiry is kept within a year (§11)", () => {
    expect(decodeClaudeCredentials(file({ accessToken: "sk-ant-oat01-A\nB" }), NOW)).toEqual(
      Either.left("claudeAiOauth.accessToken holds a control character at position 15; sign in to Claude Code again")
    )
    expect(decodeClaudeCredentials(file({ refreshToken: "sk-ant-ort01-\u001b[2J" }), NOW)).toEqual(Either.left(expect.stringContaining("claudeAiOauth.refreshToken holds a control character")))
    // No double holds 1e20 exactly: no expiry is kept (and the import refuses the file before, by its structure).
    expect(Either.getOrThrow(decodeClaudeCredentials(file({ expiresAt: 1e20 }), NOW))).not.toHaveProperty("expires")
    expect(Either.getOrThrow(decodeClaudeCredentials(file({ expiresAt: NOW + 10 * 365 * 86_400_000 }), NOW))).toMatchObject({ expires: NOW + MAX_ACCESS_LIFETIME_MS })
  })

  it("never downgrades an oauth profile, and keeps one that is newer", () => {
    const incoming = Either.getOrThrow(decodeClaudeCredentials(file({}), NOW))
    const token = Either.getOrThrow(decodeClaudeCredentials(file({ refreshToken: undefined }), NOW))
    expect(importDecision(undefined, incoming).kind).toBe("store")
    expect(importDecision(oauth({ access: "x", refresh: "other", expires: NOW - 1 }), incoming).kind).toBe("store")
    expect(importDecision(oauth({ access: "x", refresh: "other", expires: NOW + 1 }), incoming).kind).toBe("stored-is-newer")
    expect(importDecision(oauth({ access: "x", refresh: "sk-ant-ort01-R", expires: NOW }), incoming).kind).toBe("stored-is-newer")
    expect(importDecision(oauth({ access: "x", refresh: "r", expires: NOW }), token).kind).toBe("would-downgrade")
    expect(importDecision(token, incoming).kind).toBe("store")
  })
})
