import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { setLastGood, setUsageStats, type FailureReason } from "../domain/AuthStore.js"
import type { ProviderAuth, ProviderError, ProviderTarget } from "../domain/Chat.js"
import { formatModelRef, type ModelRef } from "../domain/Config.js"
import { classifyFailure, cooldownSettings, recordFailure, recordSuccess } from "../domain/Failure.js"
import { profileOrder, whyUnusable } from "../domain/Order.js"
import { type ProfileId, providerOfProfileId } from "../domain/ProfileId.js"
import { providerAuth, providerTarget } from "../domain/ProviderTarget.js"
import { missingCredentialFix, resolveCredential } from "../domain/Resolve.js"
import { type SessionState, sessionCandidates } from "../domain/Session.js"
import { ExplainedError, type StoreError } from "../domain/Errors.js"
import { ProfileStore, type StoreDocument } from "../services/ProfileStore.js"
import type { AuthContext } from "./AuthContext.js"
import { credentialForRequest } from "./OAuthRefresh.js"

/** Why a request could not be served, said the way an OpenAI client expects: a reason, a message, a fix. */
export class ChatFailedError extends ExplainedError<ChatFailedError>()("ChatFailedError", {
  reason: Schema.Literal("auth", "format", "rate_limit", "billing", "timeout", "unknown", "no_credentials", "unavailable"),
  provider: Schema.String,
  problem: Schema.String,
  fix: Schema.UndefinedOr(Schema.String)
}) {}

export interface Attempt {
  readonly model: string
  readonly profileId: ProfileId | undefined
  readonly outcome: "ok" | FailureReason | "no_credentials" | "unavailable"
}

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
}

const LAST_USED_GRANULARITY_MS = 60_000

/** What refreshing an OAuth profile on the way needs (§7). */
type RefreshServices = Effect.Effect.Context<ReturnType<typeof credentialForRequest>>

/**
 * §5.3: try the session's profiles for the first model (pinned, sticky, then the order), cooling down each one
 * that fails for a failover-worthy reason, then the agent's fallback models in turn. `written` hears every store
 * document written (cooldowns, usage), so a caller holding the context in memory can keep it current.
 */
export const serveWithFailover = <A, R>(
  ctx: AuthContext,
  models: ReadonlyArray<ModelRef>,
  session: SessionState | undefined,
  call: (target: ProviderTarget, auth: ProviderAuth, model: ModelRef) => Effect.Effect<A, ProviderError, R>,
  written: (doc: StoreDocument) => Effect.Effect<void> = () => Effect.void
): Effect.Effect<Served<A>, ChatFailedError, R | ProfileStore | RefreshServices> =>
  Effect.gen(function* () {
    const attempts: Array<Attempt> = []
    const profiles = yield* ProfileStore
    const { store } = ctx.store
    let last: ChatFailedError | undefined
    for (const model of models) {
      const provider = model.provider
      const target = providerTarget(ctx.config, provider)
      if (target === undefined) {
        last = new ChatFailedError({ reason: "format", provider, problem: `Unknown provider "${provider}" for model ${formatModelRef(model)}`, fix: `configure it under models.providers.${provider} (baseUrl, api)` })
        continue
      }
      const now = yield* Clock.currentTimeMillis
      const pin = session?.userPin
      const pinned = pin !== undefined && (store.profiles.get(pin)?.provider ?? providerOfProfileId(pin)) === provider
      if (pinned) {
        // A user pin is never rotated (§8.3).
        if (whyUnusable(ctx.config, provider, pin, store.profiles.get(pin), now) !== undefined) {
          return yield* new ChatFailedError({ reason: "no_credentials", provider, problem: `No credentials found for profile "${pin}"`, fix: undefined })
        }
      }
      const order = profileOrder(store, ctx.config, provider, now)
      const cooling = new Set(order.unavailable.map((u) => u.profileId))
      const available = order.candidates.filter((id) => !cooling.has(id))
      const candidates = pinned ? [pin] : sessionCandidates(session, available)

      if (order.candidates.length === 0 && !pinned) {
        // No profiles at all: an env key, a config key, or a loopback provider; nothing to cool down.
        const resolved = resolveCredential({ store, config: ctx.config, env: ctx.env.vars, now }, provider)
        if (Either.isLeft(resolved)) {
          attempts.push({ model: formatModelRef(model), profileId: undefined, outcome: "no_credentials" })
          last = new ChatFailedError({
            reason: "no_credentials",
            provider,
            problem: `No API key found for provider "${provider}". Auth store: ${ctx.agent.storePath} (agentDir: ${ctx.agent.agentDir})`,
            fix: missingCredentialFix(provider, ctx.host.stateEnvPath)
          })
          continue
        }
        const result = yield* Effect.either(call(target, providerAuth(resolved.right), model))
        if (Either.isRight(result)) {
          attempts.push({ model: formatModelRef(model), profileId: undefined, outcome: "ok" })
          return { value: result.right, model, profileId: undefined, attempts, recordUse: Effect.void }
        }
        const classified = classifyFailure(result.left)
        attempts.push({ model: formatModelRef(model), profileId: undefined, outcome: classified.reason })
        last = failedWith(provider, result.left, classified)
        if (!classified.failover) return yield* last
        continue
      }
      if (candidates.length === 0) {
        attempts.push({ model: formatModelRef(model), profileId: undefined, outcome: "unavailable" })
        last = new ChatFailedError({
          reason: "unavailable",
          provider,
          problem: `No available auth profile for ${provider} (all in cooldown or unavailable)`,
          fix: "wait for the cooldown, or lift it with `openclaw models auth cooldowns clear`"
        })
        continue
      }
      for (const profileId of candidates) {
        const stored = store.profiles.get(profileId)!
        // An OAuth profile near expiry is refreshed first (§7); a refused refresh counts as an auth failure.
        const result = yield* Effect.either(
          Effect.flatMap(credentialForRequest(ctx, profileId, stored), (credential) =>
            call(target, providerAuth({ kind: "profile", profileId, credential }), model)
          )
        )
        if (Either.isRight(result)) {
          attempts.push({ model: formatModelRef(model), profileId, outcome: "ok" })
          const stats = store.usageStats[profileId] ?? {}
          const stale =
            store.lastGood[provider] !== profileId ||
            stats.errorCount !== undefined ||
            stats.cooldownUntil !== undefined ||
            stats.disabledUntil !== undefined ||
            now - (stats.lastUsed ?? 0) >= LAST_USED_GRANULARITY_MS
          const recordUse = stale
            ? Effect.flatMap(Clock.currentTimeMillis, (at) =>
                profiles.update(ctx.agent.storePath, (doc) =>
                  Effect.succeed([setLastGood(setUsageStats(doc.raw, profileId, (s) => recordSuccess(s, at)), provider, profileId), undefined] as const)
                )
              ).pipe(Effect.flatMap(([doc]) => written(doc)))
            : Effect.void
          return { value: result.right, model, profileId, attempts, recordUse }
        }
        const classified = classifyFailure(result.left)
        attempts.push({ model: formatModelRef(model), profileId, outcome: classified.reason })
        last = failedWith(provider, result.left, classified)
        if (!classified.failover) return yield* last
        // Counted under the store lock against the stats as they are on disk now: concurrent failures all count.
        const settings = cooldownSettings(ctx.config, provider)
        const at = yield* Clock.currentTimeMillis
        yield* profiles
          .update(ctx.agent.storePath, (doc) =>
            Effect.succeed([setUsageStats(doc.raw, profileId, (s) => recordFailure(s, classified.reason, at, settings, result.left.retryAfterMs)), undefined] as const)
          )
          .pipe(
            Effect.flatMap(([doc]) => written(doc)),
            // The request goes on to the next profile either way; a cooldown we could not record must still be heard.
            Effect.catchAll((e) => Effect.logWarning(`could not record the ${classified.reason} failure of ${profileId}: ${e.message}`))
          )
      }
    }
    return yield* (last ?? new ChatFailedError({ reason: "unknown", provider: "", problem: "No model is configured", fix: undefined }))
  })

const failedWith = (provider: string, error: ProviderError, classified: ReturnType<typeof classifyFailure>) =>
  new ChatFailedError({
    reason: classified.reason,
    provider,
    problem: error.problem,
    fix: classified.hint || undefined
  })
