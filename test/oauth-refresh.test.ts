import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import type { OAuthCredential } from "../src/domain/Credential.js"
import { OAuthHttpError } from "../src/domain/OAuthErrors.js"
import { DEFAULT_ACCESS_LIFETIME_MS, MAX_ACCESS_LIFETIME_MS, REFRESH_WINDOW_MS } from "../src/domain/OAuth.js"
import type { ProfileId } from "../src/domain/ProfileId.js"
import { loadAuthContext } from "../src/programs/AuthContext.js"
import { credentialForRequest, refreshProfile } from "../src/programs/OAuthRefresh.js"
import { OAuthHttp, type OAuthHttpShape, type TokenRequest } from "../src/services/OAuthHttp.js"
import { hostileProvider, modes } from "./support/hostileProvider.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { RecordingProgress } from "./support/RecordingProgress.js"
import { CONFIG, HOUR, NOW, runCli, STATE, STORE, testServices } from "./support/TestApp.js"

const MIN = 60_000
const ID = "anthropic:me@example.com" as ProfileId
const LIFETIME_S = 8 * 3600

/**
 * An in-memory token endpoint with a real provider's rules: every refresh rotates the refresh token and a used
 * one is refused (`invalid_grant` / `refresh_token_reused`).
 */
class MemoryTokenEndpoint {
  readonly calls: Array<TokenRequest> = []
  readonly secrets: Array<string> = []
  private readonly valid = new Set<string>()
  private readonly used = new Set<string>()
  private n = 0
  latestAccess = ""
  latestRefresh = ""
  /** Replaces the next answers. */
  failWith: Array<OAuthHttpError> = []
  /** Runs during a call, before the answer (another writer racing us). */
  during: (() => void) | undefined
  /** Fields of the next answers replaced (a hostile or broken endpoint). */
  answerWith: Record<string, unknown> = {}

  seed(): { access: string; refresh: string } {
    const access = `sk-ant-oat01-FAKEseedaccess${"s".repeat(24)}A000`
    const refresh = `sk-ant-ort01-FAKEseedrefresh${"s".repeat(24)}R000`
    this.valid.add(refresh)
    this.secrets.push(access, refresh)
    this.latestAccess = access
    this.latestRefresh = refresh
    return { access, refresh }
  }

  get shape(): OAuthHttpShape {
    return {
      requestToken: (request) =>
        Effect.gen(this, function* () {
          this.calls.push(request)
          // Let concurrent fibers run while the "request" is in flight.
          for (let i = 0; i < 5; i++) yield* Effect.yieldNow()
          this.during?.()
          const failure = this.failWith.shift()
          if (failure) return yield* failure
          const token = request.params.refresh_token ?? ""
          if (this.used.has(token)) return yield* new OAuthHttpError({ host: "auth.test", kind: "http", status: 400, error: "invalid_grant", description: "refresh_token_reused" })
          if (!this.valid.has(token)) return yield* new OAuthHttpError({ host: "auth.test", kind: "http", status: 400, error: "invalid_grant", description: "unknown refresh token" })
          this.valid.delete(token)
          this.used.add(token)
          this.n++
          this.latestAccess = `sk-ant-oat01-FAKEaccess${"a".repeat(24)}${String(this.n).padStart(4, "0")}`
          this.latestRefresh = `sk-ant-ort01-FAKErefresh${"r".repeat(24)}${String(this.n).padStart(4, "0")}`
          this.valid.add(this.latestRefresh)
          this.secrets.push(this.latestAccess, this.latestRefresh)
          return { access_token: this.latestAccess, refresh_token: this.latestRefresh, expires_in: LIFETIME_S, token_type: "Bearer", ...this.answerWith }
        })
    }
  }
}

const config = { auth: { oauth: { anthropic: { tokenUrl: "http://127.0.0.1:1/oauth/token", clientId: "test-client" } } } }

const setup = (expires: number, extra: Record<string, unknown> = {}) => {
  const endpoint = new MemoryTokenEndpoint()
  const { access, refresh } = endpoint.seed()
  const fs = new MemoryFs({
    [CONFIG]: JSON.stringify(config),
    [STORE]: JSON.stringify({
      version: 1,
      profiles: { [ID]: { type: "oauth", provider: "anthropic", access, refresh, expires, email: "me@example.com", ...extra } }
    })
  })
  return { endpoint, fs, layer: testServices({ fs, oauthHttp: endpoint.shape }) }
}

const storedProfile = (fs: MemoryFs) => JSON.parse(fs.read(STORE)!).profiles[ID]
const accessOf = (c: { type: string }) => Redacted.value((c as OAuthCredential).access!)

/** What every request does: load the context, then take the credential to send. */
const freshNow = Effect.flatMap(loadAuthContext(undefined), (ctx) => Effect.map(refreshProfile(ctx, ID), (r) => r.credential))

describe("OAuth refresh before use (§7)", () => {
  it.effect("refreshes 5 minutes before expiry, not a millisecond earlier", () => {
    const { endpoint, fs, layer } = setup(NOW + 8 * HOUR)
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW + 8 * HOUR - REFRESH_WINDOW_MS - 1)
      const before = yield* freshNow
      expect(endpoint.calls).toHaveLength(0)
      expect(accessOf(before)).toContain("FAKEseedaccess")

      yield* TestClock.adjust(1)
      const after = yield* freshNow
      expect(endpoint.calls).toHaveLength(1)
      expect(endpoint.calls[0]).toMatchObject({
        url: "http://127.0.0.1:1/oauth/token",
        encoding: "json",
        params: { grant_type: "refresh_token", client_id: "test-client", refresh_token: expect.stringContaining("FAKEseedrefresh") }
      })
      expect(accessOf(after)).toBe(endpoint.latestAccess)
      expect(storedProfile(fs)).toEqual({
        type: "oauth",
        provider: "anthropic",
        access: endpoint.latestAccess,
        refresh: endpoint.latestRefresh,
        expires: NOW + 16 * HOUR - REFRESH_WINDOW_MS,
        email: "me@example.com"
      })
      // Now fresh again: no further call.
      yield* freshNow
      expect(endpoint.calls).toHaveLength(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("over a 24-hour run, refreshes exactly once per expiry and never hands out a token inside the window", () => {
    const { endpoint, fs, layer } = setup(NOW + 8 * HOUR)
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      // A long-lived context (as a gateway might hold): its copy goes stale, the store inside the lock does not.
      const longLived = yield* loadAuthContext(undefined)
      const refreshedAt: Array<number> = []
      for (let minute = 0; minute <= 24 * 60; minute += 5) {
        const now = NOW + minute * MIN
        yield* TestClock.setTime(now)
        const calls = endpoint.calls.length
        const perRequest = yield* freshNow
        const stale = (yield* refreshProfile(longLived, ID)).credential
        if (endpoint.calls.length > calls) refreshedAt.push(minute)
        for (const c of [perRequest, stale]) expect((c as OAuthCredential).expires! - now).toBeGreaterThan(REFRESH_WINDOW_MS)
        expect(accessOf(stale)).toBe(accessOf(perRequest))
      }
      expect(refreshedAt).toEqual([8 * 60 - 5, 16 * 60 - 10, 24 * 60 - 15])
      expect(endpoint.calls.every((c) => c.params.grant_type === "refresh_token")).toBe(true)
      expect(storedProfile(fs).refresh).toBe(endpoint.latestRefresh)
    }).pipe(Effect.provide(layer))
  })

  it.effect("many fibers needing the same expired profile at once make one refresh call", () => {
    const { endpoint, layer } = setup(NOW - MIN)
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const results = yield* Effect.all(
        Array.from({ length: 10 }, () => Effect.flatMap(loadAuthContext(undefined), (ctx) => refreshProfile(ctx, ID))),
        { concurrency: "unbounded" }
      )
      expect(endpoint.calls).toHaveLength(1)
      expect(new Set(results.map((r) => accessOf(r.credential)))).toEqual(new Set([endpoint.latestAccess]))
      expect(results.filter((r) => r.outcome === "refreshed")).toHaveLength(1)
      expect(results.filter((r) => r.outcome === "refreshed-elsewhere")).toHaveLength(9)
    }).pipe(Effect.provide(layer))
  })

  // The credential stays as it was; since issue 15 item 7 the refusal itself is recorded (§5.2).
  it.effect("a refused refresh fails with the provider's reason and the fix, and leaves the credential as it was", () => {
    const { endpoint, fs, layer } = setup(NOW - MIN)
    endpoint.failWith.push(new OAuthHttpError({ host: "auth.test", kind: "http", status: 400, error: "invalid_grant", description: "refresh_token_reused" }))
    const before = JSON.parse(fs.read(STORE)!).profiles
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const error = yield* Effect.flip(freshNow)
      expect(error.message).toBe(
        "OAuth token refresh failed for anthropic: invalid_grant (refresh_token_reused). Please try again or re-authenticate. Profile: anthropic:me@example.com; the stored credential was left as it was. Fix: run `openclaw models auth login --provider anthropic`."
      )
      expect(JSON.parse(fs.read(STORE)!).profiles).toEqual(before)
      expect(JSON.parse(fs.read(STORE)!).usageStats[ID].lastRefreshError.reason).toBe("invalid_grant (refresh_token_reused)")
      for (const s of endpoint.secrets) expect(error.message).not.toContain(s)
    }).pipe(Effect.provide(layer))
  })

  it.effect("inside the window a failed refresh still uses the valid access token, and says so", () => {
    const { endpoint, fs, layer } = setup(NOW + 2 * MIN)
    endpoint.failWith.push(new OAuthHttpError({ host: "auth.test", kind: "timeout", description: "after 10s" }))
    const before = fs.read(STORE)
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const r = yield* Effect.flatMap(loadAuthContext(undefined), (ctx) => refreshProfile(ctx, ID))
      expect(r.outcome).toBe("refresh-failed")
      expect(accessOf(r.credential)).toContain("FAKEseedaccess")
      expect(r.failure?.transient).toBe(true)
      expect(r.failure?.message).toContain("no answer from auth.test in time (after 10s)")
      expect(fs.read(STORE)).toBe(before)
    }).pipe(Effect.provide(layer))
  })

  it.effect("compare-and-set: a credential written meanwhile by someone else wins and is not overwritten", () => {
    const { endpoint, fs, layer } = setup(NOW - MIN)
    const replacement = { type: "oauth", provider: "anthropic", access: "sk-ant-oat01-FAKEnewlogin" + "n".repeat(30), refresh: "sk-ant-ort01-FAKEnewlogin" + "n".repeat(30), expires: NOW + 8 * HOUR }
    // A login that does not take the refresh lock stores a new credential while our refresh is in flight.
    endpoint.during = () => {
      const doc = JSON.parse(fs.read(STORE)!)
      doc.profiles[ID] = replacement
      fs.put(STORE, JSON.stringify(doc))
    }
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const r = yield* Effect.flatMap(loadAuthContext(undefined), (ctx) => refreshProfile(ctx, ID))
      expect(endpoint.calls).toHaveLength(1)
      expect(r.outcome).toBe("kept-stored")
      expect(accessOf(r.credential)).toBe(replacement.access)
      expect(storedProfile(fs)).toEqual(replacement)
    }).pipe(Effect.provide(layer))
  })

  it.effect("keeps unknown fields of the entry, and refreshes a main-store profile for a sub-agent in the main store", () => {
    const { endpoint, fs, layer } = setup(NOW - MIN, { projectId: "keep-me" })
    fs.put(CONFIG, JSON.stringify({ ...config, agents: { list: [{ id: "main", default: true }, { id: "work" }] } }))
    const workStore = `${STATE}/agents/work/agent/auth-profiles.json`
    fs.put(workStore, JSON.stringify({ version: 1, profiles: {} }))
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const c = (yield* Effect.flatMap(loadAuthContext("work"), (ctx) => refreshProfile(ctx, ID))).credential
      expect(accessOf(c)).toBe(endpoint.latestAccess)
      expect(storedProfile(fs)).toMatchObject({ projectId: "keep-me", refresh: endpoint.latestRefresh })
      expect(JSON.parse(fs.read(workStore)!).profiles).toEqual({})
    }).pipe(Effect.provide(layer))
  })

  it.effect("expired with no refresh token: a clear error; a token or API key passes through untouched", () => {
    const fs = new MemoryFs({
      [CONFIG]: JSON.stringify(config),
      [STORE]: JSON.stringify({
        version: 1,
        profiles: {
          [ID]: { type: "oauth", provider: "anthropic", access: "sk-ant-oat01-FAKEonly" + "o".repeat(30), expires: NOW - 1 },
          "anthropic:key": { type: "api_key", provider: "anthropic", key: "sk-ant-api03-FAKEkey" + "k".repeat(30) }
        }
      })
    })
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const ctx = yield* loadAuthContext(undefined)
      const error = yield* Effect.flip(refreshProfile(ctx, ID))
      expect(error.message).toContain("OAuth token refresh failed for anthropic: the access token has expired and no refresh token is stored.")
      expect((yield* refreshProfile(ctx, "anthropic:key" as ProfileId)).credential.type).toBe("api_key")
    }).pipe(Effect.provide(testServices({ fs })))
  })

  it.effect("for failover: a refused refresh is an auth failure (401), an unreachable endpoint a timeout", () => {
    const { endpoint, layer } = setup(NOW - MIN)
    endpoint.failWith.push(
      new OAuthHttpError({ host: "auth.test", kind: "http", status: 400, error: "invalid_grant" }),
      new OAuthHttpError({ host: "auth.test", kind: "network", description: "ECONNREFUSED" })
    )
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const ctx = yield* loadAuthContext(undefined)
      const credential = ctx.store.store.profiles.get(ID)!
      const refused = yield* Effect.flip(credentialForRequest(ctx, ID, credential))
      expect(refused).toMatchObject({ _tag: "ProviderError", kind: "http", status: 401, provider: "anthropic" })
      const unreachable = yield* Effect.flip(credentialForRequest(ctx, ID, credential))
      expect(unreachable).toMatchObject({ _tag: "ProviderError", kind: "timeout" })
      const ok = yield* credentialForRequest(ctx, ID, credential)
      expect(accessOf(ok)).toBe(endpoint.latestAccess)
    }).pipe(Effect.provide(layer))
  })
})

describe("a hostile token endpoint (§8.6, §11)", () => {
  // The credential is untouched; the refusal is recorded (§5.2, issue 15 item 7).
  it.scoped("a 1 GB token answer is that profile's failed refresh, with what happened and the fix; the credential is untouched", () =>
    Effect.gen(function* () {
      const hostile = yield* hostileProvider
      const { endpoint, fs } = setup(NOW - MIN)
      const tokenUrl = `${hostile.baseUrl(modes.hugeBody({ bytes: 1 << 30 }))}/oauth/token`
      fs.put(CONFIG, JSON.stringify({ auth: { oauth: { anthropic: { tokenUrl, clientId: "test-client" } } } }))
      const before = JSON.parse(fs.read(STORE)!).profiles
      const live = yield* Effect.provide(OAuthHttp, OAuthHttp.layer)
      yield* Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const error = yield* Effect.flip(freshNow)
        expect(error.message).toBe(
          `OAuth token refresh failed for anthropic: ${new URL(hostile.url).host} sent a token answer that is too large (over 1 MiB, where a token response is a few hundred bytes: the rest was not read and the connection was closed; check that the token endpoint URL points at the provider, not at a proxy or portal). Please try again or re-authenticate. Profile: ${ID}; the stored credential was left as it was. Fix: run \`openclaw models auth login --provider anthropic\`.`
        )
        // For failover it is this profile's auth failure: the next profile is tried, the gateway goes on.
        const ctx = yield* loadAuthContext(undefined)
        const failed = yield* Effect.flip(credentialForRequest(ctx, ID, ctx.store.store.profiles.get(ID)!))
        expect(failed).toMatchObject({ _tag: "ProviderError", kind: "http", status: 401, provider: "anthropic" })
        for (const s of endpoint.secrets) expect(error.message + failed.message).not.toContain(s.slice(12, 28))
      }).pipe(Effect.provide(testServices({ fs, oauthHttp: live })))
      expect(JSON.parse(fs.read(STORE)!).profiles).toEqual(before)
      expect(JSON.parse(fs.read(STORE)!).usageStats[ID].lastRefreshError.reason).toContain("too large")
      yield* Effect.promise(() => hostile.waitFor((h) => h.open === 0, 5_000, "the token endpoint's connections to close"))
    })
  )
})

describe("a token answer with values no file or request can keep (§3.3, §5.1, §11)", () => {
  it("expires_in 1e15 or 1e308: the token lives at most a year, the store stays readable by every command", async () => {
    for (const expiresIn of [1e15, 1e308]) {
      const { endpoint, fs } = setup(NOW - MIN)
      endpoint.answerWith = { expires_in: expiresIn }
      const r = await runCli(["models", "auth", "refresh", "--profile-id", ID], { fs, oauthHttp: endpoint.shape })
      expect(r).toMatchObject({ code: 0, stderr: "" })
      expect(r.stdout).toContain("expires in 366d")
      expect(storedProfile(fs).expires).toBe(NOW + MAX_ACCESS_LIFETIME_MS)
      expect((await runCli(["models", "auth", "list"], { fs })).code).toBe(0)
    }
  })

  it("a bad expires_in is no lifetime (the default), not a refused answer: the rotated refresh token is kept", async () => {
    const { endpoint, fs } = setup(NOW - MIN)
    endpoint.answerWith = { expires_in: "soon" }
    const r = await runCli(["models", "auth", "refresh", "--profile-id", ID], { fs, oauthHttp: endpoint.shape })
    expect(r).toMatchObject({ code: 0, stderr: "" })
    expect(storedProfile(fs)).toMatchObject({ refresh: endpoint.latestRefresh, expires: NOW + DEFAULT_ACCESS_LIFETIME_MS })
  })

  it("an access token with a CR LF, an ESC or only blanks: refused; the refresh token it rotated is kept, so the next refresh works", async () => {
    for (const bad of ["sk-ant-oat01-FAKEx\r\nX-Evil: 1", "sk-ant-oat01-FAKE\u001b]0;pwn\u0007", "   "]) {
      const { endpoint, fs } = setup(NOW - MIN)
      const before = storedProfile(fs)
      endpoint.answerWith = { access_token: bad }
      const r = await runCli(["models", "auth", "refresh", "--profile-id", ID], { fs, oauthHttp: endpoint.shape })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain("unexpected token response (access_token holds")
      expect(r.stderr).toContain("only its refresh token was replaced, by the one the provider issued with this answer")
      expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/)
      // The access token and its expiry as they were; the refresh token the provider rotated to.
      expect(storedProfile(fs)).toEqual({ ...before, refresh: endpoint.latestRefresh })
      for (const s of endpoint.secrets) expect(r.stderr).not.toContain(s)
      // The provider spent the old refresh token: the next refresh works only because the new one was kept.
      endpoint.answerWith = {}
      const again = await runCli(["models", "auth", "refresh", "--profile-id", ID], { fs, oauthHttp: endpoint.shape })
      expect(again).toMatchObject({ code: 0, stderr: "" })
      expect(storedProfile(fs).access).toBe(endpoint.latestAccess)
    }
  })
})

describe("models auth refresh, models status", () => {
  it("refresh prints the outcome and the masked access token, never the token", async () => {
    const { endpoint, fs } = setup(NOW - MIN)
    const r = await runCli(["models", "auth", "refresh", "--profile-id", ID], { fs, oauthHttp: endpoint.shape })
    expect(r).toMatchObject({ code: 0, stderr: "" })
    expect(r.stdout).toBe(`${ID}: refreshed; access sk-ant-oat01-…0001, expires in 8h`)
    const again = await runCli(["models", "auth", "refresh", "--profile-id", ID], { fs, oauthHttp: endpoint.shape })
    expect(again.stdout).toBe(`${ID}: fresh, no refresh needed; access sk-ant-oat01-…0001, expires in 8h`)
    const notOAuth = await runCli(["models", "auth", "refresh", "--profile-id", "anthropic:nope"], { fs, oauthHttp: endpoint.shape })
    expect(notOAuth.code).toBe(1)
    expect(notOAuth.stderr).toContain('Auth profile "anthropic:nope" not found')
    for (const s of endpoint.secrets) expect(r.stdout + again.stdout + notOAuth.stderr).not.toContain(s)
  })

  it("a command that refreshes shows a progress line while it waits (§6, issue 15 item 4); none when nothing is due", async () => {
    const { endpoint, fs } = setup(NOW - MIN)
    const progress = new RecordingProgress()
    const r = await runCli(["models", "auth", "refresh", "--profile-id", ID], { fs, oauthHttp: endpoint.shape, progress: progress.shape })
    expect(r.code).toBe(0)
    expect(progress.labels).toEqual([`Refreshing the OAuth token of ${ID}…`])
    expect(r.stdout + r.stderr).not.toContain("Refreshing") // the line is the terminal's, not the output's
    const fresh = new RecordingProgress()
    await runCli(["models", "auth", "refresh", "--profile-id", ID], { fs, oauthHttp: endpoint.shape, progress: fresh.shape })
    expect(fresh.labels).toEqual([])
  })

  it("a refused refresh exits 1 with the message; the tokens are untouched, the failure is recorded (§5.2) and a later refresh clears it", async () => {
    const { endpoint, fs } = setup(NOW - MIN)
    endpoint.failWith.push(new OAuthHttpError({ host: "auth.test", kind: "http", status: 400, error: "invalid_grant", description: "refresh_token_reused" }))
    const before = JSON.parse(fs.read(STORE)!)
    const r = await runCli(["models", "auth", "refresh", "--profile-id", ID], { fs, oauthHttp: endpoint.shape })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^openclaw: OAuth token refresh failed for anthropic: invalid_grant \(refresh_token_reused\)\. Please try again or re-authenticate\./)
    const after = JSON.parse(fs.read(STORE)!)
    expect(after.profiles).toEqual(before.profiles)
    expect(after.usageStats[ID].lastRefreshError).toEqual({ at: NOW, reason: expect.stringContaining("invalid_grant") })
    const failed = await runCli(["models", "status", "--json", "--check"], { fs })
    expect(failed.code).toBe(1)
    expect(JSON.parse(failed.stdout).auth.oauth.profiles[0]).toMatchObject({ status: "expired", refreshable: true, refreshFailed: true })
    const healed = await runCli(["models", "auth", "refresh", "--profile-id", ID], { fs, oauthHttp: endpoint.shape })
    expect(healed.code).toBe(0)
    expect(JSON.parse(fs.read(STORE)!).usageStats).toEqual({})
    expect((await runCli(["models", "status", "--check"], { fs })).code).toBe(0)
  })

  it("a refresh that cannot reach the endpoint is not recorded: the next use may work (§5.2)", async () => {
    const { endpoint, fs } = setup(NOW - MIN)
    endpoint.failWith.push(new OAuthHttpError({ host: "auth.test", kind: "network" }))
    const before = fs.read(STORE)
    const r = await runCli(["models", "auth", "refresh", "--profile-id", ID], { fs, oauthHttp: endpoint.shape })
    expect(r.code).toBe(1)
    expect(fs.read(STORE)).toBe(before)
  })

  // Behaviour changed deliberately (issue 15 item 7, §5.2): an expired refreshable profile is `ok`, as in OpenClaw.
  it("status shows whether an oauth profile is refreshable; an expired refreshable one is ok, renewed on use (§5.2, §6.1)", async () => {
    const { fs } = setup(NOW - 2 * HOUR)
    const store = JSON.parse(fs.read(STORE)!)
    store.profiles["anthropic:norefresh"] = { type: "oauth", provider: "anthropic", access: "sk-ant-oat01-FAKEnr" + "x".repeat(30), expires: NOW + 3 * HOUR }
    fs.put(STORE, JSON.stringify(store))
    const json = await runCli(["models", "status", "--json", "--check"], { fs })
    expect(json.code).toBe(2)
    const report = JSON.parse(json.stdout)
    expect(report.auth.oauth.profiles).toEqual([
      // label and source: OpenClaw 2026.3.31's keys (issue 15 item 7), added deliberately.
      { profileId: ID, provider: "anthropic", type: "oauth", status: "ok", expiresAt: NOW - 2 * HOUR, remainingMs: -2 * HOUR, refreshable: true, refreshFailed: false, label: `${ID} (me@example.com)`, source: "store" },
      { profileId: "anthropic:norefresh", provider: "anthropic", type: "oauth", status: "expiring", expiresAt: NOW + 3 * HOUR, remainingMs: 3 * HOUR, refreshable: false, refreshFailed: false, label: "anthropic:norefresh", source: "store" }
    ])
    const text = await runCli(["models", "status"], { fs })
    expect(text.stdout).toContain(`${ID}  oauth  ok        refreshes on use`)
    expect(text.stdout).toContain("anthropic:norefresh       oauth  expiring  expires in 3h, no refresh token")
  })
})
