import { type AuthStore, profilesOf, type UsageStats } from "./AuthStore.js"
import { type OpenClawConfig, configProfileMode, configuredProfilesOf } from "./Config.js"
import { type Credential, type CredentialType, credentialRef, credentialSecret, OAUTH_REF_REFUSED } from "./Credential.js"
import { unsendableCharacter } from "./SecretInput.js"
import type { SecretRef } from "./SecretRef.js"
import type { ProfileId } from "./ProfileId.js"
import type { ProviderId } from "./Provider.js"

export type Unusable =
  | { readonly kind: "not-found" }
  | { readonly kind: "wrong-provider"; readonly provider: ProviderId }
  | { readonly kind: "mode-mismatch"; readonly configMode: string; readonly storedType: CredentialType }
  | { readonly kind: "no-secret" }
  /** A secret no HTTP header can carry (a control character from a hand-edited file, a newline from a file ref). */
  | { readonly kind: "unsendable"; readonly what: string; readonly position: number }
  /** Its SecretRef did not resolve when the snapshot was built (the snapshot says why). */
  | { readonly kind: "unresolved-ref"; readonly ref: SecretRef }
  /** A ref on a profile the config declares `oauth` (§9). */
  | { readonly kind: "oauth-ref" }
  | { readonly kind: "expired"; readonly expiredAt: number }

export interface Excluded {
  readonly profileId: ProfileId
  readonly why: Unusable
}

export interface Unavailable {
  readonly profileId: ProfileId
  readonly until: number
  readonly reason: "cooldown" | "disabled"
  readonly disabledReason?: string
}

export interface ProfileOrder {
  /** Candidates in the order they are tried: available ones first, then those in cooldown, soonest first. */
  readonly candidates: ReadonlyArray<ProfileId>
  readonly unavailable: ReadonlyArray<Unavailable>
  /** Listed or stored profiles that can never be used as they stand, with why. */
  readonly excluded: ReadonlyArray<Excluded>
  readonly explicit: boolean
}

const TYPE_RANK: Readonly<Record<CredentialType, number>> = { oauth: 0, token: 1, api_key: 2 }

/** A config `oauth` entry accepts a stored `token` (setup-tokens are registered that way). */
const modeAgrees = (configMode: string | undefined, type: CredentialType): boolean =>
  configMode === undefined || configMode === type || (configMode === "oauth" && type === "token")

/** Why a stored credential cannot be used right now, regardless of cooldowns. */
export const whyUnusable = (
  config: OpenClawConfig,
  provider: ProviderId,
  id: ProfileId,
  credential: Credential | undefined,
  now: number
): Unusable | undefined => {
  if (credential === undefined) return { kind: "not-found" }
  if (credential.provider !== provider) return { kind: "wrong-provider", provider: credential.provider }
  const configMode = configProfileMode(config, id)
  if (!modeAgrees(configMode, credential.type)) {
    return { kind: "mode-mismatch", configMode: configMode!, storedType: credential.type }
  }
  const ref = credentialRef(credential)
  if (ref !== undefined && configMode === "oauth") return { kind: "oauth-ref" }
  const secret = credentialSecret(credential)
  if (secret === undefined || secret.trim() === "") return ref === undefined ? { kind: "no-secret" } : { kind: "unresolved-ref", ref }
  if (credential.type === "token" && typeof credential.expires === "number" && credential.expires <= now) {
    return { kind: "expired", expiredAt: credential.expires }
  }
  const odd = unsendableCharacter(secret, "allowed")
  if (odd !== undefined) return { kind: "unsendable", ...odd }
  return undefined
}

export const describeUnusable = (why: Unusable): string => {
  switch (why.kind) {
    case "not-found":
      return "listed (config or order) but not in the store"
    case "wrong-provider":
      return `stored credential is for ${why.provider}`
    case "mode-mismatch":
      return `config says mode "${why.configMode}" but the store holds a ${why.storedType}`
    case "no-secret":
      return "holds no secret"
    case "unsendable":
      return `its secret holds ${why.what} at position ${why.position}, which no key has and no request can carry`
    case "expired":
      return "token expired"
    case "unresolved-ref":
      return "unresolved_ref"
    case "oauth-ref":
      return `config says mode "oauth": ${OAUTH_REF_REFUSED}`
  }
}

/** `max(cooldownUntil, disabledUntil)` when it is in the future. */
export const unavailableUntil = (stats: UsageStats | undefined, now: number): Unavailable["reason"] | undefined => {
  if (!stats) return undefined
  const cooldown = stats.cooldownUntil ?? 0
  const disabled = stats.disabledUntil ?? 0
  if (Math.max(cooldown, disabled) <= now) return undefined
  return disabled >= cooldown ? "disabled" : "cooldown"
}

/** §5.1: which profiles of a provider are tried, in which order. */
export const profileOrder = (
  store: AuthStore,
  config: OpenClawConfig,
  provider: ProviderId,
  now: number
): ProfileOrder => {
  // An empty list (left by hand or by an older tool) is no override: it would otherwise disable the provider.
  const nonEmpty = (ids: ReadonlyArray<ProfileId> | undefined) => (ids !== undefined && ids.length > 0 ? ids : undefined)
  const explicitList = nonEmpty(store.order[provider]) ?? nonEmpty(config.auth?.order?.[provider] as ReadonlyArray<ProfileId> | undefined)
  const configured = configuredProfilesOf(config, provider)
  const stored = profilesOf(store, provider).map(([id]) => id)
  const base = explicitList ?? (configured.length > 0 ? configured : stored)

  const seen = new Set<ProfileId>()
  const usable: Array<ProfileId> = []
  const excluded: Array<Excluded> = []
  for (const id of base) {
    if (seen.has(id)) continue
    seen.add(id)
    const why = whyUnusable(config, provider, id, store.profiles.get(id), now)
    if (why) excluded.push({ profileId: id, why })
    else usable.push(id)
  }

  const unavailable: Array<Unavailable> = []
  const available: Array<ProfileId> = []
  for (const id of usable) {
    const stats = store.usageStats[id]
    const reason = unavailableUntil(stats, now)
    if (reason === undefined) available.push(id)
    else {
      unavailable.push({
        profileId: id,
        until: Math.max(stats?.cooldownUntil ?? 0, stats?.disabledUntil ?? 0),
        reason,
        ...(reason === "disabled" && stats?.disabledReason ? { disabledReason: stats.disabledReason } : {})
      })
    }
  }
  // Array.prototype.sort is stable, so ties keep the base order.
  unavailable.sort((a, b) => a.until - b.until)
  return {
    candidates: [...(explicitList === undefined ? byTypeThenLeastRecent(store, available) : available), ...unavailable.map((u) => u.profileId)],
    unavailable,
    excluded,
    explicit: explicitList !== undefined
  }
}

/**
 * `ids` by type (oauth, token, api_key), then least recently used first, ties in their order (a stable sort). Each
 * id's keys are looked up once, not at every comparison: thousands of profiles of one provider made the lookups
 * in the comparator most of the cost of ordering them.
 */
const byTypeThenLeastRecent = (store: AuthStore, ids: ReadonlyArray<ProfileId>): Array<ProfileId> => {
  const rank = new Array<number>(ids.length)
  const lastUsed = new Array<number>(ids.length)
  const at = new Array<number>(ids.length)
  for (let i = 0; i < ids.length; i++) {
    rank[i] = TYPE_RANK[store.profiles.get(ids[i]!)!.type]
    lastUsed[i] = store.usageStats[ids[i]!]?.lastUsed ?? 0
    at[i] = i
  }
  at.sort((a, b) => rank[a]! - rank[b]! || lastUsed[a]! - lastUsed[b]! || a - b)
  return at.map((i) => ids[i]!)
}
