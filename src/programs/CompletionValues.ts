import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { configuredAgentIds, decodeConfig, type OpenClawConfig } from "../domain/Config.js"
import { knownProviders } from "../domain/ProviderCheck.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { Paths } from "../services/Paths.js"
import { loadAgentStore } from "./AuthContext.js"

export type ValueSource = "providers" | "profiles" | "agents"

/**
 * Only names a shell can take back verbatim: a candidate is inserted into the user's command line as it is, so a
 * hostile store's profile id must not smuggle `;`, `$(…)`, quotes or control characters there.
 */
const INSERTABLE = /^[A-Za-z0-9._:@+/-]+$/

/** The config as written, or an empty one: completion reads, never fails and never resolves a SecretRef. */
const readConfig = Effect.gen(function* () {
  const doc = yield* (yield* ConfigStore).load
  return Either.getOrElse(decodeConfig(doc.raw), (): OpenClawConfig => ({}) as OpenClawConfig)
})

const valuesOf = (source: ValueSource, agent: string | undefined) =>
  Effect.gen(function* () {
    const config = yield* readConfig
    switch (source) {
      case "providers":
        return knownProviders(config)
      case "agents":
        return configuredAgentIds(config)
      case "profiles": {
        const paths = yield* (yield* Paths).agent(config, agent)
        const doc = yield* loadAgentStore(config, paths)
        return [...doc.store.profiles.keys()]
      }
    }
  })

/**
 * Candidate values for `openclaw __complete` (§6 "Command-line manners"): provider ids (known and configured),
 * the agent's profile ids, agent ids. Reads config and store only — no env, no secrets, no writes — and answers
 * nothing rather than fail, so a broken file never breaks the user's <TAB>.
 */
export const completionValues = (source: ValueSource, agent: string | undefined) =>
  valuesOf(source, agent).pipe(
    Effect.map((values) => [...new Set(values)].filter((v) => INSERTABLE.test(v))),
    Effect.catchAllCause(() => Effect.succeed([] as ReadonlyArray<string>))
  )
