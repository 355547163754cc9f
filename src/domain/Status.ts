import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { type AuthStore, lastRefreshFailed } from "./AuthStore.js"
import { type AgentModels, type OpenClawConfig, formatModelRef, providersInUse } from "./Config.js"
import { describeIgnoredEnvVar, type EnvMap, formatEnvSource, type IgnoredEnvVar } from "./Env.js"
import {
  EXPIRY_WARN_MS,
  type ExpiryStatus,
  formatDuration,
  providerExpiry,
  type ProviderExpiryStatus
} from "./Expiry.js"
import { maskSecret } from "./Mask.js"
import { type FlaggedProfile, flaggedProfiles, flagLabel, rowSource, storedProfileRows, unavailableLabel } from "./StoredProfiles.js"
import { isRefreshable } from "./OAuth.js"
import { describeUnusable, profileOrder, unavailableUntil } from "./Order.js"
import type { ProfileId } from "./ProfileId.js"
import { type ProviderId, PROVIDERS } from "./Provider.js"
import { credentialShadowing, describeShadowing, envKeyFor, resolveFromOrder } from "./Resolve.js"
import type { AgentPaths, HostPaths } from "./Paths.js"
import { configKeySource, refWarnings, secretRefRows, type StatusRefInputs, type StatusSecretRef, unresolvedReason } from "./StatusRefs.js"

/** Everything the report is computed from; the program gathers it, this module only computes. */
export interface StatusInputs {
  readonly host: HostPaths
  readonly agent: AgentPaths
  readonly config: OpenClawConfig
  readonly models: AgentModels
  readonly env: EnvMap
  readonly store: AuthStore
  readonly shellEnv: { readonly enabled: boolean; readonly appliedKeys: ReadonlyArray<string>; readonly error?: string }
  readonly missingConfigVars: ReadonlyArray<string>
  /** Variables of `./.env` that were refused (§4.1). */
  readonly ignoredEnv?: ReadonlyArray<IgnoredEnvVar>
  readonly notices?: ReadonlyArray<string>
  /** SecretRefs: what resolved, invalid config refs, plain residue beside refs (§9). */
  readonly refs: StatusRefInputs
  readonly now: number
}

export type EffectiveKind = "profiles" | "env" | "models.json" | "missing"

export interface ProviderStatus {
  readonly provider: ProviderId
  readonly inUse: boolean
  readonly effective: { readonly kind: EffectiveKind; readonly detail: string }
  readonly profiles: {
    readonly count: number
    readonly oauth: number
    readonly token: number
    readonly apiKey: number
    readonly labels: ReadonlyArray<string>
  }
  readonly env: { readonly name: string; readonly value: string; readonly source: string } | null
}

export interface ProfileExpiryStatus {
  readonly profileId: ProfileId
  readonly provider: ProviderId
  /** Every stored profile, as OpenClaw lists them: an `api_key` (and a `token` without expiry) is `static`. */
  readonly type: "api_key" | "token" | "oauth"
  readonly status: ExpiryStatus
  /** OpenClaw's keys: the id with the account's email when one is known, and where the profile lives (`store`). */
  readonly label: string
  readonly source: "store"
  readonly expiresAt: number | null
  readonly remainingMs: number | null
  /** An oauth profile with a refresh token: refreshed before use, so `expired` heals on the next request (§7). */
  readonly refreshable: boolean
  /** Its last refresh was refused (usageStats[id].lastRefreshError, §5.2): expired or expiring, it is `expired`. */
  readonly refreshFailed: boolean
}

export interface StatusReport {
  readonly configPath: string
  readonly agentId: string
  readonly agentDir: string
  readonly defaultModel: string
  /** OpenClaw's keys: the default model resolved to `provider/model`, the aliases (alias → model) and the allowed models. */
  readonly resolvedDefault: string
  readonly aliases: Readonly<Record<string, string>>
  readonly allowed: ReadonlyArray<string>
  readonly fallbacks: ReadonlyArray<string>
  readonly auth: {
    readonly storePath: string
    readonly shellEnvFallback: { readonly enabled: boolean; readonly appliedKeys: ReadonlyArray<string>; readonly error?: string }
    readonly providers: ReadonlyArray<ProviderStatus>
    /** Variables of the working directory's `./.env` that were not used (§4.1), with where they belong. */
    readonly ignoredEnv: ReadonlyArray<IgnoredEnvVar & { readonly fix: string }>
    readonly unusableProfiles: ReadonlyArray<{
      readonly profileId: string
      readonly provider: ProviderId
      readonly reason: string
      readonly until: number | null
      /** OpenClaw's keys: `cooldown` or `disabled` while a timer runs (this project adds `unusable`), and the time left. */
      readonly kind: "cooldown" | "disabled" | "unusable"
      readonly remainingMs: number | null
      /** Why, in words, where the reason is a code (`unresolved_ref`). */
      readonly detail?: string
    }>
    readonly skippedProfiles: ReadonlyArray<{ readonly profileId: string; readonly reason: string }>
    /** Usable profiles with control characters in a free-text field (email, account id, client id), §11. */
    readonly flaggedProfiles: ReadonlyArray<FlaggedProfile>
    readonly missingProvidersInUse: ReadonlyArray<ProviderId>
    readonly warnings: ReadonlyArray<string>
    /** Every SecretRef this report's snapshot resolved, by place and label (§9). */
    readonly secretRefs: ReadonlyArray<StatusSecretRef>
    readonly oauth: {
      readonly warnAfterMs: number
      readonly profiles: ReadonlyArray<ProfileExpiryStatus>
      readonly providers: ReadonlyArray<{
        readonly provider: ProviderId
        readonly status: ProviderExpiryStatus
        readonly expiresAt: number | null
        readonly remainingMs: number | null
        /** OpenClaw's key: this provider's entries of `profiles` above. */
        readonly profiles: ReadonlyArray<ProfileExpiryStatus>
      }>
    }
  }
}

const TABLE_ORDER = new Map(PROVIDERS.map((p, i) => [p.id as string, i]))

/** In-use providers first, then the §4.2 table order, then the rest by name. */
const listedProviders = (inputs: StatusInputs, inUse: ReadonlyArray<ProviderId>): ReadonlyArray<ProviderId> => {
  const others = new Set<ProviderId>()
  for (const c of inputs.store.profiles.values()) others.add(c.provider)
  for (const p of PROVIDERS) if (Option.isSome(envKeyFor(inputs.env, p.id))) others.add(p.id)
  for (const p of Object.keys(inputs.config.models?.providers ?? {})) others.add(p as ProviderId)
  for (const p of inUse) others.delete(p)
  const rank = (p: string) => TABLE_ORDER.get(p) ?? Number.MAX_SAFE_INTEGER
  return [...inUse, ...[...others].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))]
}

/**
 * Items by provider, providers in order of first appearance. Grouped once: filtering every profile for each
 * provider made the report quadratic in stores with many providers.
 */
const byProvider = <A>(items: ReadonlyArray<A>, providerOf: (a: A) => ProviderId): ReadonlyMap<ProviderId, ReadonlyArray<A>> => {
  const groups = new Map<ProviderId, Array<A>>()
  for (const item of items) {
    const group = groups.get(providerOf(item))
    if (group === undefined) groups.set(providerOf(item), [item])
    else group.push(item)
  }
  return groups
}

export const buildStatusReport = (inputs: StatusInputs): StatusReport => {
  const { store, config, env, now } = inputs
  const inUse = providersInUse(inputs.models)
  const warnings: Array<string> = inputs.missingConfigVars.map(
    (name) => `config references \${${name}}, which is not set in any environment source`
  )
  warnings.push(...(inputs.notices ?? []))
  const ignoredEnv = (inputs.ignoredEnv ?? []).map((v) => ({ ...v, fix: `put ${v.name} in ${inputs.host.stateEnvPath}` }))
  for (const v of ignoredEnv) warnings.push(describeIgnoredEnvVar(v, inputs.host.stateEnvPath))
  if (inputs.shellEnv.error) {
    warnings.push(`login-shell import failed (${inputs.shellEnv.error}); keys set only in your shell profile are not used`)
  }
  const unusableProfiles: Array<StatusReport["auth"]["unusableProfiles"][number]> = []
  const rows = storedProfileRows(store, now)
  const rowsOf = byProvider(rows, (r) => r.credential.provider)
  const flagged = flaggedProfiles(store)
  const flagsOf = new Map<ProfileId, Array<string>>()
  for (const f of flagged) flagsOf.set(f.profileId, [...(flagsOf.get(f.profileId) ?? []), flagLabel(f.field)])
  const missing: Array<ProviderId> = []

  const providers = listedProviders(inputs, inUse).map((provider): ProviderStatus => {
    const order = profileOrder(store, config, provider, now)
    const stored = rowsOf.get(provider) ?? []
    const flags = new Map<string, string>()
    for (const u of order.unavailable) {
      const label = unavailableLabel(u.reason, u.disabledReason)
      flags.set(u.profileId, `[${label} ${formatDuration(u.until - now)}]`)
      unusableProfiles.push({ profileId: u.profileId, provider, reason: label, until: u.until, kind: u.reason, remainingMs: u.until - now })
    }
    for (const x of order.excluded) {
      flags.set(x.profileId, `[unusable: ${describeUnusable(x.why)}]`)
      unusableProfiles.push({
        profileId: x.profileId,
        provider,
        reason: describeUnusable(x.why),
        until: null,
        kind: "unusable",
        remainingMs: null,
        ...(x.why.kind === "unresolved-ref" ? { detail: unresolvedReason(inputs.refs, x.why.ref) } : {})
      })
      if (x.why.kind === "not-found") {
        warnings.push(`profile ${x.profileId} is listed for ${provider} (config auth.profiles or an order) but is not in the store; add it again or remove it from the list`)
      }
      if (x.why.kind === "mode-mismatch") {
        warnings.push(`profile ${x.profileId}: ${describeUnusable(x.why)}; fix the config entry auth.profiles["${x.profileId}"] or re-add the credential`)
      }
    }
    // Profiles an order override leaves out are not in `order.unavailable`, but their cooldown is still real and
    // `auth list` shows it: the same label here, so the two commands agree (not counted as unusable: never tried).
    for (const { profileId: id } of stored) {
      if (flags.has(id)) continue
      const stats = store.usageStats[id]
      const reason = unavailableUntil(stats, now)
      if (reason === undefined) continue
      const until = Math.max(stats?.cooldownUntil ?? 0, stats?.disabledUntil ?? 0)
      flags.set(id, `[${unavailableLabel(reason, stats?.disabledReason)} ${formatDuration(until - now)}]`)
    }
    const labels = stored.map((row) => {
      const { profileId: id, credential: c, secret } = row
      const source = rowSource(row)
      const email = (source === undefined ? "" : ` (${source})`) + (c.email ? ` (${c.email})` : "")
      const own = flagsOf.get(id)
      const flag = own === undefined ? flags.get(id) : [flags.get(id), ...own].filter(Boolean).join(" ")
      return `${id}=${secret}${email}${flag ? ` ${flag}` : ""}`
    })
    const envKey = Option.getOrUndefined(envKeyFor(env, provider))
    const resolved = resolveFromOrder({ store, config, env, now }, provider, order)
    const effective = Either.match(resolved, {
      onLeft: (f): ProviderStatus["effective"] =>
        f.kind === "all-unavailable"
          ? { kind: "profiles", detail: `all profiles unavailable for ${formatDuration(f.until - now)}` }
          : { kind: "missing", detail: "no credential" },
      onRight: (r): ProviderStatus["effective"] => {
        switch (r.kind) {
          case "profile":
            return { kind: "profiles", detail: r.profileId }
          case "env":
            return { kind: "env", detail: `${r.name} (${formatEnvSource(r.source)})` }
          case "config":
            return { kind: "models.json", detail: configKeySource(inputs.refs, provider) ?? `models.providers.${provider}.apiKey` }
          case "none":
            return { kind: "missing", detail: "no key needed: loopback base URL" }
        }
      }
    })
    const isInUse = inUse.includes(provider)
    if (isInUse && Either.isLeft(resolved) && resolved.left.kind === "no-credential") missing.push(provider)
    const shadowing = Either.isRight(resolved) ? credentialShadowing({ store, env }, provider, resolved.right) : undefined
    if (shadowing) warnings.push(describeShadowing(provider, shadowing))
    return {
      provider,
      inUse: isInUse,
      effective,
      profiles: {
        count: stored.length,
        oauth: stored.filter((r) => r.credential.type === "oauth").length,
        token: stored.filter((r) => r.credential.type === "token").length,
        apiKey: stored.filter((r) => r.credential.type === "api_key").length,
        labels
      },
      env: envKey ? { name: envKey.name, value: maskSecret(envKey.value), source: formatEnvSource(envKey.source) } : null
    }
  })

  const expiring: Array<ProfileExpiryStatus> = []
  const configProfiles = config.auth?.profiles ?? {}
  for (const { profileId, credential: c, expiry: e } of rows) {
    const email = configProfiles[profileId]?.email?.trim() || c.email?.trim()
    expiring.push({
      profileId,
      provider: c.provider,
      type: c.type,
      status: e.status,
      label: email ? `${profileId} (${email})` : profileId,
      source: "store",
      expiresAt: e.expiresAt ?? null,
      remainingMs: e.remainingMs ?? null,
      refreshable: isRefreshable(c),
      refreshFailed: lastRefreshFailed(store.usageStats[profileId])
    })
  }
  const expiryProviders = [...byProvider(expiring, (p) => p.provider)].map(([provider, mine]) => {
    const soonest = mine
      .filter((p) => p.expiresAt !== null)
      .sort((a, b) => a.expiresAt! - b.expiresAt!)[0]
    return {
      provider,
      status: providerExpiry(mine.map((p) => ({ type: p.type, expiry: { status: p.status } }))),
      expiresAt: soonest?.expiresAt ?? null,
      remainingMs: soonest?.remainingMs ?? null,
      profiles: mine
    }
  })

  return {
    configPath: inputs.host.configPath,
    agentId: inputs.agent.agentId,
    agentDir: inputs.agent.agentDir,
    defaultModel: formatModelRef(inputs.models.primary),
    resolvedDefault: formatModelRef(inputs.models.primary),
    aliases: Object.fromEntries(
      Object.entries(config.agents?.defaults?.models ?? {}).flatMap(([id, e]) => (e.alias ? [[e.alias.trim(), id] as const] : []))
    ),
    allowed: Object.keys(config.agents?.defaults?.models ?? {}),
    fallbacks: inputs.models.fallbacks.map(formatModelRef),
    auth: {
      storePath: inputs.agent.storePath,
      shellEnvFallback: {
        enabled: inputs.shellEnv.enabled,
        appliedKeys: inputs.shellEnv.appliedKeys,
        ...(inputs.shellEnv.error ? { error: inputs.shellEnv.error } : {})
      },
      providers,
      ignoredEnv,
      unusableProfiles,
      skippedProfiles: store.skipped,
      flaggedProfiles: flagged,
      missingProvidersInUse: missing,
      warnings: [...warnings, ...refWarnings(inputs.refs, inputs.agent.storePath, inputs.host.configPath)],
      secretRefs: secretRefRows(inputs.refs),
      oauth: { warnAfterMs: EXPIRY_WARN_MS, profiles: expiring, providers: expiryProviders }
    }
  }
}

/** `--check` (§6.1): 1 expired/unknown or missing in use, else 2 expiring, else 0. API keys never count. */
export const checkExitCode = (report: StatusReport): 0 | 1 | 2 => {
  const statuses = report.auth.oauth.profiles.map((p) => p.status)
  if (report.auth.missingProvidersInUse.length > 0) return 1
  if (statuses.some((s) => s === "expired" || s === "missing")) return 1
  if (statuses.some((s) => s === "expiring")) return 2
  return 0
}
