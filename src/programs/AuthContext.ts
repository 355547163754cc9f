import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { agentModels, decodeConfig, substituteEnvRefs, type AgentModels, type OpenClawConfig } from "../domain/Config.js"
import { FileShapeError } from "../domain/Errors.js"
import type { AgentPaths, HostPaths } from "../domain/Paths.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { Environment, type EnvSnapshot } from "../services/Environment.js"
import { Paths } from "../services/Paths.js"
import { ProfileStore, type StoreDocument } from "../services/ProfileStore.js"
import { overlayStore } from "../domain/AuthStore.js"
import { defaultAgentId } from "../domain/Config.js"
import { migrateLegacy } from "./LegacyImport.js"
import { credentialSecret } from "../domain/Credential.js"
import { isSecretVarName, SecretRegistry } from "../services/SecretRegistry.js"

/** Everything an auth decision for one agent depends on, loaded once per command or request. */
export interface AuthContext {
  readonly host: HostPaths
  readonly agent: AgentPaths
  readonly config: OpenClawConfig
  readonly configExists: boolean
  readonly models: AgentModels
  readonly env: EnvSnapshot
  readonly store: StoreDocument
  readonly missingConfigVars: ReadonlyArray<string>
  /** Values `${VAR}` put into the config (model ids, base URLs, headers): never shown, wherever they end up (§11). */
  readonly configValues: ReadonlyArray<string>
  /** Things the user should hear about that are not errors (legacy import). */
  readonly notices: ReadonlyArray<string>
  readonly now: number
}

/** The agent whose store lies underneath this one's (§3.1): the main agent, for a sub-agent; none for the main agent. */
export const agentBeneath = (config: OpenClawConfig, agent: AgentPaths) =>
  agent.isDefault
    ? Effect.succeedNone
    : Effect.asSome(Effect.flatMap(Paths, (paths) => paths.agent(config, defaultAgentId(config))))

/**
 * The store an agent sees: a sub-agent sees the main agent's profiles underneath its own (§3.1). The document is
 * its own store's (path, raw), so writes still go there.
 */
export const loadAgentStore = (config: OpenClawConfig, agent: AgentPaths) =>
  Effect.gen(function* () {
    const profiles = yield* ProfileStore
    const own = yield* profiles.load(agent.storePath)
    const beneath = yield* agentBeneath(config, agent)
    if (Option.isNone(beneath)) return own
    const main = yield* profiles.load(beneath.value.storePath)
    return { ...own, store: overlayStore(main.store, own.store) } satisfies StoreDocument
  })

export const loadAuthContext = Effect.fn("Auth.loadContext")(function* (requestedAgent: string | undefined) {
  const paths = yield* Paths
  const configDoc = yield* (yield* ConfigStore).load
  const env = yield* (yield* Environment).load(configDoc.raw)
  const substituted = substituteEnvRefs(configDoc.raw, (name) => env.vars.get(name)?.value)
  const config = yield* Either.mapLeft(decodeConfig(substituted.value), (problem) => new FileShapeError({ path: configDoc.path, detail: problem }))
  // Registered before anything can fail on user input (an unknown --agent is echoed back, for one).
  const secrets = yield* SecretRegistry
  yield* secrets.register([
    ...[...env.vars].filter(([name]) => isSecretVarName(name)).map(([, v]) => v.value),
    ...Object.values(config.models?.providers ?? {}).map((p) => p.apiKey),
    config.gateway?.auth?.token
  ])
  yield* secrets.register(substituted.substituted, "value")
  const agent = yield* paths.agent(config, requestedAgent)
  const legacy = yield* migrateLegacy(paths, agent)
  const store = yield* loadAgentStore(config, agent)
  const now = yield* Clock.currentTimeMillis
  // Store secrets too: everything secret this command has seen, so every printer can scrub it by value.
  yield* secrets.register(
    [...store.store.profiles.values()].flatMap((c) =>
      c.type === "oauth" ? [credentialSecret(c), c.refresh ? Redacted.value(c.refresh) : undefined] : [credentialSecret(c)]
    )
  )
  return {
    host: paths,
    agent,
    config,
    configExists: configDoc.exists,
    models: agentModels(config, agent.agentId),
    env,
    store,
    missingConfigVars: substituted.missing,
    configValues: substituted.substituted,
    notices: legacy.notices,
    now
  } satisfies AuthContext
})
