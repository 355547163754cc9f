import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { type AuthStore, overlayStore } from "./AuthStore.js"
import { formatModelRef, type OpenClawConfig, providersInUse } from "./Config.js"
import {
  type Check,
  type CheckId,
  type DoctorInputs,
  hasStaleCooldown,
  type Loaded,
  plural,
  shellArg
} from "./Doctor.js"
import { formatEnvSource } from "./Env.js"
import { credentialExpiry, describeExpiry, formatDuration } from "./Expiry.js"
import { unavailableUntil, whyUnusable } from "./Order.js"
import type { ProfileId } from "./ProfileId.js"
import { PROVIDERS, type ProviderId } from "./Provider.js"
import { envKeyFor, missingCredentialFix, type Resolved, resolveCredential } from "./Resolve.js"

/**
 * The checks of `openclaw doctor` (§6.3), one function each, in report order: pure, computed from what the program
 * gathered. Env keys are compared by name; no secret is read out of a credential.
 */

const octal = (mode: number): string => `0${mode.toString(8).padStart(3, "0")}`
const agentFlag = (inputs: DoctorInputs): string =>
  inputs.requestedAgent === undefined ? "" : ` --agent ${shellArg(inputs.requestedAgent)}`
/** `--agent` for commands about a profile, unless it is the main agent's, seen from a sub-agent (§3.1). */
const agentFlagFor = (inputs: DoctorInputs, id: string): string => {
  const own = inputs.stores[0]?.load
  const inherited = own?._tag === "Loaded" && !own.value.profiles.has(id as ProfileId) && inputs.stores.length > 1
  return inherited ? "" : agentFlag(inputs)
}
const allClear = (id: CheckId, summary: string): Check => ({ id, subject: null, status: "ok", summary, remediation: null })

/** The store auth decisions see: a sub-agent's own entries over the main agent's (§3.1). */
const effectiveStore = (inputs: DoctorInputs): AuthStore | undefined => {
  const loaded = inputs.stores.map((s) => s.load)
  if (loaded.length === 0 || loaded.some((l) => l._tag === "Failed")) return undefined
  const [own, ...below] = loaded.map((l) => (l as Extract<Loaded<AuthStore>, { _tag: "Loaded" }>).value)
  return below.reduce((top, base) => overlayStore(base, top), own!)
}

/** Which store file holds a profile's entry (own wins), so a fix edits the right one. */
const storeHolding = (inputs: DoctorInputs, has: (store: AuthStore) => boolean): string | undefined => {
  for (const s of inputs.stores) if (s.load._tag === "Loaded" && has(s.load.value)) return s.load.path
  return undefined
}

const loadedConfig = (inputs: DoctorInputs): OpenClawConfig | undefined =>
  inputs.config._tag === "Loaded" ? inputs.config.value : undefined

// ---- The checks ----

const configFile = (inputs: DoctorInputs): ReadonlyArray<Check> => {
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

const storeFile = (inputs: DoctorInputs): ReadonlyArray<Check> => {
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
        summary: `${load.problem}; profile checks skipped`,
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

const envFile = (inputs: DoctorInputs): ReadonlyArray<Check> =>
  inputs.envFileProblems.length === 0
    ? [allClear("env-file", `environment files are readable (${inputs.host.stateEnvPath} is the daemon's)`)]
    : inputs.envFileProblems.map((p) => ({ id: "env-file", subject: p.path, status: "fail", summary: p.problem, remediation: p.fix }))

/** Files 0600, directories 0700 (§2). Exposure to other users or an owner locked out fails; the rest warns. */
const permissions = (inputs: DoctorInputs): ReadonlyArray<Check> => {
  const found: Array<Check> = []
  for (const { path, kind, mode } of inputs.modes) {
    const want = kind === "dir" ? 0o700 : 0o600
    const others = mode & 0o077
    const ownerMissing = want & ~mode & 0o700
    if (others === 0 && ownerMissing === 0) continue
    const problems = [
      ...(mode & 0o044 ? ["other users can read it"] : mode & 0o022 ? ["other users can write it"] : others ? ["other users have access"] : []),
      ...(ownerMissing & 0o400 ? ["you cannot read it"] : ownerMissing ? [kind === "dir" ? "you cannot use it fully" : "you cannot write it"] : [])
    ]
    const exposed = kind === "file" ? (mode & 0o044) !== 0 : false
    const lockedOut = (ownerMissing & (kind === "dir" ? 0o500 : 0o400)) !== 0
    found.push({
      id: "permissions",
      subject: path,
      status: exposed || lockedOut ? "fail" : "warn",
      summary: `${kind === "dir" ? "directory" : "file"} ${path} is ${octal(mode)}, want ${octal(want)}: ${problems.join(", ")}`,
      remediation: `openclaw doctor --fix (or: chmod ${want.toString(8)} ${shellArg(path)})`,
      fix: { kind: "chmod", path, mode: want }
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

const legacyFiles = (inputs: DoctorInputs): ReadonlyArray<Check> =>
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

const skippedProfiles = (inputs: DoctorInputs): ReadonlyArray<Check> => {
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

const modeMismatch = (inputs: DoctorInputs, store: AuthStore, config: OpenClawConfig): ReadonlyArray<Check> => {
  const found: Array<Check> = []
  for (const [id, credential] of store.profiles) {
    const why = whyUnusable(config, credential.provider, id, credential, inputs.now)
    if (why?.kind !== "mode-mismatch") continue
    found.push({
      id: "mode-mismatch",
      subject: id,
      status: "fail",
      summary: `profile ${id}: config says mode "${why.configMode}" but the store holds a ${why.storedType}, so it is never used`,
      remediation: `openclaw doctor --fix (sets auth.profiles["${id}"].mode to "${why.storedType}" in ${inputs.host.configPath})`,
      fix: { kind: "set-config-mode", profileId: id, mode: why.storedType }
    })
  }
  return found.length > 0 ? found : [allClear("mode-mismatch", "config modes agree with the stored credential types")]
}

const renewCommand = (inputs: DoctorInputs, id: string, provider: ProviderId, type: "token" | "oauth"): string =>
  type === "oauth"
    ? `openclaw models auth login --provider ${provider}${agentFlagFor(inputs, id)}`
    : provider === "anthropic"
      ? `openclaw models auth setup-token --provider anthropic --profile-id ${shellArg(id)}${agentFlagFor(inputs, id)} (or paste-token with a new token)`
      : `openclaw models auth paste-token --provider ${provider} --profile-id ${shellArg(id)}${agentFlagFor(inputs, id)}`

const profileExpiry = (inputs: DoctorInputs, store: AuthStore): ReadonlyArray<Check> => {
  const found: Array<Check> = []
  let checked = 0
  for (const [id, c] of store.profiles) {
    if (c.type === "api_key") continue
    const e = credentialExpiry(c, inputs.now)
    if (e.status === "static") continue
    checked++
    if (e.status === "ok") continue
    const refreshable = c.type === "oauth" && c.refresh !== undefined ? " (a refresh is tried on next use)" : ""
    found.push({
      id: "profile-expiry",
      subject: id,
      status: e.status === "expiring" ? "warn" : "fail",
      summary: `${c.type} profile ${id}: ${describeExpiry(e)}${e.status === "missing" ? " (no valid expires)" : ""}${e.status === "expiring" ? "" : refreshable}`,
      remediation: renewCommand(inputs, id, c.provider, c.type)
    })
  }
  return found.length > 0
    ? found
    : [allClear("profile-expiry", `no token or OAuth profile is expired, expiring or of unknown expiry (${checked} with an expiry)`)]
}

const cooldowns = (inputs: DoctorInputs, store: AuthStore): ReadonlyArray<Check> => {
  const found: Array<Check> = []
  for (const [id, stats] of Object.entries(store.usageStats)) {
    if (!store.profiles.has(id as ProfileId)) continue
    const reason = unavailableUntil(stats, inputs.now)
    if (reason !== undefined) {
      const until = Math.max(stats.cooldownUntil ?? 0, stats.disabledUntil ?? 0)
      const failures = stats.errorCount ? ` after ${plural(stats.errorCount, "failure")}` : ""
      found.push({
        id: "cooldowns",
        subject: id,
        status: "warn",
        summary:
          reason === "disabled"
            ? `profile ${id} is disabled${stats.disabledReason ? ` (${stats.disabledReason})` : ""} for another ${formatDuration(until - inputs.now)}`
            : `profile ${id} is in cooldown for another ${formatDuration(until - inputs.now)}${failures}`,
        remediation: `openclaw models auth cooldowns clear --profile-id ${shellArg(id)}${agentFlagFor(inputs, id)} (only once the cause is fixed)`
      })
    } else if (hasStaleCooldown(stats, inputs.now)) {
      const ended = Math.max(stats.cooldownUntil ?? 0, stats.disabledUntil ?? 0)
      found.push({
        id: "cooldowns",
        subject: id,
        status: "ok",
        summary: `profile ${id} has a stale cooldown recorded (ended ${formatDuration(inputs.now - ended)} ago)`,
        remediation: `openclaw doctor --fix${agentFlag(inputs)} (clears the ended cooldown fields)`,
        fix: {
          kind: "clear-stale-cooldown",
          storePath: storeHolding(inputs, (s) => s.usageStats[id] !== undefined) ?? inputs.agent!.storePath,
          profileId: id
        }
      })
    }
  }
  return found.length > 0 ? found : [allClear("cooldowns", "no profile is in cooldown or disabled")]
}

const resolveAll = (inputs: DoctorInputs, store: AuthStore, config: OpenClawConfig, provider: ProviderId) =>
  resolveCredential({ store, config, env: inputs.env, now: inputs.now }, provider)

const missingCredentials = (inputs: DoctorInputs, store: AuthStore, config: OpenClawConfig): ReadonlyArray<Check> => {
  const inUse = providersInUse(inputs.models)
  const usedBy = (p: ProviderId) =>
    [inputs.models.primary, ...inputs.models.fallbacks].filter((m) => m.provider === p).map(formatModelRef)[0]!
  const found: Array<Check> = []
  for (const provider of inUse) {
    const resolved = resolveAll(inputs, store, config, provider)
    if (Either.isRight(resolved)) continue
    const failure = resolved.left
    if (failure.kind === "no-credential") {
      found.push({
        id: "missing-credentials",
        subject: provider,
        status: "fail",
        summary: `${provider} is in use (${usedBy(provider)}) but has no credential`,
        remediation: missingCredentialFix(provider, inputs.host.stateEnvPath)
      })
    } else if (failure.kind === "all-unavailable") {
      found.push({
        id: "missing-credentials",
        subject: provider,
        status: "warn",
        summary: `${provider} is in use (${usedBy(provider)}) but every profile is in cooldown or disabled for another ${formatDuration(failure.until - inputs.now)}`,
        remediation: `openclaw models auth cooldowns clear --provider ${provider}${agentFlag(inputs)} (only once the cause is fixed)`
      })
    }
  }
  return found.length > 0 ? found : [allClear("missing-credentials", `every provider in use has a credential (${inUse.join(", ")})`)]
}

const describeResolved = (r: Resolved, provider: ProviderId): string => {
  switch (r.kind) {
    case "profile":
      return `profile ${r.profileId}`
    case "env":
      return `${r.name} (${formatEnvSource(r.source)})`
    case "config":
      return `models.providers.${provider}.apiKey`
    case "none":
      return "no key (loopback base URL)"
  }
}

/** Beyond §5: an env key hidden by a profile, or profiles passed over for an env key, change who is billed. */
const envShadowing = (inputs: DoctorInputs, store: AuthStore, config: OpenClawConfig): ReadonlyArray<Check> => {
  const providers = new Set<ProviderId>(providersInUse(inputs.models))
  for (const c of store.profiles.values()) providers.add(c.provider)
  for (const p of PROVIDERS) if (Option.isSome(envKeyFor(inputs.env, p.id))) providers.add(p.id)
  const found: Array<Check> = []
  for (const provider of providers) {
    const resolved = resolveAll(inputs, store, config, provider)
    if (Either.isLeft(resolved)) continue
    const used = resolved.right
    const envKey = Option.getOrUndefined(envKeyFor(inputs.env, provider))
    const stored = [...store.profiles].filter(([, c]) => c.provider === provider).map(([id]) => id)
    if (envKey && used.kind === "profile") {
      found.push({
        id: "env-shadowing",
        subject: provider,
        status: "warn",
        summary: `${provider}: ${envKey.name} (${formatEnvSource(envKey.source)}) is set but profile ${used.profileId} is used; stored profiles beat environment variables, so the env key's account is not billed`,
        remediation: `to use ${envKey.name}: openclaw models auth logout --profile-id ${shellArg(used.profileId)}${agentFlagFor(inputs, used.profileId)}; otherwise remove ${envKey.name} from ${formatEnvSource(envKey.source)}`
      })
    } else if (stored.length > 0 && used.kind !== "profile") {
      found.push({
        id: "env-shadowing",
        subject: provider,
        status: "warn",
        summary: `${provider}: no stored profile is usable, so ${describeResolved(used, provider)} is used instead of ${stored.join(", ")}`,
        remediation: `openclaw models status${agentFlag(inputs)} (says why each profile is unusable)`
      })
    }
  }
  return found.length > 0 ? found : [allClear("env-shadowing", "no environment key and stored profile compete for a provider")]
}

/**
 * The gateway daemon reads `<state>/.env` and the config, not this shell (§8.1). Names only: values are never
 * compared or shown. A provider that resolves to a stored profile does not need its key there.
 */
const daemonEnv = (inputs: DoctorInputs, store: AuthStore | undefined, config: OpenClawConfig | undefined): ReadonlyArray<Check> => {
  const found: Array<Check> = []
  let inShell = 0
  for (const p of PROVIDERS) {
    const usesProfile =
      store !== undefined && config !== undefined && Either.getOrUndefined(resolveAll(inputs, store, config, p.id))?.kind === "profile"
    for (const name of p.envVars) {
      if (inputs.env.get(name)?.source.kind !== "env") continue
      inShell++
      if (inputs.daemonEnvNames.has(name) || usesProfile) continue
      found.push({
        id: "daemon-env",
        subject: name,
        status: "warn",
        summary: `the gateway daemon will not see ${name}; add it to ${inputs.host.stateEnvPath}`,
        remediation: `(umask 077; printf '%s=%s\\n' ${name} "$${name}" >> ${shellArg(inputs.host.stateEnvPath)})`
      })
    }
  }
  return found.length > 0
    ? found
    : [
        allClear(
          "daemon-env",
          inShell === 0
            ? "no provider keys in this shell's environment"
            : `every provider key in this shell is also in ${inputs.host.stateEnvPath} or the config, or not needed (a stored profile is used)`
        )
      ]
}

const claudeCli = (inputs: DoctorInputs, store: AuthStore): ReadonlyArray<Check> => {
  const tokens = [...store.profiles].filter(([, c]) => c.provider === "anthropic" && c.type === "token").map(([id]) => id)
  if (tokens.length === 0) return [allClear("claude-cli", "not needed: no anthropic token profile")]
  if (inputs.claudePath !== undefined) {
    return [allClear("claude-cli", `claude is at ${inputs.claudePath}, for renewing setup-tokens (${tokens.join(", ")})`)]
  }
  return [
    {
      id: "claude-cli",
      subject: "claude",
      status: "warn",
      summary: `anthropic token profile ${tokens.join(", ")} is renewed with \`claude setup-token\`, but Claude Code's claude is not on PATH`,
      remediation: "npm install -g @anthropic-ai/claude-code"
    }
  ]
}

/** Every check, in `CHECK_IDS` order. Checks that need a store or config that failed to load are left out. */
export const runChecks = (inputs: DoctorInputs): ReadonlyArray<Check> => {
  const store = inputs.agent === undefined ? undefined : effectiveStore(inputs)
  const config = loadedConfig(inputs)
  return [
    ...configFile(inputs),
    ...storeFile(inputs),
    ...envFile(inputs),
    ...permissions(inputs),
    ...legacyFiles(inputs),
    ...(store ? skippedProfiles(inputs) : []),
    ...(store && config ? modeMismatch(inputs, store, config) : []),
    ...(store ? profileExpiry(inputs, store) : []),
    ...(store ? cooldowns(inputs, store) : []),
    ...(store && config ? missingCredentials(inputs, store, config) : []),
    ...(store && config ? envShadowing(inputs, store, config) : []),
    ...daemonEnv(inputs, store, config),
    ...(store ? claudeCli(inputs, store) : [])
  ]
}
