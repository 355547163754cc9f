import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { InvalidSecretError } from "./AuthErrors.js"
import { modelAliases, type OpenClawConfig } from "./Config.js"
import { parseExpiresIn, SETUP_TOKEN_LIFETIME_MS } from "./Duration.js"
import { UsageError } from "./Errors.js"
import { type ProfileId, profileIdFromInput } from "./ProfileId.js"
import {
  isTokenEnvVar,
  primaryEnvVar,
  type ProviderId,
  providerInfo
} from "./Provider.js"
import { normalizeSecretInput, validateApiKey, validateToken } from "./SecretInput.js"
import { DEFAULT_ENV_PROVIDER, type SecretRef } from "./SecretRef.js"

/** `openclaw onboard` (§6.4): what the user asked for, and the pure checks of it, before anything is read or written. */

export type AuthChoice = "api-key" | "token"
export type SecretHome = "profiles" | "env"
export type SecretKind = "api_key" | "token"
/** §9: the secret itself into the store, or a SecretRef to the provider's environment variable. */
export type SecretInputMode = "plaintext" | "ref"

/** The flags of `openclaw onboard` (§6.4); in the wizard they pre-answer the questions they cover. */
export interface OnboardOptions {
  readonly nonInteractive: boolean
  readonly authChoice: AuthChoice | undefined
  readonly provider: string | undefined
  readonly apiKey: Redacted.Redacted<string> | undefined
  readonly token: Redacted.Redacted<string> | undefined
  readonly tokenExpiresIn: string | undefined
  readonly profileId: string | undefined
  readonly store: SecretHome | undefined
  readonly secretInputMode?: SecretInputMode | undefined
  readonly model: string | undefined
  readonly agent: string | undefined
}

/** Everything decided, by flags or by the wizard; nothing has been written yet. */
export interface OnboardPlan {
  readonly provider: ProviderId
  readonly kind: SecretKind
  /** The secret (with `ref`: what the ref resolved to at preflight, for checks only — the ref is what is stored). */
  readonly secret: Redacted.Redacted<string>
  readonly ref?: SecretRef | undefined
  readonly lifetimeMs: number | undefined
  readonly home:
    | { readonly _tag: "profiles"; readonly profileId: ProfileId }
    | { readonly _tag: "env"; readonly envVar: string }
  readonly model: string | undefined
}

export const usage = (problem: string, fix: string) => new UsageError({ problem, fix })

export const KIND_FLAG: Readonly<Record<SecretKind, string>> = { api_key: "--api-key", token: "--token" }

export { checkProvider, knownProviders } from "./ProviderCheck.js"

/** Variables that may carry this kind of secret for the provider (§4.2), earlier names first. */
export const envVarsFor = (provider: ProviderId, kind: SecretKind): ReadonlyArray<string> => {
  const names = Option.match(providerInfo(provider), {
    onNone: () => [primaryEnvVar(provider)],
    onSome: (p) => p.envVars
  })
  return names.filter((name) => (kind === "token") === isTokenEnvVar(name))
}

/** Where the daemon's `.env` keeps this kind of secret: the token variable for tokens when there is one. */
export const envVarFor = (provider: ProviderId, kind: SecretKind): string =>
  (kind === "token" ? envVarsFor(provider, "token")[0] : undefined) ?? primaryEnvVar(provider)

/** `provider/model`, a configured alias, or a bare id (which means anthropic, as elsewhere). */
export const checkModelRef = (raw: string, config: OpenClawConfig): Either.Either<string, string> => {
  const ref = raw.trim()
  if (ref === "") return Either.left("the model id is empty")
  if (/\s/.test(ref)) return Either.left(`"${ref}" contains whitespace`)
  if (modelAliases(config).has(ref.toLowerCase())) return Either.right(ref)
  const slash = ref.indexOf("/")
  if (slash === 0 || slash === ref.length - 1) return Either.left(`"${ref}" is not <provider>/<model>`)
  return Either.right(ref)
}

/**
 * The model as it goes into the config: a bare id (`gpt-4o`) means the provider just set up, not anthropic, which
 * is what a bare id resolves to everywhere else (so `--check` would fail on a provider without a credential).
 * Aliases and `provider/model` stay as typed.
 */
export const qualifyModel = (model: string, provider: ProviderId, config: OpenClawConfig): string => {
  const ref = model.trim()
  return ref.includes("/") || modelAliases(config).has(ref.toLowerCase()) ? ref : `${provider}/${ref}`
}

export const validateSecret = (kind: SecretKind, provider: ProviderId, raw: string) =>
  Either.match((kind === "token" ? validateToken : validateApiKey)(provider, normalizeSecretInput(raw)), {
    onLeft: (problem) => Either.left(new InvalidSecretError({ kind: kind === "token" ? "token" : "API key", detail: problem })),
    onRight: (s) => Either.right(Redacted.make(s))
  })

/** `--token-expires-in`, else a year for Anthropic setup-tokens (so `status --check` warns in time), else none. */
export const tokenLifetime = (
  provider: ProviderId,
  raw: string | undefined
): Either.Either<number | undefined, UsageError> =>
  raw === undefined
    ? Either.right(provider === "anthropic" ? SETUP_TOKEN_LIFETIME_MS : undefined)
    : Either.mapLeft(parseExpiresIn(raw), (problem) =>
        usage(`--token-expires-in ${problem}`, "for example --token-expires-in 365d")
      )

/** Flag combinations that cannot mean anything, refused before anything is read or asked. */
export const checkFlags = (o: OnboardOptions): Either.Either<void, UsageError> => {
  const expiry = o.tokenExpiresIn === undefined ? Either.right(0) : parseExpiresIn(o.tokenExpiresIn)
  const rules: ReadonlyArray<readonly [broken: boolean, problem: string, fix: string]> = [
    [
      o.apiKey !== undefined && o.token !== undefined,
      "--api-key and --token cannot be used together",
      "pass only the one that matches --auth-choice"
    ],
    [
      o.apiKey !== undefined && o.authChoice === "token",
      "--api-key cannot be used with --auth-choice token",
      "pass the token with --token, or use --auth-choice api-key"
    ],
    [
      o.token !== undefined && o.authChoice === "api-key",
      "--token cannot be used with --auth-choice api-key",
      "pass the key with --api-key, or use --auth-choice token"
    ],
    [
      o.tokenExpiresIn !== undefined && (o.authChoice === "api-key" || o.apiKey !== undefined),
      "--token-expires-in only applies to tokens (API keys do not expire)",
      "drop --token-expires-in, or use --auth-choice token"
    ],
    [
      o.secretInputMode === "ref" && (o.apiKey !== undefined || o.token !== undefined),
      `--secret-input-mode ref stores a reference to the provider's environment variable, so it takes no ${o.apiKey !== undefined ? "--api-key" : "--token"}`,
      "export the provider's variable (e.g. OPENAI_API_KEY) and drop the flag, or use --secret-input-mode plaintext"
    ],
    [
      o.secretInputMode === "ref" && o.store === "env",
      "--secret-input-mode ref stores a profile holding a reference, so it cannot be used with --store env",
      "drop --store env (the secret already lives in the environment), or use --secret-input-mode plaintext"
    ],
    [
      o.store === "env" && o.profileId !== undefined,
      "--profile-id names a stored profile, so it cannot be used with --store env",
      "drop --profile-id, or use --store profiles"
    ],
    [
      Either.isLeft(expiry),
      `--token-expires-in ${Either.isLeft(expiry) ? expiry.left : ""}`,
      "for example --token-expires-in 365d"
    ],
    [
      o.store === "env" && o.tokenExpiresIn !== undefined,
      "--token-expires-in cannot be used with --store env (a .env variable has no expiry)",
      "use --store profiles to have the expiry tracked"
    ]
  ]
  const rule = rules.find(([broken]) => broken)
  return rule === undefined ? Either.right(undefined) : Either.left(usage(rule[1], rule[2]))
}

export const modelFlag = (raw: string, config: OpenClawConfig) =>
  Either.mapLeft(checkModelRef(raw, config), (problem) =>
    usage(`--model ${problem}`, "pass --model <provider>/<model>, e.g. --model anthropic/claude-sonnet-4-5")
  )

/** The profile id defaults as paste-api-key / paste-token have them: `<p>:default` for keys, `<p>:manual` for tokens. */
export const homeFor = (
  home: SecretHome,
  provider: ProviderId,
  kind: SecretKind,
  profileId: string | undefined
): OnboardPlan["home"] =>
  home === "env"
    ? { _tag: "env", envVar: envVarFor(provider, kind) }
    : { _tag: "profiles", profileId: profileIdFromInput(provider, profileId ?? (kind === "token" ? "manual" : "default")) }

/** The ref `--secret-input-mode ref` stores (§9): the provider's variable for this kind of secret, default env provider. */
export const envRefFor = (provider: ProviderId, kind: SecretKind): SecretRef => ({
  source: "env",
  provider: DEFAULT_ENV_PROVIDER,
  id: envVarFor(provider, kind)
})
