import { parse as parseDotenv } from "dotenv"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { decodeAuthStore, holdsProfile, removeProfile, setUsageStats, type AuthStore, type JsonObject } from "../domain/AuthStore.js"
import { agentModels, configEnvVars, decodeConfig, defaultAgentId, type OpenClawConfig, substituteEnvRefs } from "../domain/Config.js"
import { configReferences, unregisterProfile } from "../domain/ConfigEdits.js"
import {
  type Check,
  chmodRefusal,
  clearStaleCooldown,
  confirmMessage,
  type CheckReport,
  describeFix,
  DOCTOR_SCHEMA_VERSION,
  type DoctorInputs,
  type Fix,
  type FixOutcome,
  hasStaleCooldown,
  isDestructive,
  type Loaded,
  mergeOutcomes,
  type PathMode,
  problemAndFix,
  setConfigProfileMode,
  type StoreLoad
} from "../domain/Doctor.js"
import { runChecks } from "../domain/DoctorChecks.js"
import { assembleEnv } from "../domain/Env.js"
import { type Explained, FileShapeError, messageOf } from "../domain/Errors.js"
import type { AgentPaths } from "../domain/Paths.js"
import { ProfileId } from "../domain/ProfileId.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { Environment } from "../services/Environment.js"
import { Files } from "../services/Files.js"
import { HostProcess } from "../services/HostProcess.js"
import { Paths } from "../services/Paths.js"
import { ProfileStore, type StoreDocument } from "../services/ProfileStore.js"
import { Prompter } from "../services/Prompter.js"
import { agentBeneath } from "./AuthContext.js"
import { legacyAuthPath, legacyOAuthPath, migrateLegacy } from "./LegacyImport.js"

export interface DoctorOptions {
  readonly agent: string | undefined
  readonly fix: boolean
  /** Apply destructive fixes without asking. */
  readonly yes: boolean
  /** Never prompt: destructive fixes without `yes` are skipped. */
  readonly nonInteractive: boolean
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
const gather = Effect.fn("Doctor.gather")(function* (requestedAgent: string | undefined) {
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

  const config: Loaded<OpenClawConfig> = Either.isLeft(configDoc)
    ? failed(paths.configPath, configDoc.left)
    : Either.match(decodeConfig(substituteEnvRefs(configRaw, (name) => env.get(name)?.value).value), {
        onLeft: (problem) => failed<OpenClawConfig>(paths.configPath, new FileShapeError({ path: paths.configPath, detail: problem })),
        onRight: (value): Loaded<OpenClawConfig> => ({ _tag: "Loaded", path: paths.configPath, exists: configDoc.right.exists, value })
      })
  const decoded = config._tag === "Loaded" ? config.value : ({} as OpenClawConfig)

  // With a config that loads, an unknown --agent is an error like everywhere else; without one, we report it.
  const agent: AgentPaths | undefined =
    config._tag === "Loaded"
      ? yield* paths.agent(decoded, requestedAgent)
      : Either.getOrUndefined(yield* Effect.either(paths.agent(decoded, requestedAgent)))

  const loadStore = (path: string, inherited: boolean) =>
    Effect.map(Effect.either(profiles.load(path)), (r): StoreLoad => ({
      inherited,
      load: Either.isRight(r)
        ? { _tag: "Loaded", path, exists: r.right.exists, value: r.right.store }
        : failed<AuthStore>(path, r.left)
    }))
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
  for (const [name, value] of Object.entries(configEnvVars(configRaw))) if (value !== "") daemonEnvNames.add(name)

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
    modes.push({ path, kind, mode: info.mode, sticky: info.sticky, ownedByYou: info.ownedByYou, insideStateDir: yield* insideStateDir(path) })
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

  return {
    host: paths,
    agent,
    requestedAgent,
    config,
    models: agentModels(decoded, agent?.agentId ?? defaultAgentId(decoded)),
    stores,
    env,
    daemonEnvNames,
    envFileProblems,
    modes,
    legacyFiles,
    claudePath,
    now
  } satisfies DoctorInputs
})

/** Whether a path really (symlinks resolved) is the state dir or lies under it; unresolvable → no. */
const insideOf = Effect.fn("Doctor.insideOf")(function* (stateDir: string) {
  const files = yield* Files
  const realState = yield* Effect.either(files.realPath(stateDir))
  return (path: string) =>
    Effect.map(Effect.either(files.realPath(path)), (real) =>
      Either.isRight(realState) && Either.isRight(real)
        ? real.right === realState.right || real.right.startsWith(`${realState.right.replace(/\/+$/, "")}/`)
        : false
    )
})

/** The directories from the state dir down to the agent dir, when the agent dir lives under it. */
const dirsBetween = (stateDir: string, agentDir: string): ReadonlyArray<string> => {
  const base = stateDir.replace(/\/+$/, "")
  if (!agentDir.startsWith(`${base}/`)) return [agentDir]
  const parts = agentDir.slice(base.length + 1).split("/").filter(Boolean)
  return parts.map((_, i) => `${base}/${parts.slice(0, i + 1).join("/")}`)
}

type Decision = { readonly check: Check; readonly approved: boolean; readonly detail?: string }

/** Safe fixes are approved; a destructive one needs `--yes` or a "yes" at the prompt. */
const decide = Effect.fn("Doctor.decide")(function* (checks: ReadonlyArray<Check>, options: DoctorOptions) {
  const prompter = yield* Prompter
  const decisions: Array<Decision> = []
  let cancelled = false
  for (const check of checks) {
    if (check.fix === undefined) continue
    if (!isDestructive(check.fix) || options.yes) {
      decisions.push({ check, approved: true })
    } else if (options.nonInteractive || !prompter.interactive) {
      const why = options.nonInteractive ? "--non-interactive" : "no terminal to ask on"
      decisions.push({ check, approved: false, detail: `skipped: needs confirmation (${why}); rerun with --fix --yes to apply` })
    } else if (cancelled) {
      decisions.push({ check, approved: false, detail: "skipped: cancelled" })
    } else {
      const answer = yield* Effect.either(prompter.confirm(confirmMessage(check.fix), false))
      cancelled = Either.isLeft(answer)
      const approved = Either.getOrElse(answer, () => false)
      decisions.push(approved ? { check, approved } : { check, approved, detail: cancelled ? "skipped: cancelled" : "skipped: you declined" })
    }
  }
  return decisions
})

type FixOf<K extends Fix["kind"]> = Extract<Fix, { readonly kind: K }>
type StoreFix = FixOf<"remove-profile" | "clear-stale-cooldown">

/** An approved check with its fix, typed by the kind it was filed under. */
interface Approved<F extends Fix> {
  readonly check: Check
  readonly fix: F
}

interface ApprovedFixes {
  readonly chmod: ReadonlyArray<Approved<FixOf<"chmod">>>
  readonly legacy: ReadonlyArray<Approved<FixOf<"migrate-legacy">>>
  /** Removals and cooldown clears together, in check order: they edit the same documents. */
  readonly store: ReadonlyArray<Approved<StoreFix>>
  readonly config: ReadonlyArray<Approved<FixOf<"set-config-mode">>>
}

/** Splits the approved checks by what their fix touches, so each step gets its own kind of fix. */
const groupApproved = (checks: ReadonlyArray<Check>): ApprovedFixes => {
  const chmod: Array<Approved<FixOf<"chmod">>> = []
  const legacy: Array<Approved<FixOf<"migrate-legacy">>> = []
  const store: Array<Approved<StoreFix>> = []
  const config: Array<Approved<FixOf<"set-config-mode">>> = []
  for (const check of checks) {
    const fix = check.fix
    switch (fix?.kind) {
      case undefined:
        break
      case "chmod":
        chmod.push({ check, fix })
        break
      case "migrate-legacy":
        legacy.push({ check, fix })
        break
      case "remove-profile":
      case "clear-stale-cooldown":
        store.push({ check, fix })
        break
      case "set-config-mode":
        config.push({ check, fix })
        break
    }
  }
  return { chmod, legacy, store, config }
}

/** One store's fixes on its raw document; what it decides is the ids really removed (others were already gone). */
const applyStoreFixes = (doc: StoreDocument, fixes: ReadonlyArray<StoreFix>, now: number) =>
  fixes.reduce<readonly [JsonObject, ReadonlyArray<ProfileId>]>(([raw, removed], fix) => {
    const id = ProfileId.make(fix.profileId)
    if (fix.kind === "remove-profile") return holdsProfile(raw, id) ? [removeProfile(raw, id), [...removed, id]] : [raw, removed]
    const stats = doc.store.usageStats[id]
    return stats !== undefined && hasStaleCooldown(stats, now)
      ? [setUsageStats(raw, id, (s) => clearStaleCooldown(s, now)), removed]
      : [raw, removed]
  }, [doc.raw, []])

/** Applies the approved fixes: modes, then legacy import, then each store, then the config, each under its lock. */
const applyFixes = Effect.fn("Doctor.applyFixes")(function* (inputs: DoctorInputs, decisions: ReadonlyArray<Decision>) {
  const files = yield* Files
  const outcomes: Array<FixOutcome> = decisions
    .filter((d) => !d.approved)
    .map((d) => ({ check: d.check, applied: false, detail: d.detail ?? "skipped" }))
  const approved = groupApproved(decisions.filter((d) => d.approved).map((d) => d.check))
  const done = ({ check, fix }: Approved<Fix>, result: Either.Either<unknown, Explained>) =>
    outcomes.push(
      Either.isRight(result)
        ? { check, applied: true, detail: describeFix(fix) }
        : { check, applied: false, detail: `failed: ${messageOf(result.left)}` }
    )

  // Checked again just before: the path may have been swapped (for a symlink, say) since it was looked at.
  const insideStateDir = yield* insideOf(inputs.host.stateDir)
  for (const item of approved.chmod) {
    const { path, mode } = item.fix
    const info = Option.getOrUndefined(Either.getOrElse(yield* Effect.either(files.stat(path)), () => Option.none()))
    const refusal = info === undefined ? "it is gone" : chmodRefusal({ ...info, insideStateDir: yield* insideStateDir(path) })
    if (refusal !== undefined) outcomes.push({ check: item.check, applied: false, detail: `not changed: ${refusal}` })
    else done(item, yield* Effect.either(files.chmod(path, mode)))
  }

  if (approved.legacy.length > 0 && inputs.agent !== undefined) {
    const result = yield* Effect.either(migrateLegacy(inputs.host, inputs.agent))
    for (const item of approved.legacy) {
      if (Either.isLeft(result)) done(item, result)
      else if (result.right.removed.includes(item.fix.path)) done(item, result)
      else {
        const why = result.right.notices.filter((n) => n.includes(item.fix.path)).join("; ")
        outcomes.push({ check: item.check, applied: false, detail: `not migrated: ${why || "the file is still there"}` })
      }
    }
  }

  const removed: Array<ProfileId> = []
  for (const storePath of new Set(approved.store.map((item) => item.fix.storePath))) {
    const mine = approved.store.filter((item) => item.fix.storePath === storePath)
    const result = yield* Effect.either(
      (yield* ProfileStore).update(storePath, (doc) => {
        const [raw, removedHere] = applyStoreFixes(doc, mine.map((item) => item.fix), inputs.now)
        // Checked here too: a store that no longer decodes is never written (ProfileStore dies instead), and then
        // nothing was removed.
        return Effect.succeed(Either.isRight(decodeAuthStore(raw)) ? ([raw, removedHere] as const) : ([doc.raw, []] as const))
      })
    )
    // Only what the store really lost is unregistered from the config: a failed write leaves the config alone.
    if (Either.isRight(result)) removed.push(...result.right[1])
    for (const item of mine) done(item, result)
  }

  const configRaw = yield* Effect.either((yield* ConfigStore).load)
  const unregister = removed.filter((id) => Either.isRight(configRaw) && configReferences(configRaw.right.raw, id))
  if (approved.config.length > 0 || unregister.length > 0) {
    const result = yield* Effect.either(
      (yield* ConfigStore).update((raw) => {
        const unregistered = unregister.reduce((doc, id) => unregisterProfile(doc, id), raw)
        const next = approved.config.reduce((doc, { fix }) => setConfigProfileMode(doc, fix.profileId, fix.mode), unregistered)
        return Effect.succeed([next, undefined] as const)
      })
    )
    for (const item of approved.config) done(item, result)
  }
  return outcomes
})

/** `openclaw doctor` (§6.3): check everything, and with `fix` repair what can be, then check again. */
export const doctor = Effect.fn("Doctor.run")(function* (options: DoctorOptions) {
  const before = yield* gather(options.agent)
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
  const outcomes = yield* applyFixes(before, decisions)
  const after = yield* gather(options.agent)
  return report(after, mergeOutcomes(runChecks(after), outcomes))
})
