import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import { type Credential, OAuthCredential, TokenCredential } from "./Credential.js"
import { keptExpiry, refreshTokenOf } from "./OAuth.js"
import type { ProfileId } from "./ProfileId.js"
import type { ProviderId } from "./Provider.js"
import { unsendableCharacter } from "./SecretInput.js"

/** Where imported Claude Code credentials are stored. */
export const CLAUDE_CODE_PROFILE_ID = "anthropic:claude-cli" as ProfileId

/** `~/.claude/.credentials.json`, or under `CLAUDE_CONFIG_DIR` as Claude Code itself honours it. */
export const claudeCredentialsPath = (vars: Readonly<Record<string, string | undefined>>, home: string): string => {
  const dir = vars.CLAUDE_CONFIG_DIR?.trim() ? vars.CLAUDE_CONFIG_DIR.trim() : `${home.replace(/\/+$/, "")}/.claude`
  return `${dir.replace(/\/+$/, "")}/.credentials.json`
}

const str = (u: unknown): string | undefined => (typeof u === "string" && u.trim() !== "" ? u.trim() : undefined)

/**
 * `claudeAiOauth.{accessToken, refreshToken, expiresAt}` (expiresAt in epoch ms) as a credential: `oauth` when a
 * refresh token is there, else a plain `token`. Problems name fields, never values.
 */
export const decodeClaudeCredentials = (json: unknown, now: number): Either.Either<Credential, string> => {
  if (!Predicate.isRecord(json)) return Either.left("expected a JSON object")
  const o = json.claudeAiOauth
  if (!Predicate.isRecord(o)) return Either.left("it has no claudeAiOauth section (Claude Code is not signed in with a Claude account)")
  const access = str(o.accessToken)
  if (access === undefined) return Either.left("claudeAiOauth.accessToken is missing")
  const refresh = str(o.refreshToken)
  // What no request can carry is not stored as if it could (§5.1, §11): by field, kind and position only.
  for (const [field, token] of [["accessToken", access], ["refreshToken", refresh]] as const) {
    const odd = token === undefined ? undefined : unsendableCharacter(token)
    if (odd !== undefined) return Either.left(`claudeAiOauth.${field} holds ${odd.what} at position ${odd.position}; sign in to Claude Code again`)
  }
  const expires = keptExpiry(o.expiresAt, now)
  const provider = "anthropic" as ProviderId
  return Either.right(
    refresh === undefined
      ? new TokenCredential({ type: "token", provider, token: Redacted.make(access), ...(expires === undefined ? {} : { expires }) })
      : new OAuthCredential({
          type: "oauth",
          provider,
          access: Redacted.make(access),
          refresh: Redacted.make(refresh),
          ...(expires === undefined ? {} : { expires })
        })
  )
}

/**
 * Whether importing `incoming` over `existing` would lose something:
 * - an OAuth profile is never replaced by a token (that would drop the refresh token);
 * - an OAuth profile that is already newer (a later expiry, e.g. we refreshed it and rotated the refresh token
 *   Claude Code still holds) is kept, since Claude Code's copy is then the stale one.
 */
export type ImportDecision = { readonly kind: "store" } | { readonly kind: "would-downgrade" } | { readonly kind: "stored-is-newer" }

export const importDecision = (existing: Credential | undefined, incoming: Credential): ImportDecision => {
  if (existing === undefined || existing.type !== "oauth") return { kind: "store" }
  if (incoming.type !== "oauth") return refreshTokenOf(existing) === undefined ? { kind: "store" } : { kind: "would-downgrade" }
  const same = refreshTokenOf(existing) === refreshTokenOf(incoming)
  if (same && (existing.expires ?? 0) >= (incoming.expires ?? 0)) return { kind: "stored-is-newer" }
  if (!same && (existing.expires ?? 0) > (incoming.expires ?? 0)) return { kind: "stored-is-newer" }
  return { kind: "store" }
}
