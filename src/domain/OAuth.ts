import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { CONTROL_CHARACTER } from "./ControlCharacters.js"
import type { JsonObject } from "./AuthStore.js"
import { type Credential, encodeCredential, firstProblem, OAuthCredential } from "./Credential.js"
import { slugProfileName, type ProfileId } from "./ProfileId.js"
import { unsendableCharacter } from "./SecretInput.js"
import { escapeControl } from "./Untrusted.js"
import type { ProviderId } from "./Provider.js"

/** An access token this close to its expiry is refreshed before use (§7). */
export const REFRESH_WINDOW_MS = 5 * 60_000
/**
 * A token response without `expires_in` gets this lifetime, so the token is asked for again within the hour
 * rather than never (an unknown expiry would also fail `models status --check`).
 */
export const DEFAULT_ACCESS_LIFETIME_MS = 60 * 60_000
/**
 * The longest an access token is taken to live: a year. `expires_in: 1e15` (or 1e308, Infinity once in ms) is a
 * broken answer, and written as asked it was a number the store cannot hold, which made every command refuse the
 * whole file (§3.3, §11).
 */
export const MAX_ACCESS_LIFETIME_MS = 366 * 24 * 60 * 60_000

/** An `expires_in` (seconds) as a lifetime we keep: a positive finite number, at most a year; else none. */
export const lifetimeMs = (expiresIn: unknown): number | undefined => {
  const seconds = typeof expiresIn === "number" ? expiresIn : typeof expiresIn === "string" && /^\s*\d+(\.\d+)?\s*$/.test(expiresIn) ? Number(expiresIn) : NaN
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(Math.round(seconds * 1000), MAX_ACCESS_LIFETIME_MS) : undefined
}

/** An expiry (epoch ms) from a file we do not own (Claude Code's), as one we can keep: safe, and within a year of `now`. */
export const keptExpiry = (expiresAt: unknown, now: number): number | undefined =>
  typeof expiresAt === "number" && Number.isSafeInteger(expiresAt) && expiresAt > 0 ? Math.min(expiresAt, now + MAX_ACCESS_LIFETIME_MS) : undefined

const value = (s: Redacted.Redacted<string> | undefined): string | undefined => {
  const v = s === undefined ? undefined : Redacted.value(s).trim()
  return v === "" ? undefined : v
}

const accessTokenOf = (c: OAuthCredential): string | undefined => value(c.access)
export const refreshTokenOf = (c: OAuthCredential): string | undefined => value(c.refresh)
export const isRefreshable = (c: Credential): boolean => c.type === "oauth" && refreshTokenOf(c) !== undefined

/**
 * What to do with an OAuth credential before a request at `now`:
 * - `fresh`: the access token is good for more than REFRESH_WINDOW_MS;
 * - `refresh`: it is missing, of unknown expiry, expired or inside the window, and a refresh token is stored;
 * - `use-as-is`: inside the window or of unknown expiry, not refreshable, but not known to be expired;
 * - `dead`: expired (or absent) and nothing to refresh it with.
 */
export type RefreshDecision = "fresh" | "refresh" | "use-as-is" | "dead"

export const refreshDecision = (c: OAuthCredential, now: number): RefreshDecision => {
  const access = accessTokenOf(c)
  const validExpiry = typeof c.expires === "number" && Number.isFinite(c.expires) && c.expires > 0
  if (access !== undefined && validExpiry && c.expires! - now > REFRESH_WINDOW_MS) return "fresh"
  if (refreshTokenOf(c) !== undefined) return "refresh"
  if (access === undefined) return "dead"
  return validExpiry && c.expires! <= now ? "dead" : "use-as-is"
}

/** The lock every process and agent on the host takes to refresh one profile (`FileLock` appends `.lock`). */
export const refreshLockPath = (stateDir: string, provider: ProviderId, profileId: ProfileId): string => {
  const colon = profileId.indexOf(":")
  const name = colon < 0 ? profileId : profileId.slice(colon + 1)
  return `${stateDir.replace(/\/+$/, "")}/locks/oauth-${provider}-${slugProfileName(name)}`
}

// ---- Token responses ----

/** A successful token response, from a refresh or a code exchange. */
export interface TokenGrant {
  readonly access: string
  readonly refresh: string | undefined
  readonly expiresInMs: number | undefined
  readonly email: string | undefined
  readonly accountId: string | undefined
}

const TokenResponse = Schema.Struct({
  access_token: Schema.NonEmptyString,
  refresh_token: Schema.optional(Schema.String),
  // Read leniently (lifetimeMs): a bad expires_in must not throw away a rotated refresh token with the answer.
  expires_in: Schema.optional(Schema.Unknown),
  id_token: Schema.optional(Schema.String),
  email: Schema.optional(Schema.String),
  account: Schema.optional(
    Schema.Struct({ email_address: Schema.optional(Schema.String), uuid: Schema.optional(Schema.String) })
  )
})

/** The claims of a JWT we only read (never verify): it came straight from the token endpoint over TLS. */
const jwtClaims = (jwt: string): Record<string, unknown> => {
  const payload = jwt.split(".")[1]
  if (payload === undefined) return {}
  return Either.match(Encoding.decodeBase64UrlString(payload), {
    onLeft: () => ({}),
    onRight: (text) => {
      try {
        const parsed: unknown = JSON.parse(text)
        return Predicate.isRecord(parsed) ? (parsed as Record<string, unknown>) : {}
      } catch {
        return {}
      }
    }
  })
}

const nonEmpty = (s: unknown): string | undefined => (typeof s === "string" && s.trim() !== "" ? s.trim() : undefined)
/** Account text we store and show: never with control characters, which make a store entry unusable (§11). */
const plainText = (s: unknown): string | undefined => {
  const v = nonEmpty(s)
  return v !== undefined && !CONTROL_CHARACTER.test(v) ? v : undefined
}
const looksLikeEmail = (s: string | undefined): string | undefined => (s !== undefined && /^[^\s@]+@[^\s@]+$/.test(s) ? s : undefined)

/** Decodes a token response; the problem names a field, never a value (values may be secrets). */
export const decodeTokenGrant = (json: unknown): Either.Either<TokenGrant, string> => {
  const error = answeredError(json)
  return error === undefined ? decodeGrant(json) : Either.left(`the token endpoint answered with an error (${error}) beside its tokens; none were used`)
}

/** An OAuth error code in an answer that otherwise looks like a grant (RFC 6749 §5.2 `error`): never taken as one. */
const answeredError = (json: unknown): string | undefined =>
  Predicate.isRecord(json) && typeof json.error === "string" && json.error.trim() !== "" ? escapeControl(json.error.trim().slice(0, 64)) : undefined

const decodeGrant = (json: unknown): Either.Either<TokenGrant, string> =>
  Schema.decodeUnknownEither(TokenResponse)(json, { onExcessProperty: "ignore" }).pipe(
    Either.mapLeft((e) => `unexpected token response (${firstProblem(e).replace(/, got .*$/, "")})`),
    Either.flatMap((r) => {
      // A token no request can carry (a control character, a space, only blanks) is no token (§5.1, §11): the
      // stored credential stays as it was, not replaced by one that is unusable at once.
      // Blanks around it are not part of it (a trailing newline from a proxy).
      const access = r.access_token.trim()
      const odd = unsendableCharacter(access === "" ? " " : access)
      return odd === undefined ? Either.right({ ...r, access_token: access }) : Either.left(`unexpected token response (access_token holds ${odd.what} at position ${odd.position})`)
    }),
    Either.map((r) => {
      const claims = r.id_token ? jwtClaims(r.id_token) : {}
      return {
        access: r.access_token,
        refresh: nonEmpty(r.refresh_token),
        expiresInMs: lifetimeMs(r.expires_in),
        email: looksLikeEmail(plainText(r.account?.email_address) ?? plainText(r.email) ?? plainText(claims.email)),
        accountId: plainText(r.account?.uuid) ?? plainText(claims.sub)
      }
    })
  )

/**
 * The refresh token a token answer rotated, when the answer itself is refused (an unusable access token): the
 * provider has spent the old one, so this one is all that is left to refresh with (§3.3: nothing lost).
 */
export const rotatedRefreshToken = (json: unknown, used: string): string | undefined => {
  const token = Predicate.isRecord(json) && answeredError(json) === undefined ? nonEmpty(json.refresh_token) : undefined
  return token !== undefined && token !== used && unsendableCharacter(token) === undefined ? token : undefined
}

/**
 * The credential after a grant at `now`: `expires = now + expires_in`. A response without a new refresh token
 * keeps the old one (not every provider rotates); email, account and client id carry over unless named anew.
 */
export const credentialFromGrant = (
  provider: ProviderId,
  grant: TokenGrant,
  now: number,
  previous?: { readonly refresh?: string; readonly email?: string; readonly accountId?: string; readonly clientId?: string }
): OAuthCredential => {
  const refresh = grant.refresh ?? previous?.refresh
  const email = grant.email ?? previous?.email
  const accountId = grant.accountId ?? previous?.accountId
  return new OAuthCredential({
    type: "oauth",
    provider,
    access: Redacted.make(grant.access),
    ...(refresh === undefined ? {} : { refresh: Redacted.make(refresh) }),
    expires: now + (grant.expiresInMs ?? DEFAULT_ACCESS_LIFETIME_MS),
    ...(email === undefined ? {} : { email }),
    ...(accountId === undefined ? {} : { accountId }),
    ...(previous?.clientId === undefined ? {} : { clientId: previous.clientId })
  })
}

// ---- Compare-and-set ----

/**
 * Whether a refresh made with `usedRefresh` may be written over what the store holds now: only if the stored
 * credential is still the OAuth credential with that refresh token. Otherwise someone else (a login, an import,
 * a process that did not share our lock) wrote in between, and what they wrote wins.
 */
export type CasDecision =
  | { readonly kind: "write" }
  | { readonly kind: "keep-stored"; readonly stored: Credential }
  | { readonly kind: "gone" }

export const casDecision = (stored: Credential | undefined, provider: ProviderId, usedRefresh: string): CasDecision => {
  if (stored === undefined) return { kind: "gone" }
  if (stored.type === "oauth" && stored.provider === provider && refreshTokenOf(stored) === usedRefresh) return { kind: "write" }
  return { kind: "keep-stored", stored }
}


/**
 * Writes the refreshed tokens into the profile's raw entry: only access, refresh, expires (and email/accountId
 * when newly learnt) change; every other field of the entry, known or not, is kept (§3.1).
 */
export const applyRefreshedTokens = (raw: JsonObject, id: ProfileId, next: OAuthCredential): JsonObject => {
  const profiles = Predicate.isRecord(raw.profiles) ? { ...raw.profiles } : {}
  const entry = Predicate.isRecord(profiles[id]) ? profiles[id] : {}
  const encoded = encodeCredential(next)
  const fields = ["access", "refresh", "expires", "email", "accountId"] as const
  const updated: Record<string, unknown> = { ...entry }
  for (const f of fields) if (encoded[f] !== undefined) updated[f] = encoded[f]
  profiles[id] = updated
  return { ...raw, profiles }
}
