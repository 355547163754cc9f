import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { JsonObject } from "../domain/AuthStore.js"
import { decodeConfig, defaultAgentId, substituteEnvRefs } from "../domain/Config.js"
import { FileShapeError } from "../domain/Errors.js"
import type { AgentPaths } from "../domain/Paths.js"
import { applyProviderChanges, configModeOf, editBatch, refsUsing, setConfigRef, setStoreRef } from "../domain/SecretsApplyEdits.js"
import { SecretsExecNotAllowedError, SecretsPlanError, SecretsUnresolvedError } from "../domain/SecretsApplyErrors.js"
import type { PlanTarget, SecretsPlan } from "../domain/SecretsPlan.js"
import { decodeSecretsConfig } from "../domain/SecretProviders.js"
import { secretRefKey, secretRefLabel } from "../domain/SecretRef.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { Environment, type EnvSnapshot } from "../services/Environment.js"
import type { RawDocument } from "../services/JsonDocument.js"
import { Paths } from "../services/Paths.js"
import { ProfileStore, type StoreDocument } from "../services/ProfileStore.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { SecretResolver } from "../services/SecretResolver.js"

/**
 * Everything `secrets apply` checks before it may write (§9): each target against the files it would change,
 * and every ref resolved. Reads only; a failure here means nothing was written.
 */

export interface TargetCheck {
  readonly target: PlanTarget
  /** The file the ref goes to. */
  readonly file: string
  /** `skipped`: an exec ref in a dry run without --allow-exec (OpenClaw's rule: a dry run runs no command). */
  readonly check: "resolved" | "skipped"
  readonly replacesPlain: boolean
}

export interface Preflight {
  readonly plan: SecretsPlan
  readonly configDoc: RawDocument
  readonly env: EnvSnapshot
  /** The stores the plan writes, by agent id, as they were read. */
  readonly stores: ReadonlyMap<string, { readonly agent: AgentPaths; readonly doc: StoreDocument }>
  /** Agent dirs whose legacy auth.json may hold a replaced value. */
  readonly legacyAgents: ReadonlyArray<AgentPaths>
  readonly checks: ReadonlyArray<TargetCheck>
  /** The plain secrets the refs replace: they are scrubbed wherever else they lie. */
  readonly replaced: ReadonlySet<string>
  readonly configChanges: boolean
}

/** Enough of the config to find agents' dirs: the rest may hold refs that an older schema would not read. */
export const agentsConfig = (raw: JsonObject, lookup: (name: string) => string | undefined) => {
  const agents = raw.agents === undefined ? {} : { agents: substituteEnvRefs(raw.agents, lookup).value }
  return decodeConfig(agents)
}

const execUses = (plan: SecretsPlan): ReadonlyArray<string> => [
  ...new Set([
    ...plan.providerUpserts.filter(([, p]) => p.source === "exec").map(([alias]) => `provider ${alias}`),
    ...plan.targets.filter((t) => t.ref.source === "exec").map((t) => secretRefLabel(t.ref))
  ])
]

export const preflightPlan = Effect.fn("Secrets.preflight")(function* (
  plan: SecretsPlan,
  options: { readonly source: string; readonly dryRun: boolean; readonly allowExec: boolean; readonly progress?: boolean }
) {
  const uses = execUses(plan)
  if (!options.dryRun && !options.allowExec && uses.length > 0) return yield* new SecretsExecNotAllowedError({ uses })
  const paths = yield* Paths
  const registry = yield* SecretRegistry
  const configDoc = yield* (yield* ConfigStore).load
  const env = yield* (yield* Environment).load(configDoc.raw)
  const lookup = (name: string) => env.vars.get(name)?.value
  const config = yield* Either.mapLeft(agentsConfig(configDoc.raw, lookup), (detail) => new FileShapeError({ path: configDoc.path, detail }))

  const problems: Array<string> = []
  const replaced = new Set<string>()
  const checks: Array<Omit<TargetCheck, "check">> = []
  let configRaw = applyProviderChanges(configDoc.raw, plan.providerUpserts, plan.providerDeletes)
  const stores = new Map<string, { agent: AgentPaths; doc: StoreDocument }>()
  const edited = new Map<string, JsonObject>()
  const batch = editBatch()
  for (const target of plan.targets) {
    if (target._tag === "config") {
      Either.match(setConfigRef(configRaw, target, batch), {
        onLeft: (problem) => problems.push(`${target.path}: ${problem}`),
        onRight: (e) => {
          configRaw = e.raw
          if (e.replaced !== undefined) replaced.add(e.replaced)
          checks.push({ target, file: configDoc.path, replacesPlain: e.replaced !== undefined })
        }
      })
      continue
    }
    let store = stores.get(target.agentId)
    if (store === undefined) {
      const agent = yield* Effect.either(paths.agent(config, target.agentId))
      if (Either.isLeft(agent)) {
        problems.push(`${target.path}: ${agent.left.problem}`)
        continue
      }
      store = { agent: agent.right, doc: yield* (yield* ProfileStore).load(agent.right.storePath) }
      stores.set(target.agentId, store)
    }
    if (configModeOf(configDoc.raw, target.profileId) === "oauth") {
      problems.push(`${target.path}: the config registers ${target.profileId} as oauth, which never takes a ref`)
      continue
    }
    Either.match(setStoreRef(edited.get(target.agentId) ?? store.doc.raw, target, batch), {
      onLeft: (problem) => problems.push(`${target.path} (agent ${target.agentId}): ${problem}`),
      onRight: (e) => {
        edited.set(target.agentId, e.raw)
        if (e.replaced !== undefined) replaced.add(e.replaced)
        checks.push({ target, file: store.agent.storePath, replacesPlain: e.replaced !== undefined })
      }
    })
  }
  // A provider the plan deletes must not be left named by a ref the plan does not move elsewhere.
  const deleted = new Set(plan.providerDeletes.filter((a) => !plan.providerUpserts.some(([u]) => u === a)))
  if (deleted.size > 0) {
    const stillUsed = [
      ...refsUsing(configRaw, deleted).map((path) => `${path} in ${configDoc.path}`),
      ...[...stores].flatMap(([agentId, s]) => refsUsing(edited.get(agentId) ?? s.doc.raw, deleted).map((path) => `${path} in ${s.agent.storePath}`))
    ]
    for (const use of stillUsed) problems.push(`providerDeletes: a ref at ${use} still uses a provider the plan deletes; map it to another provider in the same plan`)
  }
  if (problems.length > 0) return yield* new SecretsPlanError({ source: options.source, problems })
  yield* registry.register(replaced)

  // Refs resolve against the providers as they will be once the plan's upserts and deletes are in.
  const secretsBlock = substituteEnvRefs(applyProviderChanges(configDoc.raw, plan.providerUpserts, plan.providerDeletes).secrets, lookup)
  // An exec provider may take seconds: on a terminal, say what is going on (stderr, never in --json output).
  if (options.progress === true && plan.targets.length > 0) {
    const n = new Set(plan.targets.map((t) => secretRefKey(t.ref))).size
    yield* Console.error(`Resolving ${n} secret reference${n === 1 ? "" : "s"}…`)
  }
  const resolutions = yield* (yield* SecretResolver).resolve({
    refs: plan.targets.map((t) => t.ref),
    config: decodeSecretsConfig(secretsBlock.value),
    env: lookup,
    allowExec: options.allowExec
  })
  yield* registry.register([...resolutions.values()].flatMap((r) => (r._tag === "Resolved" ? [r.value] : [])))
  const unresolved: Array<string> = []
  const withChecks = checks.map((c): TargetCheck => {
    const r = resolutions.get(secretRefKey(c.target.ref))
    if (r?._tag === "Resolved") return { ...c, check: "resolved" }
    if (r?._tag === "NotRun" && options.dryRun && !options.allowExec) return { ...c, check: "skipped" }
    unresolved.push(`${c.target.path} (${secretRefLabel(c.target.ref)}): ${r?.reason ?? "it was not resolved"}`)
    return { ...c, check: "skipped" }
  })
  if (unresolved.length > 0) return yield* new SecretsUnresolvedError({ unresolved })

  // Legacy auth.json: the target agents', and the default agent's when a config value is replaced.
  const legacyAgents = new Map([...stores.values()].map((s) => [s.agent.agentDir, s.agent] as const))
  if (plan.targets.some((t) => t._tag === "config")) {
    const main = yield* Effect.option(paths.agent(config, defaultAgentId(config)))
    if (Option.isSome(main)) legacyAgents.set(main.value.agentDir, main.value)
  }
  return {
    plan,
    configDoc,
    env,
    stores,
    legacyAgents: [...legacyAgents.values()],
    checks: withChecks,
    replaced,
    configChanges: plan.providerUpserts.length > 0 || plan.providerDeletes.length > 0 || plan.targets.some((t) => t._tag === "config")
  } satisfies Preflight
})
