import * as Predicate from "effect/Predicate"
import type { AuthStore, JsonObject, UsageStats } from "./AuthStore.js"
import type { AgentModels, OpenClawConfig } from "./Config.js"
import type { CredentialType } from "./Credential.js"
import type { EnvMap } from "./Env.js"
import type { Explained } from "./Errors.js"
import type { SecretsDoctorInputs } from "./DoctorSecretInputs.js"
import type { AgentPaths, HostPaths } from "./Paths.js"

/**
 * `openclaw doctor` (§6.3): the check model, what the checks read, and what `--fix` does with them. The checks
 * themselves are in DoctorChecks.ts.
 */

export const DOCTOR_SCHEMA_VERSION = 1

export type CheckStatus = "ok" | "warn" | "fail"

/** Every check, in the order they are reported. */
export const CHECK_IDS = [
  "config-file",
  "store-file",
  "env-file",
  "permissions",
  "legacy-files",
  "skipped-profiles",
  "control-characters",
  "mode-mismatch",
  "unsendable-secrets",
  "profile-expiry",
  "cooldowns",
  "missing-credentials",
  "env-shadowing",
  "secret-refs",
  "secret-providers",
  "secret-residue",
  "daemon-env",
  "shared-state",
  "claude-cli"
] as const
export type CheckId = (typeof CHECK_IDS)[number]

/** What `--fix` would do about a check. Only `remove-profile` loses data, so only it asks first. */
export type Fix =
  | { readonly kind: "chmod"; readonly path: string; readonly mode: number }
  | { readonly kind: "migrate-legacy"; readonly path: string }
  | { readonly kind: "clear-stale-cooldown"; readonly storePath: string; readonly profileId: string }
  | { readonly kind: "set-config-mode"; readonly profileId: string; readonly mode: CredentialType }
  | { readonly kind: "remove-profile"; readonly storePath: string; readonly profileId: string }

export const isDestructive = (fix: Fix): boolean => fix.kind === "remove-profile"

export interface Check {
  readonly id: CheckId
  /** What the entry is about (a path, profile id, provider or variable name); `null` for a check's all-clear. */
  readonly subject: string | null
  readonly status: CheckStatus
  readonly summary: string
  /** The command (or edit) that resolves it; `null` when there is nothing to do. */
  readonly remediation: string | null
  readonly fix?: Fix
}

/** A check as reported: after `--fix`, whether its fix was applied, and what happened. */
export interface CheckReport {
  readonly id: CheckId
  readonly subject: string | null
  readonly status: CheckStatus
  readonly summary: string
  readonly remediation: string | null
  readonly fixed?: boolean
  readonly fixDetail?: string
}

// ---- Inputs ----

/** A file that was read (or is absent), or why it could not be: a one-line problem and its fix. */
export type Loaded<A> =
  | { readonly _tag: "Loaded"; readonly path: string; readonly exists: boolean; readonly value: A }
  | { readonly _tag: "Failed"; readonly path: string; readonly problem: string; readonly fix: string }

export interface StoreLoad {
  readonly load: Loaded<AuthStore>
  /** The main agent's store seen underneath a sub-agent's own (§3.1). */
  readonly inherited: boolean
}

export interface PathMode {
  readonly path: string
  readonly kind: "dir" | "file"
  /** Permission bits only. */
  readonly mode: number
  /** What decides whether `--fix` may change the mode (§11). */
  readonly sticky: boolean
  readonly ownedByYou: boolean
  /** Really (symlinks resolved) the state dir or under it. */
  readonly insideStateDir: boolean
  /** A secrets file or exec command a ref depends on (§9): never re-moded. */
  readonly refTarget: boolean
}

/**
 * Why `doctor --fix` must leave a path's mode alone, or `undefined` when it may change it (§11): only paths the
 * user owns inside the state dir, never a shared or sticky directory (an agent dir configured as /tmp, say), and
 * never what a secret reference reads or runs (§9: `--fix` never touches a ref's target).
 */
export const chmodRefusal = (p: Pick<PathMode, "sticky" | "ownedByYou" | "insideStateDir" | "refTarget">): string | undefined =>
  p.refTarget
    ? "a secret reference depends on it (doctor never changes a secrets file or an exec provider's command)"
    : p.sticky
    ? "it is a shared directory (sticky bit set)"
    : !p.ownedByYou
      ? "another user owns it"
      : !p.insideStateDir
        ? "it is outside the state dir"
        : undefined

export interface DoctorInputs {
  readonly host: HostPaths
  /** `undefined` when the agent cannot be located (its config entry is in a config that does not parse). */
  readonly agent: AgentPaths | undefined
  readonly requestedAgent: string | undefined
  readonly config: Loaded<OpenClawConfig>
  readonly models: AgentModels
  /** Own store first, then (for a sub-agent) the main agent's. */
  readonly stores: ReadonlyArray<StoreLoad>
  readonly env: EnvMap
  /** Names `<state>/.env` and the config `env` block give a non-empty value: what the gateway daemon sees. */
  readonly daemonEnvNames: ReadonlySet<string>
  readonly envFileProblems: ReadonlyArray<{ readonly path: string; readonly problem: string; readonly fix: string }>
  /** Lines of `<state>/.env` dotenv passes over without a word (domain/DotEnv `ignoredDotEnvLines`). */
  readonly envFileIgnored: ReadonlyArray<{ readonly path: string; readonly lines: ReadonlyArray<number> }>
  readonly modes: ReadonlyArray<PathMode>
  readonly legacyFiles: ReadonlyArray<string>
  readonly claudePath: string | undefined
  readonly secrets: SecretsDoctorInputs
  readonly now: number
}

/** A file error as a check reports it: the problem as a sentence, and the fix (a generic one when it has none). */
export const problemAndFix = (e: Explained): { readonly problem: string; readonly fix: string } => ({
  problem: `${e.problem}.`,
  fix: e.fix ?? "correct the file by hand"
})

/** Quotes an argument for a shell when it needs it, so a remediation can be pasted as is. */
export const shellArg = (s: string): string => (/^[A-Za-z0-9_:.@/=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`

/** Cooldown fields that ended but are still recorded. Counters stay: they set the next backoff step (§5.3). */
export const hasStaleCooldown = (stats: UsageStats, now: number): boolean =>
  (stats.cooldownUntil !== undefined && stats.cooldownUntil <= now) ||
  (stats.disabledUntil !== undefined && stats.disabledUntil <= now)

export const clearStaleCooldown = (stats: UsageStats, now: number): UsageStats => {
  const next: { -readonly [K in keyof UsageStats]: UsageStats[K] } = { ...stats }
  if (next.cooldownUntil !== undefined && next.cooldownUntil <= now) delete next.cooldownUntil
  if (next.disabledUntil !== undefined && next.disabledUntil <= now) {
    delete next.disabledUntil
    delete next.disabledReason
  }
  return next
}

// ---- Fixes ----

export const describeFix = (fix: Fix): string => {
  switch (fix.kind) {
    case "chmod":
      return `chmod ${fix.mode.toString(8)} ${fix.path}`
    case "migrate-legacy":
      return `imported ${fix.path} and removed it`
    case "clear-stale-cooldown":
      return `cleared the ended cooldown of ${fix.profileId} in ${fix.storePath}`
    case "set-config-mode":
      return `set auth.profiles["${fix.profileId}"].mode to "${fix.mode}"`
    case "remove-profile":
      return `removed ${fix.profileId} from ${fix.storePath}`
  }
}

/** The confirmation asked before a destructive fix. */
export const confirmMessage = (fix: Fix): string =>
  fix.kind === "remove-profile"
    ? `Remove the unreadable profile ${fix.profileId} from ${fix.storePath}? Its entry is deleted for good`
    : `Apply: ${describeFix(fix)}?`


/** Sets only `auth.profiles[id].mode`, keeping everything else in the config as it was. */
export const setConfigProfileMode = (raw: JsonObject, id: string, mode: CredentialType): JsonObject => {
  const auth = Predicate.isRecord(raw.auth) ? raw.auth : {}
  const profiles = Predicate.isRecord(auth.profiles) ? auth.profiles : {}
  const entry = Predicate.isRecord(profiles[id]) ? profiles[id] : {}
  return { ...raw, auth: { ...auth, profiles: { ...profiles, [id]: { ...entry, mode } } } }
}

export interface FixOutcome {
  readonly check: Check
  readonly applied: boolean
  readonly detail: string
}

const sameEntry = (a: { id: CheckId; subject: string | null }, b: { id: CheckId; subject: string | null }) =>
  a.id === b.id && a.subject === b.subject

/**
 * The report after `--fix`: the checks as they stand now, each fix's outcome attached. A problem a fix removed
 * no longer shows up on its own, so it is reported as an `ok` entry marked fixed, in its check's place.
 */
export const mergeOutcomes = (after: ReadonlyArray<Check>, outcomes: ReadonlyArray<FixOutcome>): ReadonlyArray<CheckReport> => {
  const report = (c: Check): CheckReport => ({ id: c.id, subject: c.subject, status: c.status, summary: c.summary, remediation: c.remediation })
  const out: Array<CheckReport> = []
  for (const id of CHECK_IDS) {
    const current = after.filter((c) => c.id === id)
    const mine = outcomes.filter((o) => o.check.id === id)
    const resolved = mine
      .filter((o) => o.applied && !current.some((c) => sameEntry(c, o.check)))
      .map((o): CheckReport => ({ ...report(o.check), status: "ok", remediation: null, fixed: true, fixDetail: o.detail }))
    const remaining = current
      // The all-clear line says nothing the fixed entries do not.
      .filter((c) => !(resolved.length > 0 && c.subject === null && c.status === "ok"))
      .map((c): CheckReport => {
        const outcome = mine.find((o) => sameEntry(o.check, c))
        if (outcome === undefined) return report(c)
        return {
          ...report(c),
          fixed: false,
          fixDetail: outcome.applied ? `${outcome.detail}, but the problem remains` : outcome.detail
        }
      })
    out.push(...resolved, ...remaining)
  }
  return out
}

export const countStatuses = (checks: ReadonlyArray<{ readonly status: CheckStatus }>) => ({
  ok: checks.filter((c) => c.status === "ok").length,
  warn: checks.filter((c) => c.status === "warn").length,
  fail: checks.filter((c) => c.status === "fail").length
})

/** `N ok, N warnings, N failures`. */
export const summaryLine = (checks: ReadonlyArray<{ readonly status: CheckStatus }>): string => {
  const n = countStatuses(checks)
  return `${n.ok} ok, ${plural(n.warn, "warning")}, ${plural(n.fail, "failure")}`
}
