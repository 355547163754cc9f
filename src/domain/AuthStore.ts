import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { type Credential, decodeCredentialEntry, describe, encodeCredential, firstProblem } from "./Credential.js"
import { firstControlCharacter } from "./ControlCharacters.js"
import type { ProfileId } from "./ProfileId.js"
import { normalizeProvider, type ProviderId } from "./Provider.js"

export type JsonObject = { readonly [key: string]: unknown }

const FAILURE_REASONS = ["auth", "format", "rate_limit", "billing", "timeout", "unknown"] as const
export type FailureReason = (typeof FAILURE_REASONS)[number]

export const UsageStats = Schema.Struct({
  lastUsed: Schema.optional(Schema.Number),
  cooldownUntil: Schema.optional(Schema.Number),
  disabledUntil: Schema.optional(Schema.Number),
  disabledReason: Schema.optional(Schema.String),
  errorCount: Schema.optional(Schema.Number),
  failureCounts: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Number })),
  lastFailureAt: Schema.optional(Schema.Number),
  /** This project's addition: the last failure's reason, time and (scrubbed) message; read by domain/ChatFailure. */
  lastError: Schema.optional(Schema.Unknown),
  /**
   * This project's addition (§5.2): the last OAuth refresh the token endpoint refused, `{ at, reason }` (scrubbed);
   * cleared by a successful refresh. While set, an expired or expiring oauth profile counts as `expired`.
   */
  lastRefreshError: Schema.optional(Schema.Unknown)
})
export type UsageStats = typeof UsageStats.Type

/** The sections whose shape must be right; individual profiles are read leniently instead. */
export const StoreShape = Schema.Struct({
  version: Schema.optional(Schema.Number),
  profiles: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  order: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Array(Schema.String) })),
  lastGood: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  usageStats: Schema.optional(Schema.Record({ key: Schema.String, value: UsageStats }))
})

const INVALID = Symbol("invalid")
type Checked<A> = A | typeof INVALID

/** Whether a parsed record has a key named like a prototype property (JSON.parse makes each an own property). */
const hasPrototypeKey = (value: object): boolean =>
  Object.hasOwn(value, "__proto__") || Object.hasOwn(value, "constructor") || Object.hasOwn(value, "prototype")

/** A copy of a record whose every value `item` accepts; prototype keys are left to the schema. */
const recordOf = <A>(value: unknown, item: (v: unknown) => Checked<A>): Checked<Record<string, A>> => {
  if (!Predicate.isRecord(value) || hasPrototypeKey(value)) return INVALID
  const out: Record<string, A> = {}
  for (const key of Object.keys(value)) {
    const checked = item(value[key])
    if (checked === INVALID) return INVALID
    out[key] = checked
  }
  return out
}

/** The profiles section as it is (only read, never changed): its entries are checked one by one afterwards. */
const profilesRecord = (value: unknown): Checked<Record<string, unknown>> =>
  Predicate.isRecord(value) && !hasPrototypeKey(value) ? value : INVALID
const number = (v: unknown): Checked<number> => (typeof v === "number" ? v : INVALID)
const string = (v: unknown): Checked<string> => (typeof v === "string" ? v : INVALID)
const strings = (v: unknown): Checked<Array<string>> => {
  if (!Array.isArray(v)) return INVALID
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "string") return INVALID
  return v.slice()
}
const numbers = (v: unknown) => recordOf(v, number)

/**
 * UsageStats' fields in its order, with what each holds. Typed over every key of UsageStats, so a field added to
 * the schema and not here is a compile error instead of a value the fast path silently drops.
 */
const USAGE_CHECKS: { readonly [K in keyof Required<UsageStats>]: (v: unknown) => Checked<unknown> } = {
  lastUsed: number,
  cooldownUntil: number,
  disabledUntil: number,
  disabledReason: string,
  errorCount: number,
  failureCounts: numbers,
  lastFailureAt: number,
  // Any JSON value: domain/ChatFailure reads it leniently, as the schema does (Schema.Unknown).
  lastError: (v) => v,
  lastRefreshError: (v) => v
}
const USAGE_FIELDS = Object.entries(USAGE_CHECKS) as ReadonlyArray<readonly [keyof UsageStats, (v: unknown) => Checked<unknown>]>
const usageStats = (v: unknown): Checked<UsageStats> => {
  if (!Predicate.isRecord(v)) return INVALID
  const out: Record<string, unknown> = {}
  for (const [field, item] of USAGE_FIELDS) {
    if (!Object.hasOwn(v, field)) continue
    const checked = item(v[field])
    if (checked === INVALID) return INVALID
    out[field] = checked
  }
  return out as UsageStats
}

/**
 * The sections as StoreShape decodes them, built directly when every value already holds what it must (the
 * files openclaw and OpenClaw write): Schema's generic walk over 20,000 profiles and their usage stats costs more
 * than everything else `auth list` does. Anything else is `undefined`, and the schema reads it and says what is
 * wrong. A section present but undefined reads as absent, as with the schema.
 */
export const wellFormedStoreShape = (raw: JsonObject): typeof StoreShape.Type | undefined => {
  const section = <A>(key: string, item: (v: unknown) => Checked<A>): Checked<A | undefined> =>
    raw[key] === undefined ? undefined : item(raw[key])
  const version = section("version", number)
  const profiles = section("profiles", profilesRecord)
  const order = section("order", (v) => recordOf(v, strings))
  const lastGood = section("lastGood", (v) => recordOf(v, string))
  const stats = section("usageStats", (v) => recordOf(v, usageStats))
  if (version === INVALID || profiles === INVALID || order === INVALID || lastGood === INVALID || stats === INVALID) return undefined
  return { version, profiles, order, lastGood, usageStats: stats }
}

export interface SkippedProfile {
  readonly profileId: string
  readonly reason: string
}

/** `auth-profiles.json` v1 as the programs see it (§3.1). */
export interface AuthStore {
  readonly version: number
  readonly profiles: ReadonlyMap<ProfileId, Credential>
  readonly order: Readonly<Record<string, ReadonlyArray<ProfileId>>>
  readonly lastGood: Readonly<Record<string, ProfileId>>
  readonly usageStats: Readonly<Record<string, UsageStats>>
  readonly skipped: ReadonlyArray<SkippedProfile>
}



/** Fails with `at: problem` when a section has the wrong shape; a bad profile entry is skipped and reported. */
export const decodeAuthStore = (raw: unknown): Either.Either<AuthStore, string> => {
  if (!Predicate.isRecord(raw)) return Either.left(`expected a JSON object at the top level, got ${describe(raw)}`)
  const wellFormed = wellFormedStoreShape(raw)
  const decoded = wellFormed !== undefined ? Either.right(wellFormed) : Schema.decodeUnknownEither(StoreShape)(raw).pipe(Either.mapLeft(firstProblem))
  return decoded.pipe(
    Either.map((shape) => {
      const profiles = new Map<ProfileId, Credential>()
      const skipped: Array<SkippedProfile> = []
      const entries = shape.profiles ?? {}
      for (const id of Object.keys(entries)) {
        const control = firstControlCharacter(id)
        if (control) {
          skipped.push({ profileId: id, reason: `its id contains ${control.name} (a control character); rename the entry by hand` })
          continue
        }
        const decoded = decodeCredentialEntry(entries[id])
        if (Either.isLeft(decoded)) skipped.push({ profileId: id, reason: decoded.left })
        else profiles.set(id as ProfileId, decoded.right)
      }
      // No prototype: these are looked up by provider and profile ids that came from outside (§11).
      const order: Record<string, ReadonlyArray<ProfileId>> = Object.create(null)
      for (const [provider, ids] of Object.entries(shape.order ?? {})) {
        order[normalizeProvider(provider)] = ids as ReadonlyArray<ProfileId>
      }
      const lastGood: Record<string, ProfileId> = Object.create(null)
      for (const [provider, id] of Object.entries(shape.lastGood ?? {})) {
        lastGood[normalizeProvider(provider)] = id as ProfileId
      }
      return {
        version: shape.version ?? 1,
        profiles,
        order,
        lastGood,
        usageStats: Object.assign(Object.create(null), shape.usageStats),
        skipped
      }
    })
  )
}

type ProfilesByProvider = ReadonlyMap<ProviderId, ReadonlyArray<readonly [ProfileId, Credential]>>
// Built once per profiles map (never changed after decoding): status, ordering and resolution ask provider by
// provider, and a scan of every profile each time made them quadratic in stores with many providers.
const indexes = new WeakMap<AuthStore["profiles"], ProfilesByProvider>()

/** The store's profiles of one provider, in store order. */
export const profilesOf = (store: AuthStore, provider: ProviderId): ReadonlyArray<readonly [ProfileId, Credential]> => {
  let index = indexes.get(store.profiles)
  if (index === undefined) {
    const groups = new Map<ProviderId, Array<readonly [ProfileId, Credential]>>()
    for (const entry of store.profiles) {
      const group = groups.get(entry[1].provider)
      if (group === undefined) groups.set(entry[1].provider, [entry])
      else group.push(entry)
    }
    index = groups
    indexes.set(store.profiles, index)
  }
  return index.get(provider) ?? []
}

// ---- Mutations work on the raw JSON so that fields we do not own survive a rewrite (§3.1). ----

const section = (raw: JsonObject, key: string): Record<string, unknown> => {
  const value = raw[key]
  return Predicate.isRecord(value) ? { ...value } : {}
}

/** Whether the raw store holds an entry for `id`, readable or not (a malformed entry can still be removed). */
export const holdsProfile = (raw: JsonObject, id: string): boolean => {
  const profiles = raw.profiles
  return Predicate.isRecord(profiles) && Object.hasOwn(profiles, id)
}

export const setProfile = (raw: JsonObject, id: ProfileId, credential: Credential): JsonObject => ({
  ...raw,
  version: raw.version ?? 1,
  profiles: { ...section(raw, "profiles"), [id]: encodeCredential(credential) }
})

/**
 * An `order` map (store or config) without `id`. An emptied override is dropped: it would mean "try nothing",
 * while without one the provider's other profiles are used.
 */
export const orderWithout = (order: Readonly<Record<string, unknown>>, id: string): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...order }
  for (const [provider, ids] of Object.entries(order)) {
    if (!Array.isArray(ids)) continue
    const rest = ids.filter((x) => x !== id)
    if (rest.length === 0) delete out[provider]
    else out[provider] = rest
  }
  return out
}

/** Removes the profile and every reference to it: order, lastGood, usageStats. */
export const removeProfile = (raw: JsonObject, id: ProfileId): JsonObject => {
  const profiles = section(raw, "profiles")
  delete profiles[id]
  const order = orderWithout(section(raw, "order"), id)
  const lastGood = section(raw, "lastGood")
  for (const [provider, good] of Object.entries(lastGood)) if (good === id) delete lastGood[provider]
  const usageStats = section(raw, "usageStats")
  delete usageStats[id]
  return { ...raw, profiles, order, lastGood, usageStats }
}

export const setOrder = (raw: JsonObject, provider: ProviderId, ids: ReadonlyArray<ProfileId> | undefined): JsonObject => {
  const order = section(raw, "order")
  if (ids === undefined) delete order[provider]
  else order[provider] = [...ids]
  return { ...raw, order }
}

export const setUsageStats = (
  raw: JsonObject,
  id: ProfileId,
  update: (current: UsageStats) => UsageStats | undefined
): JsonObject => {
  const usageStats = section(raw, "usageStats")
  const current = Predicate.isRecord(usageStats[id]) ? (usageStats[id] as UsageStats) : {}
  const next = update(current)
  if (next === undefined || Object.keys(next).length === 0) delete usageStats[id]
  else usageStats[id] = next
  return { ...raw, usageStats }
}

/** A refused refresh as the store keeps it (§5.2): when, and what the token endpoint said (already scrubbed). */
export const withRefreshFailure = (stats: UsageStats, at: number, reason: string): UsageStats => ({
  ...stats,
  lastRefreshError: { at, reason }
})

/** A successful refresh heals the profile (§5.2). */
export const withoutRefreshFailure = (stats: UsageStats): UsageStats | undefined => {
  const { lastRefreshError: _r, ...rest } = stats
  return Object.keys(rest).length === 0 ? undefined : rest
}

/** Whether the profile's last OAuth refresh was refused (§5.2). */
export const lastRefreshFailed = (stats: UsageStats | undefined): boolean =>
  stats !== undefined && stats.lastRefreshError !== undefined && stats.lastRefreshError !== null

export const setLastGood = (raw: JsonObject, provider: ProviderId, id: ProfileId): JsonObject => ({
  ...raw,
  lastGood: { ...section(raw, "lastGood"), [provider]: id }
})

export const serializeStore = (raw: JsonObject): string => `${JSON.stringify(raw, null, 2)}\n`

/** Lifts cooldowns and disables by hand (beyond §5.3); counters go too, so the next failure starts at 1 minute. */
export const clearCooldown = (stats: UsageStats): UsageStats | undefined => {
  const { cooldownUntil: _c, disabledUntil: _d, disabledReason: _r, errorCount: _e, failureCounts: _f, lastFailureAt: _l, ...rest } = stats
  return Object.keys(rest).length === 0 ? undefined : rest
}

export const hasCooldownState = (stats: UsageStats | undefined): boolean =>
  stats !== undefined &&
  (stats.cooldownUntil !== undefined || stats.disabledUntil !== undefined || (stats.errorCount ?? 0) > 0)

/**
 * A sub-agent sees the main agent's store underneath its own (§3.1): the main profiles, order, lastGood and
 * usage stats, with the sub-agent's own entries winning key by key.
 */
export const overlayStore = (base: AuthStore, own: AuthStore): AuthStore => {
  const ownSkipped = new Set(own.skipped.map((s) => s.profileId))
  return {
    version: own.version,
    profiles: new Map([...base.profiles, ...own.profiles]),
    order: Object.assign(Object.create(null), base.order, own.order),
    lastGood: Object.assign(Object.create(null), base.lastGood, own.lastGood),
    usageStats: Object.assign(Object.create(null), base.usageStats, own.usageStats),
    skipped: [...own.skipped, ...base.skipped.filter((s) => !ownSkipped.has(s.profileId))]
  }
}
