import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { ChatRequest } from "../domain/chat/Model.js"
import { type ModelRef, parseModelRef, modelAliases } from "../domain/Config.js"
import { classifyFailure } from "../domain/Failure.js"
import { maskSecret } from "../domain/Mask.js"
import type { ProfileId } from "../domain/ProfileId.js"
import { normalizeProvider, type ProviderId } from "../domain/Provider.js"
import { providerAuth, providerTarget } from "../domain/ProviderTarget.js"
import { credentialRef, credentialSecret } from "../domain/Credential.js"
import { resolutionOf } from "../domain/SecretResolution.js"
import { secretRefLabel } from "../domain/SecretRef.js"
import { ProviderClient } from "../services/ProviderClient.js"
import { replaceSecrets } from "../services/SecretRegistry.js"
import type { AuthContext } from "./AuthContext.js"
import { credentialForRequest } from "./OAuthRefresh.js"

export type ProbeStatus = "ok" | "auth" | "rate_limit" | "billing" | "timeout" | "format" | "unknown"

export interface ProbeRow {
  readonly provider: ProviderId
  readonly profileId: ProfileId
  readonly model: string | null
  readonly status: ProbeStatus
  readonly latencyMs: number | null
  readonly detail: string
}

export interface ProbeOptions {
  readonly providers: ReadonlyArray<string>
  readonly profiles: ReadonlyArray<string>
  readonly timeoutMs: number
  readonly concurrency: number
  readonly maxTokens: number
  /** Told how many probes there are before the first is sent (progress: a probe can take its whole timeout). */
  readonly onStart?: (total: number) => Effect.Effect<void>
  /** Told of each probe as it finishes (progress), with how many have finished out of how many. */
  readonly onFinished?: (row: ProbeRow, finished: number, total: number) => Effect.Effect<void>
}

/** The model to probe a provider with: the agent's own (primary, then fallbacks), else a configured one. */
const probeModel = (ctx: AuthContext, provider: ProviderId): ModelRef | undefined => {
  const own = [ctx.models.primary, ...ctx.models.fallbacks].find((m) => m.provider === provider)
  if (own) return own
  const aliases = modelAliases(ctx.config)
  return Object.keys(ctx.config.agents?.defaults?.models ?? {})
    .map((id) => parseModelRef(id, aliases))
    .find((m) => m.provider === provider)
}

/**
 * `models status --probe` (§6.1): one tiny live request per profile through the same adapters the gateway uses.
 * A probe records no cooldowns or usage; an OAuth profile near expiry is refreshed first, as any use would.
 */
export const probeProfiles = Effect.fn("Models.probe")(function* (ctx: AuthContext, opts: ProbeOptions) {
  const client = yield* ProviderClient
  const wantedProviders = new Set(opts.providers.map(normalizeProvider))
  const wantedProfiles = new Set(opts.profiles)
  const profiles = [...ctx.store.store.profiles].filter(
    ([id, c]) =>
      (wantedProviders.size === 0 || wantedProviders.has(c.provider)) && (wantedProfiles.size === 0 || wantedProfiles.has(id))
  )
  if (opts.onStart !== undefined && profiles.length > 0) yield* opts.onStart(profiles.length)
  let finished = 0
  const report = (row: ProbeRow) =>
    opts.onFinished === undefined ? Effect.void : Effect.suspend(() => opts.onFinished!(row, ++finished, profiles.length))
  return yield* Effect.forEach(
    profiles,
    ([profileId, credential]) =>
      Effect.tap(Effect.gen(function* () {
        const provider = credential.provider
        const model = probeModel(ctx, provider)
        const target = providerTarget(ctx.config, provider)
        const row = (status: ProbeStatus, detail: string, latencyMs: number | null = null): ProbeRow => ({
          provider,
          profileId,
          model: model ? `${model.provider}/${model.model}` : null,
          status,
          latencyMs,
          detail
        })
        if (!model) return row("unknown", `no model configured for ${provider}; add one to agents.defaults.models`)
        if (!target) return row("unknown", `no base URL for ${provider}; set models.providers.${provider}.baseUrl`)
        // A ref that did not resolve has nothing to send: say why instead of asking the provider without a key.
        const ref = credentialRef(credential)
        const resolution = ref === undefined ? undefined : resolutionOf(ctx.secrets, ref)
        if (ref !== undefined && resolution?._tag !== "Resolved") {
          return row("unknown", `unresolved_ref: ${secretRefLabel(ref)} did not resolve: ${resolution?.reason ?? ""}`)
        }
        const request: ChatRequest = { model: model.model, messages: [{ role: "user", parts: [{ type: "text", text: "ping" }] }], maxTokens: opts.maxTokens, stream: false }
        const started = yield* Clock.currentTimeMillis
        const result = yield* Effect.either(
          Effect.flatMap(credentialForRequest(ctx, profileId, credential), (fresh) =>
            client.complete(target, providerAuth({ kind: "profile", profileId, credential: fresh }), request, opts.timeoutMs)
          )
        )
        const latency = (yield* Clock.currentTimeMillis) - started
        if (Either.isRight(result)) return row("ok", "", latency)
        const classified = classifyFailure(result.left)
        // The provider's text may quote the credential back; never print more than its mask.
        const secret = credentialSecret(credential)
        const detail = secret ? replaceSecrets(result.left.problem, [secret], maskSecret) : result.left.problem
        return row(classified.reason, classified.hint ? `${detail} (${classified.hint})` : detail, latency)
      }), report),
    { concurrency: Math.max(1, opts.concurrency) }
  )
})
