import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { ProfileNotFoundError } from "../domain/AuthErrors.js"
import { holdsProfile, lastRefreshFailed, setUsageStats, withoutRefreshFailure, withRefreshFailure } from "../domain/AuthStore.js"
import { ProviderError } from "../domain/Chat.js"
import { defaultAgentId, substituteEnvRefs } from "../domain/Config.js"
import { type Credential, credentialSecret, OAuthCredential } from "../domain/Credential.js"
import { FileShapeError } from "../domain/Errors.js"
import {
  applyRefreshedTokens,
  casDecision,
  credentialFromGrant,
  decodeTokenGrant,
  rotatedRefreshToken,
  refreshDecision,
  refreshTokenOf
} from "../domain/OAuth.js"
import { OAuthRefreshError, OAuthSetupError } from "../domain/OAuthErrors.js"
import { refreshParams } from "../domain/OAuthLogin.js"
import { decodeOAuthOverrides, oauthEndpoints } from "../domain/OAuthProviders.js"
import type { ProfileId } from "../domain/ProfileId.js"
import type { ProviderId } from "../domain/Provider.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { OAuthHttp } from "../services/OAuthHttp.js"
import { Paths } from "../services/Paths.js"
import { Progress } from "../services/Progress.js"
import { ProfileStore } from "../services/ProfileStore.js"
import { RefreshLock, type RefreshKey } from "../services/RefreshLock.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { UsageState, type UsageTarget } from "../services/UsageState.js"
import type { AuthContext } from "./AuthContext.js"

/** Shorter than the lock wait (15 s), so processes queued behind a slow refresh do not give up first. */
const REFRESH_TIMEOUT_MS = 10_000

/**
 * - `fresh`: no refresh was due;
 * - `refreshed`: this call refreshed it (one HTTP call) and wrote the result;
 * - `refreshed-elsewhere`: another process refreshed it while we waited for the lock; no HTTP call;
 * - `kept-stored`: the store changed under us (a login or import): what is stored now is used, not overwritten;
 * - `not-refreshable`: due, but there is no refresh token and the access token has not expired yet;
 * - `refresh-failed`: the refresh failed while the access token is still valid, so it is used for now;
 * - `not-oauth`: an API key or token; nothing to refresh.
 */
export type RefreshOutcome =
  | "fresh"
  | "refreshed"
  | "refreshed-elsewhere"
  | "kept-stored"
  | "not-refreshable"
  | "refresh-failed"
  | "not-oauth"

export interface FreshCredential {
  readonly profileId: ProfileId
  readonly credential: Credential
  readonly outcome: RefreshOutcome
  readonly failure?: OAuthRefreshError
}

/** Built-in OAuth metadata for the provider with `auth.oauth.<provider>` from the config on top. */
export const oauthEndpointsFor = Effect.fn("OAuth.endpoints")(function* (ctx: AuthContext, provider: ProviderId) {
  const config = yield* ConfigStore
  const doc = yield* config.load
  const raw = substituteEnvRefs(doc.raw, (name) => ctx.env.vars.get(name)?.value).value
  const overrides = yield* Either.mapLeft(decodeOAuthOverrides(raw), (problem) => new FileShapeError({ path: doc.path, detail: problem }))
  return yield* Either.mapLeft(
    oauthEndpoints(provider, overrides),
    (problem) => new OAuthSetupError({ provider, detail: problem, configPath: doc.path })
  )
})

/**
 * A sub-agent sees the main store underneath its own: refresh the profile in the store that holds it, and keep its
 * usage state (a refused refresh, §5.2) with that store's agent.
 */
const holderOf = (ctx: AuthContext, profileId: ProfileId) =>
  Effect.gen(function* () {
    if (ctx.agent.isDefault || holdsProfile(ctx.store.raw, profileId)) return { agentId: ctx.agent.agentId, storePath: ctx.agent.storePath } satisfies UsageTarget
    const main = yield* Effect.orDie((yield* Paths).agent(ctx.config, defaultAgentId(ctx.config)))
    return { agentId: main.agentId, storePath: main.storePath } satisfies UsageTarget
  })

const result = (profileId: ProfileId, credential: Credential, outcome: RefreshOutcome): FreshCredential => ({
  profileId,
  credential,
  outcome
})

const refreshError = (provider: ProviderId, profileId: ProfileId, reason: string, transient = false) =>
  new OAuthRefreshError({ provider, profileId, reason, ...(transient ? { transient } : {}) })

/**
 * §7's decision for an OAuth credential, taken before the lock and again inside it: `refresh` when one is due,
 * else the credential as it is (`whenFresh` says why it needs none) or, expired with nothing to refresh it, the error.
 */
const whenDue = <E, R>(
  provider: ProviderId,
  profileId: ProfileId,
  credential: OAuthCredential,
  whenFresh: RefreshOutcome,
  refresh: Effect.Effect<FreshCredential, E, R>
): Effect.Effect<FreshCredential, E | OAuthRefreshError, R> =>
  Effect.flatMap(Clock.currentTimeMillis, (now): Effect.Effect<FreshCredential, E | OAuthRefreshError, R> => {
    switch (refreshDecision(credential, now)) {
      case "fresh":
        return Effect.succeed(result(profileId, credential, whenFresh))
      case "use-as-is":
        return Effect.succeed(result(profileId, credential, "not-refreshable"))
      case "dead":
        return Effect.fail(refreshError(provider, profileId, "the access token has expired and no refresh token is stored"))
      case "refresh":
        return refresh
    }
  })

/**
 * §7: under the host-wide lock for (provider, profile), re-read the store; if another process refreshed while we
 * waited, use that (no HTTP call); else call the token endpoint once and write access/refresh/expires with a
 * compare-and-set against the refresh token we used. A failure writes nothing.
 */
const refreshUnderLock = (ctx: AuthContext, profileId: ProfileId, provider: ProviderId) =>
  Effect.gen(function* () {
    const profiles = yield* ProfileStore
    const http = yield* OAuthHttp
    const lock = yield* RefreshLock
    const key: RefreshKey = { stateDir: ctx.host.stateDir, provider, profileId }
    const usage = yield* UsageState
    const holder = yield* holderOf(ctx, profileId)
    const storePath = holder.storePath
    /** Writes `next` over the credential whose refresh token was `used`, unless the store changed meanwhile. */
    const store = (used: string, next: OAuthCredential) =>
      Effect.map(
        profiles.update(storePath, (latest) => {
          const cas = casDecision(latest.store.profiles.get(profileId), provider, used)
          // A refresh that worked heals a profile whose last refresh was refused (§5.2).
          const written = cas.kind === "write" ? setUsageStats(applyRefreshedTokens(latest.raw, profileId, next), profileId, withoutRefreshFailure) : latest.raw
          return Effect.succeed([written, cas] as const)
        }),
        ([, decided]) => decided
      )
    const exchange = (current: OAuthCredential, sharedVersion: number) =>
      Effect.gen(function* () {
        const used = refreshTokenOf(current)!
        const secrets = yield* SecretRegistry
        const endpoints = yield* oauthEndpointsFor(ctx, provider).pipe(
          Effect.catchTag("OAuthSetupError", (e) => Effect.fail(refreshError(provider, profileId, e.detail)))
        )
        const request = http.requestToken({
          url: endpoints.tokenUrl,
          params: refreshParams(current.clientId ?? endpoints.clientId, used),
          encoding: endpoints.tokenEncoding,
          timeoutMs: REFRESH_TIMEOUT_MS
        })
        // Up to 10 s: on a terminal the CLI says what it is waiting for (§6); a gateway stays silent.
        const json = yield* (yield* Progress)
          .during(`Refreshing the OAuth token of ${profileId}…`, request)
          .pipe(Effect.mapError((e) => refreshError(provider, profileId, e.reason, e.kind === "network" || e.kind === "timeout")))
        const decoded = decodeTokenGrant(json)
        if (Either.isLeft(decoded)) {
          const rotated = rotatedRefreshToken(json, used)
          if (rotated === undefined) return yield* refreshError(provider, profileId, decoded.left)
          // The answer is refused but its new refresh token is kept: the old one is spent at the provider.
          yield* secrets.register([rotated])
          const kept = new OAuthCredential({ ...current, refresh: Redacted.make(rotated) })
          yield* lock.publish(key, kept, sharedVersion)
          yield* store(used, kept)
          return yield* new OAuthRefreshError({ provider, profileId, reason: decoded.left, keptRotated: true })
        }
        const grant = decoded.right
        yield* secrets.register([grant.access, grant.refresh])
        const at = yield* Clock.currentTimeMillis
        const next = credentialFromGrant(provider, grant, at, {
          refresh: used,
          ...(current.email === undefined ? {} : { email: current.email }),
          ...(current.accountId === undefined ? {} : { accountId: current.accountId }),
          ...(current.clientId === undefined ? {} : { clientId: current.clientId })
        })
        // Other hosts (§10) take it from the shared state instead of spending the refresh token we just used up.
        yield* lock.publish(key, next, sharedVersion)
        const decided = yield* store(used, next)
        // Removed meanwhile (logout): the new tokens serve this request but are not resurrected in the store.
        return decided.kind === "keep-stored"
          ? result(profileId, decided.stored, "kept-stored")
          : result(profileId, next, "refreshed")
      })
    /**
     * The token endpoint refused (or the grant was unusable): recorded in usageStats[id].lastRefreshError so status
     * --check counts the profile expired (§5.2). A network failure or timeout is not recorded — the next use
     * may well succeed, and paging someone for a blip is what §5.2 avoids. Through the usage state (§10), like
     * cooldowns: with a shared backend every host's status sees it, and the file's copy would be hidden by it.
     */
    const recordRefused = (e: OAuthRefreshError) =>
      e.transient === true
        ? Effect.void
        : Effect.gen(function* () {
            const reason = (yield* SecretRegistry).scrub(e.reason)
            const at = yield* Clock.currentTimeMillis
            yield* usage.update(holder, profileId, (s) => withRefreshFailure(s, at, reason))
          }).pipe(Effect.ignore)
    /** After a refresh that worked: the store's copy was healed with the tokens; a shared backend's is healed here. */
    const healShared = (failedBefore: boolean) =>
      failedBefore ? Effect.ignore(usage.update(holder, profileId, (s) => withoutRefreshFailure(s))) : Effect.void
    const locked = Effect.gen(function* () {
      const doc = yield* profiles.load(storePath)
      const current = doc.store.profiles.get(profileId)
      if (current === undefined) return yield* new ProfileNotFoundError({ profileId, agentDir: ctx.agent.agentDir })
      yield* (yield* SecretRegistry).register([credentialSecret(current), current.type === "oauth" ? refreshTokenOf(current) : undefined])
      if (current.type !== "oauth") return result(profileId, current, "kept-stored")
      // Another host refreshed it (§10): its credential replaces ours in this host's store, no HTTP call.
      const shared = yield* lock.shared(key)
      const used = refreshTokenOf(current)
      if (shared?.credential !== undefined && used !== undefined && isNewer(shared.credential, current)) {
        const adopted = shared.credential
        yield* (yield* SecretRegistry).register([credentialSecret(adopted), refreshTokenOf(adopted)])
        const decided = yield* store(used, adopted)
        return decided.kind === "keep-stored" ? result(profileId, decided.stored, "kept-stored") : result(profileId, adopted, "refreshed-elsewhere")
      }
      // The file layer's view is the document itself, healed by the same write as the tokens.
      const viewed = yield* usage.view(holder, doc)
      const failedBefore = viewed !== doc && lastRefreshFailed(viewed.store.usageStats[profileId])
      return yield* whenDue(
        provider,
        profileId,
        current,
        "refreshed-elsewhere",
        exchange(current, shared?.version ?? 0).pipe(
          Effect.tapErrorTag("OAuthRefreshError", recordRefused),
          Effect.tap((r) => (r.outcome === "refreshed" ? healShared(failedBefore) : Effect.void))
        )
      )
    })
    return yield* lock.withLock(key, locked)
  })

/** A shared credential is newer when it was refreshed from another token and lives longer than ours. */
const isNewer = (shared: OAuthCredential, ours: OAuthCredential): boolean =>
  refreshTokenOf(shared) !== refreshTokenOf(ours) && (shared.expires ?? 0) > (typeof ours.expires === "number" ? ours.expires : 0)

/**
 * The credential to use for a profile now, with what happened. An OAuth profile that is expired or within
 * 5 minutes of expiry is refreshed first (exactly once across processes). A failed refresh while the access
 * token is still valid uses it and reports the failure; once expired, the failure is the error.
 */
export const refreshProfile = Effect.fn("OAuth.refreshProfile")(function* (ctx: AuthContext, profileId: ProfileId) {
  const credential = ctx.store.store.profiles.get(profileId)
  if (credential === undefined) return yield* new ProfileNotFoundError({ profileId, agentDir: ctx.agent.agentDir })
  if (credential.type !== "oauth") return result(profileId, credential, "not-oauth")
  const provider = credential.provider
  const lock = yield* RefreshLock
  const key: RefreshKey = { stateDir: ctx.host.stateDir, provider, profileId }
  const refreshed = lock.coalesce(key, refreshUnderLock(ctx, profileId, provider)).pipe(
    Effect.catchTag("OAuthRefreshError", (failure) =>
      Effect.flatMap(Clock.currentTimeMillis, (at) =>
        credential.access !== undefined && typeof credential.expires === "number" && credential.expires > at
          ? Effect.succeed<FreshCredential>({ profileId, credential, outcome: "refresh-failed", failure })
          : Effect.fail(failure)
      )
    )
  )
  return yield* whenDue(provider, profileId, credential, "fresh", refreshed)
})

/**
 * For failover and probes: the credential to send, refreshed when due, with a failed refresh as a ProviderError
 * so §5.3 classifies it (unreachable endpoint → timeout; a refused refresh → auth, which fails over).
 */
export const credentialForRequest = (
  ctx: AuthContext,
  profileId: ProfileId,
  credential: Credential
): Effect.Effect<Credential, ProviderError, ProfileStore | RefreshLock | UsageState | ConfigStore | OAuthHttp | Paths | SecretRegistry> =>
  credential.type !== "oauth"
    ? Effect.succeed(credential)
    : refreshProfile(ctx, profileId).pipe(
        Effect.map((r) => r.credential),
        Effect.mapError((e) =>
          e._tag === "OAuthRefreshError" && e.transient === true
            ? new ProviderError({ provider: credential.provider, kind: "timeout", detail: e.message })
            : new ProviderError({ provider: credential.provider, kind: "http", status: 401, detail: e.message })
        )
      )
