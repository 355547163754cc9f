import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type { JsonObject } from "../domain/AuthStore.js"
import { configEnvVars, configuredAgentIds, decodeConfig, type OpenClawConfig, substituteEnvRefs } from "../domain/Config.js"
import { commentedAssignments } from "../domain/DotEnv.js"
import { problemAndFix } from "../domain/Doctor.js"
import { assembleEnv, type EnvMap } from "../domain/Env.js"
import type { Explained } from "../domain/Errors.js"
import type { AgentPaths } from "../domain/Paths.js"
import { type AuditReport, auditReport } from "../domain/SecretAudit.js"
import { type AuditDocument, scanDocuments } from "../domain/SecretAuditScan.js"
import { decodeSecretsConfig } from "../domain/SecretProviders.js"
import { secretRefKey } from "../domain/SecretRef.js"
import { Environment } from "../services/Environment.js"
import { Files } from "../services/Files.js"
import { HostProcess } from "../services/HostProcess.js"
import { readJsonDocument } from "../services/JsonDocument.js"
import { Paths } from "../services/Paths.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { SecretResolver } from "../services/SecretResolver.js"
import { legacyAuthPath, legacyOAuthPath } from "./LegacyImport.js"

export interface SecretsAuditOptions {
  /** Run exec providers to check their refs (§9: audit does not, unless asked). */
  readonly allowExec: boolean
  /** A line on stderr while refs resolve (a terminal, not --json): an exec provider can take seconds. */
  readonly progress?: boolean
}

const join = (dir: string, name: string) => `${dir.replace(/\/+$/, "")}/${name}`

const unreadable = (path: string, what: string, e: Explained): AuditDocument => ({ kind: "unreadable", path, what, ...problemAndFix(e) })

/**
 * The agents' config, as far as the audit needs it (where each agent's store is). A config whose other parts do not
 * decode still names its agents: the audit reports secrets, not schema problems (doctor does).
 */
const agentsConfig = (substituted: unknown): OpenClawConfig => {
  const full = decodeConfig(substituted)
  if (Either.isRight(full)) return full.right
  const agents = Predicate.isRecord(substituted) ? substituted.agents : undefined
  return Either.getOrElse(decodeConfig({ agents }), () => ({}) as OpenClawConfig)
}

/**
 * `openclaw secrets audit` (§9): reads `openclaw.json`, every agent's `auth-profiles.json` (configured agents and any
 * agent dir under `<state>/agents` that holds a store), legacy `auth.json` / `credentials/oauth.json` and
 * `<state>/.env`; resolves the refs it found through the SecretResolver (exec only with `allowExec`). Read-only:
 * it writes nothing, imports nothing, and a file that does not parse is a finding.
 */
export const secretsAudit = Effect.fn("Secrets.audit")(function* (options: SecretsAuditOptions) {
  const paths = yield* Paths
  const files = yield* Files
  const host = yield* HostProcess
  const registry = yield* SecretRegistry
  const docs: Array<AuditDocument> = []

  const configDoc = yield* Effect.either(readJsonDocument(files, paths.configPath, "JSON5"))
  const configRaw: JsonObject = Either.isRight(configDoc) ? configDoc.right.raw : {}
  if (Either.isLeft(configDoc)) docs.push(unreadable(paths.configPath, "config", configDoc.left))
  else if (configDoc.right.exists) docs.push({ kind: "config", path: paths.configPath, raw: configRaw })

  const envResult = yield* Effect.either((yield* Environment).load(configRaw))
  const env: EnvMap = Either.isRight(envResult)
    ? envResult.right.vars
    : assembleEnv([
        { source: { kind: "env" }, vars: host.vars },
        { source: { kind: "config" }, vars: configEnvVars(configRaw) }
      ])
  const lookup = (name: string) => env.get(name)?.value
  const substituted = substituteEnvRefs(configRaw, lookup).value
  const config = agentsConfig(substituted)

  // Agent dirs: the configured agents (the default one where OPENCLAW_AGENT_DIR may put it), then any agent dir
  // under <state>/agents that holds a store — a store nobody configured still holds secrets.
  const agents: Array<AgentPaths> = []
  const add = (agent: AgentPaths) => {
    if (!agents.some((a) => a.agentDir === agent.agentDir)) agents.push(agent)
  }
  for (const id of [undefined, ...configuredAgentIds(config)]) {
    const agent = yield* Effect.option(paths.agent(config, id))
    if (Option.isSome(agent)) add(agent.value)
  }
  const agentsRoot = join(paths.stateDir, "agents")
  for (const name of Option.getOrElse(yield* Effect.option(files.list(agentsRoot)), () => [])) {
    const agentDir = join(join(agentsRoot, name), "agent")
    const storePath = join(agentDir, "auth-profiles.json")
    if (Option.isSome(yield* Effect.orElseSucceed(files.stat(storePath), Option.none))) add({ agentId: name, agentDir, storePath, isDefault: false })
  }

  const readJson = (path: string, kind: "store" | "legacy-auth" | "legacy-oauth", what: string) =>
    Effect.map(Effect.either(readJsonDocument(files, path, "JSON")), (r) => {
      if (Either.isLeft(r)) docs.push(unreadable(path, what, r.left))
      else if (r.right.exists) docs.push({ kind, path, raw: r.right.raw })
    })
  for (const agent of agents) yield* readJson(agent.storePath, "store", "credential store")
  for (const agent of agents) yield* readJson(legacyAuthPath(agent), "legacy-auth", "legacy auth.json")
  yield* readJson(legacyOAuthPath(paths), "legacy-oauth", "legacy credentials/oauth.json")

  const envText = yield* Effect.either(files.readText(paths.stateEnvPath))
  if (Either.isLeft(envText)) docs.push(unreadable(paths.stateEnvPath, "env file", envText.left))
  else if (Option.isSome(envText.right)) {
    // dotenv's parser, as the Environment reads the file (loaded only when there is one: it pulls node:crypto).
    const dotenv = yield* Effect.promise(() => import("dotenv"))
    const text = envText.right.value
    docs.push({ kind: "dotenv", path: paths.stateEnvPath, vars: (dotenv.parse ?? dotenv.default.parse)(text), commented: commentedAssignments(text) })
  }

  const secretsBlock = Predicate.isRecord(substituted) ? substituted.secrets : undefined
  const secretsConfig = decodeSecretsConfig(secretsBlock)
  const scan = scanDocuments(docs)
  // Whatever was met in plain text is scrubbed from every output, as a net under "never a value" (§9).
  yield* registry.register(scan.plainValues)
  const toResolve = scan.canResolve ? scan.refs.map((r) => r.ref) : []
  if (options.progress === true && toResolve.length > 0) {
    const n = new Set(toResolve.map(secretRefKey)).size
    yield* Console.error(`Resolving ${n} secret reference${n === 1 ? "" : "s"}…`)
  }
  const resolutions =
    toResolve.length > 0
      ? yield* (yield* SecretResolver).resolve({ refs: toResolve, config: secretsConfig, env: lookup, allowExec: options.allowExec })
      : new Map()
  yield* registry.register([...resolutions.values()].flatMap((r) => (r._tag === "Resolved" ? [r.value] : [])))
  return auditReport(scan, resolutions) satisfies AuditReport
})
