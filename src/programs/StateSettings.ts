import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import { decodeConfig, substituteEnvRefs } from "../domain/Config.js"
import { configRefs, materializeConfig } from "../domain/ConfigRefs.js"
import { UsageError } from "../domain/Errors.js"
import { decodeSecretsConfig } from "../domain/SecretProviders.js"
import { decodeStateSettings, type StateSettings } from "../domain/StateSettings.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { Environment } from "../services/Environment.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { SecretResolver } from "../services/SecretResolver.js"

/**
 * `gateway.state` (§10) as an edge chooses its state layers by it: `${VAR}` from the assembled environment (§4.1)
 * and a SecretRef resolved as every other config ref is (§9). Only that one field's ref is resolved. The URL (it may
 * hold a password) joins the secret registry.
 */
export const loadStateSettings = Effect.fn("State.settings")(function* () {
  const configDoc = yield* (yield* ConfigStore).load
  // Most hosts have no gateway.state: then the environment is not assembled a second time for a command.
  const gateway = configDoc.raw.gateway
  if (!Predicate.isRecord(gateway) || gateway.state === undefined) return { backend: "file" } satisfies StateSettings as StateSettings
  const env = yield* (yield* Environment).load(configDoc.raw)
  const substituted = substituteEnvRefs(configDoc.raw, (name) => env.vars.get(name)?.value)
  const invalid = (detail: string) =>
    new UsageError({ problem: `${detail} (in ${configDoc.path})`, fix: "fix gateway.state in the config, or remove it to keep the state in this host's files" })
  const decoded = decodeConfig(substituted.value)
  // A config that does not decode is reported by the command itself, with its own message.
  if (Either.isLeft(decoded)) return { backend: "file" } satisfies StateSettings as StateSettings
  let config = decoded.right
  if (config.gateway?.state === undefined) return { backend: "file" } satisfies StateSettings as StateSettings
  const refs = configRefs(config, configDoc.path).refs.filter((r) => r.path === "gateway.state.url")
  if (refs.length > 0) {
    const resolutions = yield* (yield* SecretResolver).resolve({
      refs: refs.map((r) => r.ref),
      config: decodeSecretsConfig(config.secrets),
      env: (name) => env.vars.get(name)?.value,
      allowExec: true
    })
    yield* (yield* SecretRegistry).register([...resolutions.values()].flatMap((r) => (r._tag === "Resolved" ? [r.value] : [])))
    config = materializeConfig(config, { refs, resolutions })
  }
  const settings = yield* Either.mapLeft(decodeStateSettings(config.gateway?.state), invalid)
  if (settings.backend === "redis") yield* (yield* SecretRegistry).register([passwordOf(settings.url)])
  return settings
})

const passwordOf = (url: string): string | undefined => {
  try {
    const password = decodeURIComponent(new URL(url).password)
    return password === "" ? undefined : password
  } catch {
    return undefined
  }
}
