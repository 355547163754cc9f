import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { UsageStats } from "../domain/AuthStore.js"
import type { ProviderAuth, ProviderError, ProviderTarget } from "../domain/Chat.js"
import { type Attempt, failureVerdict, lastErrorOf, lastErrorRecord, outOfUseReason } from "../domain/ChatFailure.js"
import { formatModelRef, type ModelRef } from "../domain/Config.js"
import { type Classified, classifyFailure, cooldownSettings, recordFailure, recordSuccess } from "../domain/Failure.js"
import type { AuthStore } from "../domain/AuthStore.js"
import { modelCandidates } from "../domain/Candidates.js"
import type { ProfileId } from "../domain/ProfileId.js"
import type { ProviderId } from "../domain/Provider.js"
import { providerAuth, providerTarget } from "../domain/ProviderTarget.js"
import { missingCredentialFix, resolveCredential } from "../domain/Resolve.js"
import type { Session } from "../domain/Session.js"
import { ExplainedError, type StoreError } from "../domain/Errors.js"
import type { StoreDocument } from "../services/ProfileStore.js"
import { UsageState, type UsageStateShape, type UsageTarget } from "../services/UsageState.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import type { AuthContext } from "./AuthContext.js"
import { credentialForRequest } from "./OAuthRefresh.js"
import { usageTarget } from "./UsageView.js"

export type { Attempt } from "../domain/ChatFailure.js"

/**
 * Why a request could not be served: the verdict of domain/ChatFailure (status, classified reason, the profiles
 * tried and the fix), which every wire shape encodes as it is.
 */
export class ChatFailedError extends ExplainedError("ChatFailedError", {
  status: Schema.Number,
  reason: Schema.Literal("auth", "format", "rate_limit", "billing", "timeout", "unknown", "overloaded", "no_credentials", "unavailable"),
  code: Schema.String,
  problem: Schema.String,
  fix: Schema.UndefinedOr(Schema.String),
  retryAfterSeconds: Schema.optional(Schema.Number)
}) {}

export interface Served<A> {
  readonly value: A
  readonly model: ModelRef
  readonly profileId: ProfileId | undefined
  readonly attempts: ReadonlyArray<Attempt>
  /**
   * Usage bookkeeping for the success (lastGood, lastUsed, cleared counters). Separate so the gateway can run it
   * after answering; it writes only when something changed or lastUsed is over a minute old.
   */
  readonly recordUse: Effect.Effect<void, StoreError>
  /**
   * A failure after the answer began (a stream that broke midway, §8.4): recorded as the serving profile's failure,
   * cooldown and all, exactly as a failure before the first byte would have been. Never fails (a write that fails
   * is logged).
   */
  readonly recordFailure: (error: ProviderError) => Effect.Effect<void>
}

const LAST_USED_GRANULARITY_MS = 60_000

/**
 * A first attempt the gateway's lane (src/gateway/Lane.ts) already made for the first model, and that failed. The
 * failover chooses that model's candidates as of `at` (when the lane chose, from the same snapshot: the same
 * order), takes the failure as `profileId`'s answer — recorded, cooldown and all — instead of calling it again, and
 * goes on from there. `profileId` undefined: the provider's key from the environment or the config.
 */
export interface TriedFirst {
  /** The model as formatted (`provider/model`). */
  readonly model: string
  readonly profileId: ProfileId | undefined
  readonly at: number
  readonly error: ProviderError
}

/** What refreshing an OAuth profile on the way needs (§7). */
type RefreshServices = Effect.Effect.Context<ReturnType<typeof credentialForRequest>>

/**
 * §5.3: try the session's profiles for the first model (pinned, sticky, then the order), cooling down each one
 * that fails for a failover-worthy reason, then the agent's fallback models in turn. A user pin (§8.3) is the only
 * profile tried and the first model the only one: its failure is the answer. When nothing is left the error is the
 * verdict over every candidate called or skipped (§8.5). `written` hears every store document written (cooldowns,
 * usage), so a caller holding the context in memory can keep it current.
 */
export const serveWithFailover = <A, R>(
  ctx: AuthContext,
  models: ReadonlyArray<ModelRef>,
  session: Session | undefined,
  call: (target: ProviderTarget, auth: ProviderAuth, model: ModelRef) => Effect.Effect<A, ProviderError, R>,
  written: (doc: StoreDocument) => Effect.Effect<void> = () => Effect.void,
  triedFirst?: TriedFirst
): Effect.Effect<Served<A>, ChatFailedError, R | UsageState | RefreshServices> =>
  Effect.gen(function* () {
    const attempts: Array<Attempt> = []
    const usage = yield* UsageState
    const registry = yield* SecretRegistry
    const { store } = ctx.store
    const pin = session?.userPin

    // A late failure is recorded after this program has returned (the stream broke while it was written).
    const services = yield* Effect.context<UsageState | SecretRegistry>()

    const failed = (model: string, provider: ProviderId, profileId: ProfileId | undefined, error: ProviderError, classified: Classified, until?: number): Attempt => ({
      model,
      provider,
      profileId,
      outcome: classified.reason,
      problem: registry.scrub(error.problem),
      ...(classified.hint ? { fix: classified.hint } : {}),
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(until ? { until } : {})
    })

    const verdict = Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(new ChatFailedError(failureVerdict(attempts, now))))

    // A user pin is never rotated and never falls back to another model (§8.3, §8.5).
    for (const [i, model] of (pin === undefined ? models : models.slice(0, 1)).entries()) {
      const provider = model.provider
      const modelId = formatModelRef(model)
      const tried = i === 0 && triedFirst?.model === modelId ? triedFirst : undefined
      const target = providerTarget(ctx.config, provider)
      if (target === undefined) {
        attempts.push({ model: modelId, provider, profileId: undefined, outcome: "format", problem: `unknown provider "${provider}"`, fix: `configure it under models.providers.${provider} (baseUrl, api)` })
        continue
      }
      const now = tried?.at ?? (yield* Clock.currentTimeMillis)
      const { pinned, pinUnusable, order, candidates } = modelCandidates(store, ctx.config, provider, session, now)
      if (pinUnusable) {
        attempts.push({
          model: modelId,
          provider,
          profileId: pin,
          outcome: "no_credentials",
          problem: `No credentials found for profile "${pin}"`,
          fix: `pin another profile with /model ${modelId}@<profileId>, or end the pin with /new`
        })
        return yield* verdict
      }
      if (order.candidates.length === 0 && !pinned) {
        // No profiles at all: an env key, a config key, or a loopback provider; nothing to cool down.
        const resolved = resolveCredential({ store, config: ctx.config, env: ctx.env.vars, now }, provider)
        if (Either.isLeft(resolved)) {
          attempts.push({
            model: modelId,
            provider,
            profileId: undefined,
            outcome: "no_credentials",
            problem: `No API key found for provider "${provider}". Auth store: ${ctx.agent.storePath} (agentDir: ${ctx.agent.agentDir})`,
            fix: missingCredentialFix(provider, ctx.host.stateEnvPath)
          })
          continue
        }
        const result = tried !== undefined && tried.profileId === undefined ? Either.left(tried.error) : yield* Effect.either(call(target, providerAuth(resolved.right), model))
        if (Either.isRight(result)) {
          attempts.push({ model: modelId, provider, profileId: undefined, outcome: "ok" })
          return { value: result.right, model, profileId: undefined, attempts, recordUse: Effect.void, recordFailure: lateFailureWithoutProfile(modelId) }
        }
        const classified = classifyFailure(result.left)
        attempts.push(failed(modelId, provider, undefined, result.left, classified))
        if (!classified.failover) return yield* verdict
        continue
      }
      for (const profileId of candidates) {
        const stored = store.profiles.get(profileId)!
        // An OAuth profile near expiry is refreshed first (§7); a refused refresh counts as an auth failure.
        const result =
          tried !== undefined && tried.profileId === profileId
            ? Either.left(tried.error)
            : yield* Effect.either(
                Effect.flatMap(credentialForRequest(ctx, profileId, stored), (credential) =>
                  call(target, providerAuth({ kind: "profile", profileId, credential }), model)
                )
              )
        if (Either.isRight(result)) {
          attempts.push({ model: modelId, provider, profileId, outcome: "ok" })
          const answeredAt = yield* Clock.currentTimeMillis
          const recordUse = useRecord({ usage, target: usageTarget(ctx), store, provider, profileId, calledAt: now, answeredAt, written })
          const recordLate = (error: ProviderError) => Effect.provide(lateFailure(ctx, written, profileId, provider)(error), services)
          return { value: result.right, model, profileId, attempts, recordUse, recordFailure: recordLate }
        }
        const classified = classifyFailure(result.left)
        const until = classified.failover ? yield* profileFailure(ctx, written, profileId, provider, result.left, classified) : undefined
        attempts.push(failed(modelId, provider, profileId, result.left, classified, until))
        if (!classified.failover) return yield* verdict
      }
      // The profiles left out because they are cooling down or disabled count too, with why (§8.5).
      if (!pinned) {
        for (const u of order.unavailable) {
          const stats = store.usageStats[u.profileId]
          const reason = outOfUseReason(stats)
          const last = reason === undefined ? undefined : lastErrorOf(stats)
          attempts.push({
            model: modelId,
            provider,
            profileId: u.profileId,
            outcome: reason ?? "unavailable",
            skippedUntil: u.until,
            ...(last ? { problem: last.message } : {}),
            ...(last && reason === "auth" ? hintOf(last.message) : {})
          })
        }
      }
    }
    return yield* verdict
  })

/**
 * A profile's failure, counted atomically against its stats as they are now (store lock, or shared state: concurrent
 * failures all count), with its cooldown (§5.3): the time it is out of use until, or undefined when the record could
 * not be written (logged: the request goes on to the next profile either way).
 */
const profileFailure = (
  ctx: AuthContext,
  written: (doc: StoreDocument) => Effect.Effect<void>,
  profileId: ProfileId,
  provider: ProviderId,
  error: ProviderError,
  classified: Classified
): Effect.Effect<number | undefined, never, UsageState | SecretRegistry> =>
  Effect.gen(function* () {
    const usage = yield* UsageState
    const registry = yield* SecretRegistry
    const settings = cooldownSettings(ctx.config, provider)
    const at = yield* Clock.currentTimeMillis
    const lastError = lastErrorRecord(classified.reason, at, registry.scrub(error.problem))
    const { doc, stats } = yield* usage.update(usageTarget(ctx), profileId, (current): UsageStats => ({
      ...recordFailure(current, classified.reason, at, settings, error.retryAfterMs),
      lastError
    }))
    if (doc !== undefined) yield* written(doc)
    return Math.max(stats?.cooldownUntil ?? 0, stats?.disabledUntil ?? 0)
  }).pipe(
    // A cooldown we could not record must still be heard.
    Effect.catchAll((e) => Effect.as(Effect.logWarning(`could not record the ${classified.reason} failure of ${profileId}: ${e.message}`), undefined))
  )

/**
 * `Served.recordFailure` of a profile's answer: a failure after the answer began is recorded as before the first
 * byte, but only one worth failing over for counts against the profile (an answer over the body limit, `format`, is
 * not the profile's fault); logged either way. The gateway's lane records a broken stream with it too.
 */
export const lateFailure =
  (ctx: AuthContext, written: (doc: StoreDocument) => Effect.Effect<void>, profileId: ProfileId, provider: ProviderId) =>
  (error: ProviderError): Effect.Effect<void, never, UsageState | SecretRegistry> => {
    const classified = classifyFailure(error)
    const logged = Effect.logWarning(`${profileId} failed after its answer began: ${classified.reason}`)
    return classified.failover ? Effect.zipRight(logged, Effect.asVoid(profileFailure(ctx, written, profileId, provider, error, classified))) : logged
  }

/**
 * The usage bookkeeping of a success by `profileId` (§5.3: lastGood, lastUsed, counters cleared), or Effect.void when
 * the store says so already (lastUsed is kept to the minute): most answers write nothing. A failure recorded since
 * the answer arrived (the stream broke, or a concurrent request failed) stands.
 */
export const useRecord = (input: {
  readonly usage: UsageStateShape
  readonly target: UsageTarget
  readonly store: AuthStore
  readonly provider: ProviderId
  readonly profileId: ProfileId
  /** When the profile was chosen, and when its answer arrived. */
  readonly calledAt: number
  readonly answeredAt: number
  readonly written: (doc: StoreDocument) => Effect.Effect<void>
}): Effect.Effect<void, StoreError> => {
  const { store, provider, profileId, answeredAt } = input
  const stats = store.usageStats[profileId] ?? {}
  const stale =
    store.lastGood[provider] !== profileId ||
    stats.errorCount !== undefined ||
    stats.cooldownUntil !== undefined ||
    stats.disabledUntil !== undefined ||
    input.calledAt - (stats.lastUsed ?? 0) >= LAST_USED_GRANULARITY_MS
  if (!stale) return Effect.void
  const success = (s: UsageStats, at: number): UsageStats => ((s.lastFailureAt ?? -Infinity) >= answeredAt ? { ...s, lastUsed: at } : recordSuccess(s, at))
  return Effect.flatMap(Clock.currentTimeMillis, (at) => input.usage.update(input.target, profileId, (s) => success(s, at), provider)).pipe(
    Effect.flatMap(({ doc }) => (doc === undefined ? Effect.void : input.written(doc)))
  )
}

/** The hint a stored message still carries (the Claude-Code-only one), for a profile skipped after it failed. */
const hintOf = (message: string): { readonly fix?: string } => {
  const hint = classifyFailure({ detail: message }).hint
  return hint ? { fix: hint } : {}
}

/** An env or config key has no usage stats to cool down: a late failure is only logged. */
export const lateFailureWithoutProfile = (model: string) => (error: ProviderError) =>
  Effect.logWarning(`${model} (no profile) failed after its answer began: ${classifyFailure(error).reason}`)
