import { parse as parseDotenv } from "dotenv"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { AuthStore, JsonObject } from "../domain/AuthStore.js"
import { agentModels, configEnvVars, decodeConfig, defaultAgentId, type OpenClawConfig, substituteEnvRefs } from "../domain/Config.js"
import {
  type CheckReport,
  DOCTOR_SCHEMA_VERSION,
  type DoctorInputs,
  type Loaded,
  type FixOutcome,
  mergeOutcomes,
  type PathMode,
  problemAndFix,
  type StoreLoad
} from "../domain/Doctor.js"
import { runChecks } from "../domain/DoctorChecks.js"
import { materializeConfig } from "../domain/ConfigRefs.js"
import { materializeStore } from "../domain/StoreRefs.js"
import { ignoredDotEnvLines } from "../domain/DotEnv.js"
import { assembleEnv } from "../domain/Env.js"
import { type Explained, FileShapeError } from "../domain/Errors.js"
import type { AgentPaths } from "../domain/Paths.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { Environment } from "../services/Environment.js"
import { Files } from "../services/Files.js"
import { HostProcess } from "../services/HostProcess.js"
import { Paths } from "../services/Paths.js"
import { ProfileStore } from "../services/ProfileStore.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { plainResidueValues } from "../domain/StoreRefs.js"
import { agentBeneath, configSecrets, storeSecrets } from "./AuthContext.js"
import { applyFixes, decide, insideOf } from "./DoctorFixes.js"
import { gatherSecrets } from "./DoctorSecrets.js"
import { legacyAuthPath, legacyOAuthPath } from "./LegacyImport.js"
import { ensureStateDir } from "./StateDir.js"

export interface DoctorOptions {
  readonly agent: string | undefined
  readonly fix: boolean
  /** Apply destructive fixes without asking. */
  readonly yes: boolean
  /** Never prompt: destructive fixes without `yes` are skipped. */
  readonly nonInteractive: boolean
  /** A line on stderr while secret refs resolve (a terminal, not --json). */
  readonly progress?: boolean
}

export interface DoctorReport {
  readonly schemaVersion: typeof DOCTOR_SCHEMA_VERSION
  readonly agentId: string | null
  readonly agentDir: string | null
  readonly configPath: string
  readonly checks: ReadonlyArray<CheckReport>
}

const failed = <A>(path: string, e: Explained): Loaded<A> => ({ _tag: "Failed", path, ...problemAndFix(e) })

const join = (dir: string, name: string) => `${dir.replace(/\/+$/, "")}/${name}`

/** Reads everything the checks look at. Never writes, never imports legacy files, never fails on a bad file. */
const gather = Effect.fn("Doctor.gather")(function* (requestedAgent: string | undefined, progress: boolean) {
  const paths = yield* Paths
  const files = yield* Files
  const host = yield* HostProcess
  const profiles = yield* ProfileStore
  const now = yield* Clock.currentTimeMillis

  const configDoc = yield* Effect.either((yield* ConfigStore).load)
  const configRaw: JsonObject = Either.isRight(configDoc) ? configDoc.right.raw : {}
  const envFileProblems: Array<{ path: string; problem: string; fix: string }> = []
  const envResult = yield* Effect.either((yield* Environment).load(configRaw))
  const env = Either.isRight(envResult)
    ? envResult.right.vars
    : assembleEnv([
        { source: { kind: "env" }, vars: host.vars },
        { source: { kind: "config" }, vars: configEnvVars(configRaw) }
      ])
  if (Either.isLeft(envResult)) envFileProblems.push({ path: envResult.left.path, ...problemAndFix(envResult.left) })

  const substituted = substituteEnvRefs(configRaw, (name) => env.get(name)?.value)
  const config: Loaded<OpenClawConfig> = Either.isLeft(configDoc)
    ? failed(paths.configPath, configDoc.left)
    : Either.match(decodeConfig(substituted.value), {
        onLeft: (problem) => failed<OpenClawConfig>(paths.configPath, new FileShapeError({ path: paths.configPath, detail: problem })),
        onRight: (value): Loaded<OpenClawConfig> => ({ _tag: "Loaded", path: paths.configPath, exists: configDoc.right.exists, value })
      })
  const decoded = config._tag === "Loaded" ? config.value : ({} as OpenClawConfig)
  // As every other command: what the config, the environment and the stores hold is scrubbed from all doctor prints
  // (a secret command's error can quote one), registered before anything is checked.
  const registry = yield* SecretRegistry
  yield* registry.register(configSecrets(env, Either.isRight(envResult) ? envResult.right.ignoredValues : [], decoded))
  yield* registry.register(substituted.substituted, "value")

  // With a config that loads, an unknown --agent is an error like everywhere else; without one, we report it.
  const agent: AgentPaths | undefined =
    config._tag === "Loaded"
      ? yield* paths.agent(decoded, requestedAgent)
      : Either.getOrUndefined(yield* Effect.either(paths.agent(decoded, requestedAgent)))

  // The stores as written, for the secret checks: refs are JSON objects at known paths (§9).
  const rawStores: Array<{ path: string; raw: JsonObject }> = []
  const loadStore = (path: string, inherited: boolean) =>
    Effect.gen(function* () {
      const r = yield* Effect.either(profiles.load(path))
      if (Either.isRight(r)) yield* registry.register([...storeSecrets(r.right.store), ...plainResidueValues(r.right.raw)])
      if (Either.isRight(r) && r.right.exists) rawStores.push({ path, raw: r.right.raw })
      return {
        inherited,
        load: Either.isRight(r)
          ? { _tag: "Loaded", path, exists: r.right.exists, value: r.right.store }
          : failed<AuthStore>(path, r.left)
      } satisfies StoreLoad
    })
  // Each store's own load, not the overlay: the checks report each file, and overlay them where they need to.
  const stores: Array<StoreLoad> = []
  if (agent !== undefined) {
    stores.push(yield* loadStore(agent.storePath, false))
    const beneath = Option.flatten(yield* Effect.option(agentBeneath(decoded, agent)))
    if (Option.isSome(beneath) && beneath.value.storePath !== agent.storePath) stores.push(yield* loadStore(beneath.value.storePath, true))
  }

  // What the daemon sees: <state>/.env and the config env block. Names with a value only; values go nowhere.
  const stateEnvText = yield* Effect.either(files.readText(paths.stateEnvPath))
  if (Either.isLeft(stateEnvText) && !envFileProblems.some((p) => p.path === paths.stateEnvPath)) {
    envFileProblems.push({ path: paths.stateEnvPath, ...problemAndFix(stateEnvText.left) })
  }
  const daemonEnvNames = new Set<string>()
  const stateEnv = Either.isRight(stateEnvText) ? Option.getOrElse(stateEnvText.right, () => "") : ""
  for (const [name, value] of Object.entries(parseDotenv(stateEnv))) if (value !== "") daemonEnvNames.add(name)
  const ignoredLines = ignoredDotEnvLines(stateEnv)
  const envFileIgnored = ignoredLines.length === 0 ? [] : [{ path: paths.stateEnvPath, lines: ignoredLines }]
  for (const [name, value] of Object.entries(configEnvVars(configRaw))) if (value !== "") daemonEnvNames.add(name)

  const { inputs: secrets, snapshot } = yield* gatherSecrets({
    config: Either.isRight(configDoc) && configDoc.right.exists ? { path: paths.configPath, raw: configRaw } : undefined,
    stores: rawStores,
    env,
    home: paths.home,
    progress
  })

  const statOf = (path: string) => Effect.map(Effect.either(files.stat(path)), (r) => (Either.isRight(r) ? Option.getOrUndefined(r.right) : undefined))
  const legacyCandidates = agent === undefined ? [] : [legacyAuthPath(agent), ...(agent.isDefault ? [legacyOAuthPath(paths)] : [])]
  const dirs = [paths.stateDir, ...(agent ? dirsBetween(paths.stateDir, agent.agentDir) : []), join(paths.stateDir, "credentials")]
  const fileList = [paths.configPath, paths.stateEnvPath, ...stores.map((s) => s.load.path), ...legacyCandidates]
  const modes: Array<PathMode> = []
  const legacyFiles: Array<string> = []
  const insideStateDir = yield* insideOf(paths.stateDir)
  for (const [path, kind] of [...dirs.map((d) => [d, "dir"] as const), ...fileList.map((f) => [f, "file"] as const)]) {
    if (modes.some((m) => m.path === path)) continue
    const info = yield* statOf(path)
    if (info === undefined || (kind === "dir" ? !info.isDirectory : !info.isFile)) continue
    const insideState = yield* insideStateDir(path)
    const refTarget = secrets.targets.has(path) || secrets.targets.has((yield* Effect.either(files.realPath(path))).pipe(Either.getOrElse(() => path)))
    modes.push({ path, kind, mode: info.mode, sticky: info.sticky, ownedByYou: info.ownedByYou, insideStateDir: insideState, refTarget })
    if (legacyCandidates.includes(path)) legacyFiles.push(path)
  }

  // `claude` on PATH, found the way a shell would, without running anything.
  let claudePath: string | undefined
  for (const dir of (host.vars.PATH ?? "").split(":")) {
    if (!dir.startsWith("/")) continue
    const info = yield* statOf(join(dir, "claude"))
    if (info?.isFile && (info.mode & 0o111) !== 0) {
      claudePath = join(dir, "claude")
      break
    }
  }

  // Ref-backed credentials as the snapshot resolved them (in memory only), so expiry, missing credentials and the
  // rest judge them as status and the gateway do; an unresolved one holds no secret, which makes it unusable.
  const resolvedStores = stores.map(
    (s): StoreLoad => (s.load._tag === "Loaded" ? { ...s, load: { ...s.load, value: materializeStore(s.load.value, snapshot) } } : s)
  )
  return {
    host: paths,
    agent,
    requestedAgent,
    config: config._tag === "Loaded" ? { ...config, value: materializeConfig(config.value, snapshot) } : config,
    models: agentModels(decoded, agent?.agentId ?? defaultAgentId(decoded)),
    stores: resolvedStores,
    env,
    daemonEnvNames,
    envFileProblems,
    envFileIgnored,
    modes,
    legacyFiles,
    claudePath,
    secrets,
    now
  } satisfies DoctorInputs
})

/** The directories from the state dir down to the agent dir, when the agent dir lives under it. */
const dirsBetween = (stateDir: string, agentDir: string): ReadonlyArray<string> => {
  const base = stateDir.replace(/\/+$/, "")
  if (!agentDir.startsWith(`${base}/`)) return [agentDir]
  const parts = agentDir.slice(base.length + 1).split("/").filter(Boolean)
  return parts.map((_, i) => `${base}/${parts.slice(0, i + 1).join("/")}`)
}

/** With --fix, a missing state directory is made (0700), so `cat >> <state>/.env` works next; said as a fixed entry. */
const createStateDir = (stateDir: string) =>
  Effect.map(ensureStateDir(stateDir), (created): ReadonlyArray<FixOutcome> =>
    created
      ? [
          {
            check: { id: "permissions", subject: stateDir, status: "warn", summary: `state directory ${stateDir} was missing`, remediation: null },
            applied: true,
            detail: `created ${stateDir} (0700)`
          }
        ]
      : []
  )

/** `openclaw doctor` (§6.3): check everything, and with `fix` repair what can be, then check again. */
export const doctor = Effect.fn("Doctor.run")(function* (options: DoctorOptions) {
  const before = yield* gather(options.agent, options.progress === true)
  const beforeChecks = runChecks(before)
  const report = (inputs: DoctorInputs, checks: ReadonlyArray<CheckReport>): DoctorReport => ({
    schemaVersion: DOCTOR_SCHEMA_VERSION,
    agentId: inputs.agent?.agentId ?? options.agent ?? null,
    agentDir: inputs.agent?.agentDir ?? null,
    configPath: inputs.host.configPath,
    checks
  })
  if (!options.fix) return report(before, beforeChecks.map(({ fix: _fix, ...c }) => c))
  const decisions = yield* decide(beforeChecks, options)
  const outcomes = [...(yield* createStateDir(before.host.stateDir)), ...(yield* applyFixes(before, decisions))]
  const after = yield* gather(options.agent, false)
  return report(after, mergeOutcomes(runChecks(after), outcomes))
})
