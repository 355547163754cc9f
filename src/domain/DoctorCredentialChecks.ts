import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { type AuthStore, lastRefreshFailed } from "./AuthStore.js"
import { formatModelRef, type OpenClawConfig, providersInUse } from "./Config.js"
import {
  type Check,
  type DoctorInputs,
  hasStaleCooldown,
  plural,
  shellArg
} from "./Doctor.js"
import { credentialRef } from "./Credential.js"
import { formatEnvSource } from "./Env.js"
import { credentialExpiry, describeExpiry, formatDuration } from "./Expiry.js"
import { describeUnusable, unavailableUntil, whyUnusable } from "./Order.js"
import type { ProfileId } from "./ProfileId.js"
import { PROVIDERS, type ProviderId } from "./Provider.js"
import { credentialShadowing, describeShadowing, envKeyFor, missingCredentialFix, resolveCredential } from "./Resolve.js"
import { agentFlag, agentFlagFor, allClear, storeHolding } from "./DoctorCheckKit.js"

/** Doctor checks about credentials: modes, expiry, cooldowns, missing keys, shadowing, daemon env, claude (§6.3). */

export const modeMismatch = (inputs: DoctorInputs, store: AuthStore, config: OpenClawConfig): ReadonlyArray<Check> => {
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

/** Secrets no request can carry (a control character from a hand edit, a newline from a file ref): every call fails. */
export const unsendableSecrets = (inputs: DoctorInputs, store: AuthStore, config: OpenClawConfig): ReadonlyArray<Check> => {
  const found: Array<Check> = []
  for (const [id, credential] of store.profiles) {
    const why = whyUnusable(config, credential.provider, id, credential, inputs.now)
    if (why?.kind !== "unsendable") continue
    const ref = credentialRef(credential)
    found.push({
      id: "unsendable-secrets",
      subject: id,
      status: "fail",
      summary: `profile ${id}: ${describeUnusable(why)}, so it is never used`,
      remediation:
        ref !== undefined
          ? `correct the value where its ref points (${ref.source} provider "${ref.provider}", id ${JSON.stringify(ref.id)}) and run openclaw secrets reload`
          : credential.type === "oauth"
            ? `openclaw models auth login --provider ${credential.provider}${agentFlagFor(inputs, id)}`
            : `openclaw models auth ${credential.type === "token" ? "paste-token" : "paste-api-key"} --provider ${credential.provider} --profile-id ${shellArg(id)}${agentFlagFor(inputs, id)} (paste the key again from where it was issued)`
    })
  }
  return found.length > 0 ? found : [allClear("unsendable-secrets", "every stored secret can be sent in a request (visible ASCII)")]
}

const renewCommand = (inputs: DoctorInputs, id: string, provider: ProviderId, type: "token" | "oauth"): string =>
  type === "oauth"
    ? `openclaw models auth login --provider ${provider}${agentFlagFor(inputs, id)}`
    : provider === "anthropic"
      ? `openclaw models auth setup-token --provider anthropic --profile-id ${shellArg(id)}${agentFlagFor(inputs, id)} (or paste-token with a new token)`
      : `openclaw models auth paste-token --provider ${provider} --profile-id ${shellArg(id)}${agentFlagFor(inputs, id)}`

export const profileExpiry = (inputs: DoctorInputs, store: AuthStore): ReadonlyArray<Check> => {
  const found: Array<Check> = []
  let checked = 0
  for (const [id, c] of store.profiles) {
    if (c.type === "api_key") continue
    // §5.2: a refreshable oauth profile is only out of date once its last refresh was refused.
    const refreshFailed = lastRefreshFailed(store.usageStats[id])
    const e = credentialExpiry(c, inputs.now, refreshFailed)
    if (e.status === "static") continue
    checked++
    if (e.status === "ok") continue
    const refreshable = refreshFailed && c.type === "oauth" ? " (its last refresh was refused)" : ""
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

export const cooldowns = (inputs: DoctorInputs, store: AuthStore): ReadonlyArray<Check> => {
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

export const missingCredentials = (inputs: DoctorInputs, store: AuthStore, config: OpenClawConfig): ReadonlyArray<Check> => {
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


/** Beyond §5: an env key hidden by a profile, or profiles passed over for an env key, change who is billed. */
export const envShadowing = (inputs: DoctorInputs, store: AuthStore, config: OpenClawConfig): ReadonlyArray<Check> => {
  const providers = new Set<ProviderId>(providersInUse(inputs.models))
  for (const c of store.profiles.values()) providers.add(c.provider)
  for (const p of PROVIDERS) if (Option.isSome(envKeyFor(inputs.env, p.id))) providers.add(p.id)
  const found: Array<Check> = []
  for (const provider of providers) {
    const resolved = resolveAll(inputs, store, config, provider)
    if (Either.isLeft(resolved)) continue
    const shadowing = credentialShadowing({ store, env: inputs.env }, provider, resolved.right)
    if (shadowing === undefined) continue
    found.push({
      id: "env-shadowing",
      subject: provider,
      status: "warn",
      summary: describeShadowing(provider, shadowing),
      remediation:
        shadowing.kind === "env-hidden"
          ? `to use ${shadowing.envName}: openclaw models auth logout --profile-id ${shellArg(shadowing.profileId)}${agentFlagFor(inputs, shadowing.profileId)}; otherwise remove ${shadowing.envName} from ${formatEnvSource(shadowing.envSource)}`
          : `openclaw models status${agentFlag(inputs)} (says why each profile is unusable)`
    })
  }
  return found.length > 0 ? found : [allClear("env-shadowing", "no environment key and stored profile compete for a provider")]
}

/**
 * The gateway daemon reads `<state>/.env` and the config, not this shell (§8.1). Names only: values are never
 * compared or shown. A provider that resolves to a stored profile does not need its key there.
 */
export const daemonEnv = (inputs: DoctorInputs, store: AuthStore | undefined, config: OpenClawConfig | undefined): ReadonlyArray<Check> => {
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

export const claudeCli = (inputs: DoctorInputs, store: AuthStore): ReadonlyArray<Check> => {
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
