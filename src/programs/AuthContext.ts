import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { agentModels, decodeConfig, secretText, substituteEnvRefs, type AgentModels, type OpenClawConfig } from "../domain/Config.js"
import { type ConfigRefProblem, configRefs, materializeConfig } from "../domain/ConfigRefs.js"
import { decodeSecretsConfig } from "../domain/SecretProviders.js"
import { emptySecretSnapshot, type SecretSnapshot } from "../domain/SecretResolution.js"
import { materializeStore, plainResidueValues, storeRefs } from "../domain/StoreRefs.js"
import { SecretResolver } from "../services/SecretResolver.js"
import { withExecProgress } from "./SecretProgress.js"
import { FileShapeError, UsageError } from "../domain/Errors.js"
import type { AgentPaths, HostPaths } from "../domain/Paths.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { Environment, type EnvSnapshot } from "../services/Environment.js"
import { Paths } from "../services/Paths.js"
import { ProfileStore, type StoreDocument } from "../services/ProfileStore.js"
import { holdsProfile, overlayStore } from "../domain/AuthStore.js"
import { defaultAgentId } from "../domain/Config.js"
import { profileIdFromInput, profileIdProblem } from "../domain/ProfileId.js"
import type { ProviderId } from "../domain/Provider.js"
import { checkProvider } from "../domain/ProviderCheck.js"
import { migrateLegacy } from "./LegacyImport.js"
import { credentialSecret } from "../domain/Credential.js"
import { isSecretVarName, SecretRegistry } from "../services/SecretRegistry.js"

/** Everything an auth decision for one agent depends on, loaded once per command or request. */
export interface AuthContext {
  readonly host: HostPaths
  readonly agent: AgentPaths
  /** As decoded, with the SecretRefs the snapshot resolved put in (in memory only: domain/ConfigRefs). */
  readonly config: OpenClawConfig
  readonly configExists: boolean
  readonly models: AgentModels
  readonly env: EnvSnapshot
  /** The agent's store; ref-backed credentials hold what `secrets` resolved them to (domain/StoreRefs). */
  readonly store: StoreDocument
  /** Every SecretRef of config and store, and what each resolved to: resolved once, when this context was built (§9). */
  readonly secrets: SecretSnapshot
  /** Config fields holding something meant as a SecretRef that is not a valid one, with why (they count as not set). */
  readonly configRefProblems: ReadonlyArray<ConfigRefProblem>
  readonly missingConfigVars: ReadonlyArray<string>
  /** Values `${VAR}` put into the config (model ids, base URLs, headers): never shown, wherever they end up (§11). */
  readonly configValues: ReadonlyArray<string>
  /** Things the user should hear about that are not errors (legacy import). */
  readonly notices: ReadonlyArray<string>
  readonly now: number
}

/** `--profile-id` as the profile id for `provider`, or why it cannot be one; checked before any secret is asked for. */
export const checkedProfileId = (provider: ProviderId, input: string) => {
  const problem = profileIdProblem(provider, input)
  return problem === undefined ? Effect.succeed(profileIdFromInput(provider, input)) : Effect.fail(new UsageError(problem))
}

/** `--provider` as typed, checked against §4.2, the aliases and this config's `models.providers` (did-you-mean on a typo). */
export const checkedProvider = (ctx: AuthContext, raw: string) => checkProvider(ctx.config, ctx.host.configPath, raw)

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
  yield* secrets.register(configSecrets(env.vars, env.ignoredValues, config))
  yield* secrets.register(substituted.substituted, "value")
  const agent = yield* paths.agent(config, requestedAgent)
  const legacy = yield* migrateLegacy(paths, agent)
  const loaded = yield* loadAgentStore(config, agent)
  const resolvedRefs = yield* resolveRefs(configDoc.path, config, agent, loaded, env)
  const store = materializedDocument(loaded, resolvedRefs.snapshot)
  const now = yield* Clock.currentTimeMillis
  // Store secrets too (resolved refs among them, and plain values a ref left behind): everything secret this
  // command has seen, so every printer can scrub it by value.
  yield* secrets.register(storeSecrets(store.store))
  yield* secrets.register(plainResidueValues(loaded.raw))
  const resolvedConfig = materializeConfig(config, resolvedRefs.snapshot)
  return {
    host: paths,
    agent,
    config: resolvedConfig,
    configExists: configDoc.exists,
    models: agentModels(resolvedConfig, agent.agentId),
    env,
    store,
    secrets: resolvedRefs.snapshot,
    configRefProblems: resolvedRefs.problems,
    missingConfigVars: substituted.missing,
    configValues: substituted.substituted,
    notices: legacy.notices,
    now
  } satisfies AuthContext
})

/**
 * The secrets of the environment (variables named like one, and `.env` values refused for their name) and of the
 * config (provider keys, the gateway token): every command that reads them registers them before it prints.
 */
export const configSecrets = (
  vars: EnvSnapshot["vars"],
  ignoredValues: ReadonlyArray<string>,
  config: OpenClawConfig
): Array<string | undefined> => [
  ...[...vars].filter(([name]) => isSecretVarName(name)).map(([, v]) => v.value),
  ...ignoredValues,
  ...Object.values(config.models?.providers ?? {}).map((p) => secretText(p.apiKey)),
  secretText(config.gateway?.auth?.token)
]

/** Every credential's secret in a store, OAuth refresh tokens too, in one array (no array per profile: there may be 20,000). */
export const storeSecrets = (store: StoreDocument["store"]): Array<string | undefined> => {
  const out: Array<string | undefined> = []
  for (const c of store.profiles.values()) {
    out.push(credentialSecret(c))
    if (c.type === "oauth" && c.refresh) out.push(Redacted.value(c.refresh))
  }
  return out
}

/**
 * Every SecretRef of the config and of the agent's store (its own and the main store beneath), resolved once in one
 * request (one batch per provider; exec allowed: this is a snapshot build, §9). Each resolved value joins the
 * registry before anything else can print.
 */
const resolveRefs = Effect.fn("Auth.resolveRefs")(function* (
  configPath: string,
  config: OpenClawConfig,
  agent: AgentPaths,
  store: StoreDocument,
  env: EnvSnapshot
) {
  const beneath = yield* agentBeneath(config, agent)
  const mainPath = Option.match(beneath, { onNone: () => agent.storePath, onSome: (a) => a.storePath })
  const fromConfig = configRefs(config, configPath)
  const refs = [...fromConfig.refs, ...storeRefs(store.store, (id) => (holdsProfile(store.raw, id) ? agent.storePath : mainPath))]
  if (refs.length === 0) return { snapshot: emptySecretSnapshot, problems: fromConfig.problems }
  const secretsConfig = decodeSecretsConfig(config.secrets)
  const request = { refs: refs.map((r) => r.ref), config: secretsConfig, env: (name: string) => env.vars.get(name)?.value, allowExec: true }
  const resolutions = yield* withExecProgress(secretsConfig, request.refs, (yield* SecretResolver).resolve(request))
  yield* (yield* SecretRegistry).register([...resolutions.values()].flatMap((r) => (r._tag === "Resolved" ? [r.value] : [])))
  return { snapshot: { refs, resolutions } satisfies SecretSnapshot, problems: fromConfig.problems }
})

/** The document with its ref-backed credentials as `snapshot` resolved them (memory only; writes go through `raw`). */
export const materializedDocument = (doc: StoreDocument, snapshot: SecretSnapshot): StoreDocument => {
  const store = materializeStore(doc.store, snapshot)
  return store === doc.store ? doc : { ...doc, store }
}
