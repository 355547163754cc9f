import type { Check, DoctorInputs } from "./Doctor.js"
import { chmodRefusal, plural, shellArg } from "./Doctor.js"
import { agentFlag, allClear, octal } from "./DoctorCheckKit.js"
import type { OpenClawConfig } from "./Config.js"
import { decodeStateSettings } from "./StateSettings.js"
import { flaggedProfiles } from "./StoredProfiles.js"

/** Doctor checks about files: parse state, permissions, legacy files, skipped entries, control characters (§6.3, §11). */

export const configFile = (inputs: DoctorInputs): ReadonlyArray<Check> => {
  const c = inputs.config
  if (c._tag === "Failed") {
    return [{ id: "config-file", subject: c.path, status: "fail", summary: c.problem, remediation: `${c.fix} (doctor --fix never rewrites it)` }]
  }
  return [
    {
      id: "config-file",
      subject: c.path,
      status: "ok",
      summary: c.exists ? `config ${c.path} is valid` : `no config at ${c.path}; defaults apply`,
      remediation: null
    }
  ]
}

export const storeFile = (inputs: DoctorInputs): ReadonlyArray<Check> => {
  if (inputs.agent === undefined) {
    return [
      {
        id: "store-file",
        subject: null,
        status: "fail",
        summary: `cannot locate agent ${inputs.requestedAgent ?? "(default)"}'s store while the config does not parse; profile checks skipped`,
        remediation: "fix the config first (see config-file)"
      }
    ]
  }
  return inputs.stores.map(({ load, inherited }): Check => {
    if (load._tag === "Failed") {
      return {
        id: "store-file",
        subject: load.path,
        status: "fail",
        // load.problem is a sentence (problemAndFix): the clause goes before its period.
        summary: `${load.problem.replace(/\.$/, "")}; profile checks skipped.`,
        remediation: `${load.fix} (doctor --fix never rewrites it)`
      }
    }
    const what = inherited ? "main agent's store" : "store"
    return {
      id: "store-file",
      subject: load.path,
      status: "ok",
      summary: load.exists
        ? `${what} ${load.path} is valid (${plural(load.value.profiles.size, "profile")})`
        : `no ${what} yet at ${load.path}`,
      remediation: null
    }
  })
}

export const envFile = (inputs: DoctorInputs): ReadonlyArray<Check> => {
  const found: Array<Check> = inputs.envFileProblems.map((p) => ({ id: "env-file", subject: p.path, status: "fail", summary: p.problem, remediation: p.fix }))
  for (const { path, lines } of inputs.envFileIgnored) {
    const shown = lines.length > 10 ? `${lines.slice(0, 10).join(", ")} and ${lines.length - 10} more` : lines.join(", ")
    found.push({
      id: "env-file",
      subject: path,
      status: "warn",
      summary: `${path}: line${lines.length === 1 ? "" : "s"} ${shown} ${lines.length === 1 ? "is" : "are"} not NAME=value and ${lines.length === 1 ? "is" : "are"} ignored`,
      remediation: `write each variable as NAME=value on one line (quote a value with spaces or #), or comment the line out with #`
    })
  }
  return found.length === 0 ? [allClear("env-file", `environment files are readable (${inputs.host.stateEnvPath} is the daemon's)`)] : found
}

/**
 * Files 0600, directories 0700 (§2). Exposure to other users or an owner locked out fails; the rest warns. `--fix`
 * changes only what chmodRefusal allows; a shared directory gets advice to move out of it, never a chmod.
 */
/** What others may do with a path of `mode`: "can read and write it", "can read it", … */
const othersCan = (mode: number): string => {
  const can = [...(mode & 0o044 ? ["read"] : []), ...(mode & 0o022 ? ["write"] : [])]
  return can.length === 0 ? "have access" : `can ${can.join(" and ")} it`
}

export const permissions = (inputs: DoctorInputs): ReadonlyArray<Check> => {
  const found: Array<Check> = []
  for (const entry of inputs.modes) {
    const { path, kind, mode } = entry
    const want = kind === "dir" ? 0o700 : 0o600
    const others = mode & 0o077
    const ownerMissing = want & ~mode & 0o700
    if (others === 0 && ownerMissing === 0) continue
    const problems = [
      ...(others ? [`other users ${othersCan(mode)}`] : []),
      ...(ownerMissing & 0o400 ? ["you cannot read it"] : ownerMissing ? [kind === "dir" ? "you cannot use it fully" : "you cannot write it"] : [])
    ]
    const exposed = kind === "file" ? (mode & 0o044) !== 0 : false
    const lockedOut = (ownerMissing & (kind === "dir" ? 0o500 : 0o400)) !== 0
    const refusal = chmodRefusal(entry)
    const shared = entry.sticky || !entry.ownedByYou
    found.push({
      id: "permissions",
      subject: path,
      status: exposed || lockedOut ? "fail" : "warn",
      summary: `${kind === "dir" ? "directory" : "file"} ${path} is ${entry.sticky ? "sticky " : ""}${octal(mode)}, want ${octal(want)}: ${problems.join(", ")}`,
      ...(refusal === undefined
        ? { remediation: `openclaw doctor --fix (or: chmod ${want.toString(8)} ${shellArg(path)})`, fix: { kind: "chmod", path, mode: want } }
        : {
            remediation: shared
              ? `doctor --fix leaves it alone (${refusal}); keep openclaw's files in a private directory of yours instead (OPENCLAW_STATE_DIR, agents.list[].agentDir or OPENCLAW_AGENT_DIR)`
              : `chmod ${want.toString(8)} ${shellArg(path)} (doctor --fix leaves it alone: ${refusal})`
          })
    })
  }
  return found.length > 0
    ? found
    : [
        allClear(
          "permissions",
          inputs.modes.length === 0 ? "no state files yet" : `directories 0700, files 0600 (${plural(inputs.modes.length, "path")} checked)`
        )
      ]
}

export const legacyFiles = (inputs: DoctorInputs): ReadonlyArray<Check> =>
  inputs.legacyFiles.length === 0 || inputs.agent === undefined
    ? [allClear("legacy-files", "no legacy credential files to migrate")]
    : inputs.legacyFiles.map((path) => ({
        id: "legacy-files",
        subject: path,
        status: "warn",
        summary: `legacy file present: ${path} is not yet imported into ${inputs.agent!.storePath}`,
        remediation: `openclaw doctor --fix${agentFlag(inputs)} (imports it, then removes the legacy file)`,
        fix: { kind: "migrate-legacy", path }
      }))

export const skippedProfiles = (inputs: DoctorInputs): ReadonlyArray<Check> => {
  const found: Array<Check> = []
  for (const { load, inherited } of inputs.stores) {
    if (load._tag !== "Loaded") continue
    for (const s of load.value.skipped) {
      found.push({
        id: "skipped-profiles",
        subject: s.profileId,
        status: "warn",
        summary: `profile ${s.profileId} in ${load.path} is skipped: ${s.reason}`,
        remediation: `openclaw models auth logout --profile-id ${shellArg(s.profileId)}${inherited ? "" : agentFlag(inputs)} (or correct the entry by hand)`,
        // Like logout, only when the config's references to it can be removed too.
        ...(inputs.config._tag === "Loaded" ? { fix: { kind: "remove-profile", storePath: load.path, profileId: s.profileId } } : {})
      })
    }
  }
  return found.length > 0 ? found : [allClear("skipped-profiles", "every stored profile is readable")]
}

/**
 * Usable profiles whose email, account id or client id holds a control character (§11): shown escaped everywhere,
 * but the user should know, and fix it by signing in again (OAuth) or editing the field. Nothing for --fix to do:
 * it would have to guess the right text.
 */
export const controlCharacters = (inputs: DoctorInputs): ReadonlyArray<Check> => {
  const found: Array<Check> = []
  for (const { load, inherited } of inputs.stores) {
    if (load._tag !== "Loaded") continue
    for (const f of flaggedProfiles(load.value)) {
      const edit = `edit "${f.field}" of ${f.profileId} in ${load.path}`
      found.push({
        id: "control-characters",
        subject: f.profileId,
        status: "warn",
        summary: `profile ${f.profileId} in ${load.path}: ${f.reason}`,
        remediation:
          load.value.profiles.get(f.profileId)?.type === "oauth"
            ? `openclaw models auth login --provider ${shellArg(f.provider)}${inherited ? "" : agentFlag(inputs)} (sign in again), or ${edit}`
            : edit
      })
    }
  }
  return found.length > 0 ? found : [allClear("control-characters", "no stored profile has control characters in its email, account id or client id")]
}

/**
 * `gateway.state` (§10): a setting every command and the gateway refuse is reported here too, in the same words.
 * Whether the Redis server answers is the gateway's `/health`; doctor stays offline. A url from a SecretRef is the
 * secret-refs check's.
 */
export const sharedState = (inputs: DoctorInputs, config: OpenClawConfig): ReadonlyArray<Check> => {
  const raw = config.gateway?.state as { readonly url?: unknown } | undefined
  const fromRef = typeof raw === "object" && raw !== null && typeof raw.url === "object" && raw.url !== null
  const decoded = fromRef ? undefined : decodeStateSettings(raw)
  if (decoded !== undefined && decoded._tag === "Left") {
    return [{ id: "shared-state", subject: "gateway.state", status: "fail", summary: decoded.left, remediation: `fix gateway.state in ${inputs.config.path}, or remove it to keep the state in this host's files` }]
  }
  const where = decoded === undefined || decoded.right.backend === "redis" ? "on Redis (gateway.state.url)" : "in this host's files"
  return [allClear("shared-state", `cooldowns, sessions and refresh locks are kept ${where}`)]
}
