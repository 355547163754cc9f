import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { type AuthStore, profilesOf } from "./AuthStore.js"
import { type OpenClawConfig, secretText } from "./Config.js"
import { type Credential, credentialRef } from "./Credential.js"
import { type EnvMap, type EnvSource, formatEnvSource } from "./Env.js"
import { profileOrder, type ProfileOrder, whyUnusable } from "./Order.js"
import type { ProfileId } from "./ProfileId.js"
import { isLoopbackUrl, isTokenEnvVar, type ProviderId, providerInfo } from "./Provider.js"

/** Everything credential choice depends on, already loaded. */
export interface AuthInputs {
  readonly store: AuthStore
  readonly config: OpenClawConfig
  readonly env: EnvMap
  readonly now: number
}

export type Resolved =
  | { readonly kind: "profile"; readonly profileId: ProfileId; readonly credential: Credential }
  | { readonly kind: "env"; readonly name: string; readonly value: string; readonly source: EnvSource; readonly isToken: boolean }
  | { readonly kind: "config"; readonly value: string }
  /** A provider on a loopback base URL needs no key (§4.2). */
  | { readonly kind: "none" }

export type ResolveFailure =
  | { readonly kind: "pinned-unusable"; readonly profileId: ProfileId }
  | { readonly kind: "no-credential"; readonly provider: ProviderId }
  /** Profiles exist but every one is in cooldown or disabled; env keys are not a silent fallback (§5.3). */
  | { readonly kind: "all-unavailable"; readonly provider: ProviderId; readonly until: number }

/** The first provider-key variable that is set (§4.2: earlier names win). */
export const envKeyFor = (
  env: EnvMap,
  provider: ProviderId
): Option.Option<{ readonly name: string; readonly value: string; readonly source: EnvSource }> =>
  Option.flatMap(providerInfo(provider), (info) => {
    for (const name of info.envVars) {
      const found = env.get(name)
      if (found) return Option.some({ name, value: found.value, source: found.source })
    }
    return Option.none()
  })

const providerBaseUrl = (config: OpenClawConfig, provider: ProviderId): string | undefined =>
  config.models?.providers?.[provider]?.baseUrl ?? Option.getOrUndefined(providerInfo(provider))?.baseUrl

/** §5: pinned profile, then ordered profiles, then env, then `models.providers.<p>.apiKey`. */
export const resolveCredential = (
  inputs: AuthInputs,
  provider: ProviderId,
  pinned?: ProfileId
): Either.Either<Resolved, ResolveFailure> => {
  const { store, config, now } = inputs
  if (pinned !== undefined) {
    const credential = store.profiles.get(pinned)
    return credential === undefined || whyUnusable(config, provider, pinned, credential, now) !== undefined
      ? Either.left({ kind: "pinned-unusable", profileId: pinned })
      : Either.right({ kind: "profile", profileId: pinned, credential })
  }
  return resolveFromOrder(inputs, provider, profileOrder(store, config, provider, now))
}

/**
 * §5 after the pin: `order` is `profileOrder` of the same inputs and provider, for a caller that has it already
 * (`models status` shows it too: computing it twice was a fifth of the report's cost on a 20,000-profile store).
 */
export const resolveFromOrder = (inputs: AuthInputs, provider: ProviderId, order: ProfileOrder): Either.Either<Resolved, ResolveFailure> => {
  const { store, config, env } = inputs
  const cooling = new Set(order.unavailable.map((u) => u.profileId))
  const first = order.candidates.find((id) => !cooling.has(id))
  if (first !== undefined) return Either.right({ kind: "profile", profileId: first, credential: store.profiles.get(first)! })
  if (order.unavailable.length > 0) {
    return Either.left({ kind: "all-unavailable", provider, until: order.unavailable[0]!.until })
  }
  const fromEnv = envKeyFor(env, provider)
  if (Option.isSome(fromEnv)) return Either.right({ kind: "env", ...fromEnv.value, isToken: isTokenEnvVar(fromEnv.value.name) })
  const configured = secretText(config.models?.providers?.[provider]?.apiKey)
  if (configured !== undefined && configured.trim() !== "") return Either.right({ kind: "config", value: configured })
  const baseUrl = providerBaseUrl(config, provider)
  if (baseUrl !== undefined && isLoopbackUrl(baseUrl)) return Either.right({ kind: "none" })
  return Either.left({ kind: "no-credential", provider })
}

/** The command or file that gives a provider a credential (§5 step 5). */
export const missingCredentialFix = (provider: ProviderId, stateEnvPath: string): string => {
  const command =
    provider === "anthropic"
      ? "openclaw models auth paste-api-key --provider anthropic (or paste-token for a setup-token)"
      : `openclaw models auth paste-api-key --provider ${provider}`
  const envVar = Option.match(providerInfo(provider), {
    onNone: () => `${provider.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_API_KEY`,
    onSome: (p) => p.envVars.find((v) => !isTokenEnvVar(v)) ?? p.envVars[0]!
  })
  return `${command}, or set ${envVar} in ${stateEnvPath} for the gateway daemon`
}

/** What a resolved credential is, in words: `profile a:b`, `ANTHROPIC_API_KEY (env)`, … */
const describeResolved = (r: Resolved, provider: ProviderId): string => {
  switch (r.kind) {
    case "profile":
      return `profile ${r.profileId}`
    case "env":
      return `${r.name} (${formatEnvSource(r.source)})`
    case "config":
      return `models.providers.${provider}.apiKey`
    case "none":
      return "no key (loopback base URL)"
  }
}

export type Shadowing =
  /** An env key is set but a stored profile is used: the env key's account is not billed. */
  | { readonly kind: "env-hidden"; readonly envName: string; readonly envSource: EnvSource; readonly profileId: ProfileId }
  /** Profiles are stored but none is usable, so something else is used instead. */
  | { readonly kind: "profiles-passed-over"; readonly used: Resolved; readonly stored: ReadonlyArray<ProfileId> }

/** Beyond §5: when env keys and stored profiles compete for a provider, which changes who is billed. */
export const credentialShadowing = (
  inputs: Pick<AuthInputs, "store" | "env">,
  provider: ProviderId,
  resolved: Resolved
): Shadowing | undefined => {
  const envKey = Option.getOrUndefined(envKeyFor(inputs.env, provider))
  // A profile whose env ref reads that very variable bills the same account: no competition (§9).
  const ref = resolved.kind === "profile" ? credentialRef(resolved.credential) : undefined
  const sameVariable = ref !== undefined && ref.source === "env" && ref.id === envKey?.name
  if (envKey && resolved.kind === "profile" && !sameVariable) {
    return { kind: "env-hidden", envName: envKey.name, envSource: envKey.source, profileId: resolved.profileId }
  }
  const stored = profilesOf(inputs.store, provider).map(([id]) => id)
  return stored.length > 0 && resolved.kind !== "profile" ? { kind: "profiles-passed-over", used: resolved, stored } : undefined
}

export const describeShadowing = (provider: ProviderId, s: Shadowing): string =>
  s.kind === "env-hidden"
    ? `${provider}: ${s.envName} (${formatEnvSource(s.envSource)}) is set but profile ${s.profileId} is used; stored profiles beat environment variables, so the env key's account is not billed`
    : `${provider}: no stored profile is usable, so ${describeResolved(s.used, provider)} is used instead of ${s.stored.join(", ")}`
