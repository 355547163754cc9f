import * as Either from "effect/Either"
import type { OpenClawConfig } from "./Config.js"
import { UsageError } from "./Errors.js"
import { ALIASES, normalizeProvider, PROVIDERS, type ProviderId } from "./Provider.js"

/** §4.2's providers, then those the config defines under `models.providers`. */
export const knownProviders = (config: OpenClawConfig): ReadonlyArray<string> => [
  ...PROVIDERS.map((p) => p.id),
  ...Object.keys(config.models?.providers ?? {}).filter((id) => !PROVIDERS.some((p) => p.id === id))
]

const editDistance = (a: string, b: string): number => {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length]!
}

/** The nearest known name (provider or alias, answered as the provider) within a typo's reach, if any. */
export const suggestProvider = (config: OpenClawConfig, raw: string): string | undefined => {
  const typed = raw.trim().toLowerCase()
  const names: ReadonlyArray<readonly [string, string]> = [
    ...knownProviders(config).map((id) => [id, id] as const),
    ...Object.entries(ALIASES)
  ]
  let best: { id: string; distance: number } | undefined
  for (const [name, id] of names) {
    const distance = editDistance(typed, name)
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (best === undefined || distance < best.distance)) best = { id, distance }
  }
  return best?.id
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
