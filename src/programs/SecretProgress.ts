import * as Effect from "effect/Effect"
import { execProvidersOf, type SecretsConfig } from "../domain/SecretProviders.js"
import type { SecretRef } from "../domain/SecretRef.js"
import { Progress } from "../services/Progress.js"

/**
 * Runs `resolve` under a progress line naming the exec providers it will run (commands may take seconds: a vault
 * unlocking, a network call). Drawn once, not animated: such a command may ask for a passphrase on the terminal.
 */
export const withExecProgress = <A, E, R>(config: SecretsConfig, refs: ReadonlyArray<SecretRef>, resolve: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Progress, (progress) => {
    const aliases = execProvidersOf(config, refs)
    if (aliases.length === 0) return resolve
    const names = aliases.map((a) => `"${a}"`).join(", ")
    return progress.during(`Resolving secrets with exec provider${aliases.length === 1 ? "" : "s"} ${names}…`, resolve, { still: true })
  })
