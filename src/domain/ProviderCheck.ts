import * as Either from "effect/Either"
import type { OpenClawConfig } from "./Config.js"
import { UsageError } from "./Errors.js"
import { nearest } from "./Nearest.js"
import { ALIASES, normalizeProvider, PROVIDERS, type ProviderId } from "./Provider.js"

/** §4.2's providers, then those the config defines under `models.providers`. */
export const knownProviders = (config: OpenClawConfig): ReadonlyArray<string> => [
  ...PROVIDERS.map((p) => p.id),
  ...Object.keys(config.models?.providers ?? {}).filter((id) => !PROVIDERS.some((p) => p.id === id))
]

/** The nearest known name (provider or alias, answered as the provider) within a typo's reach, if any. */
export const suggestProvider = (config: OpenClawConfig, raw: string): string | undefined => {
  const typed = raw.trim().toLowerCase()
  const names: ReadonlyArray<readonly [string, string]> = [
    ...knownProviders(config).map((id) => [id, id] as const),
    ...Object.entries(ALIASES)
  ]
  const name = nearest(typed, names.map(([n]) => n))
  return name === undefined ? undefined : names.find(([n]) => n === name)![1]
}

/**
 * `--provider` (§6 "Command-line manners"): a provider of §4.2, an alias, or one the config defines under
 * `models.providers`. A typo must not silently become a profile (`antropic:default`) or an empty answer.
 */
export const checkProvider = (config: OpenClawConfig, configPath: string, raw: string): Either.Either<ProviderId, UsageError> => {
  const provider = normalizeProvider(raw)
  if (knownProviders(config).includes(provider)) return Either.right(provider)
  const suggestion = suggestProvider(config, raw)
  return Either.left(
    new UsageError({
      problem: `unknown provider "${raw}"` + (suggestion === undefined ? "" : ` (did you mean ${suggestion}?)`),
      fix:
        (suggestion === undefined ? "pass --provider with one of " : `pass --provider ${suggestion}; the known providers are `) +
        `${knownProviders(config).join(", ")} (or define models.providers.${provider} in ${configPath})`
    })
  )
}
