import * as Effect from "effect/Effect"
import type { Redis } from "ioredis"
import type { UsageStats } from "../../domain/AuthStore.js"
import type { ProfileId } from "../../domain/ProfileId.js"
import type { ProviderId } from "../../domain/Provider.js"
import { decodeSharedUsage, encodeSharedUsage, mergeUsage } from "../../domain/SharedUsage.js"
import type { ProfileStoreShape, StoreDocument } from "../ProfileStore.js"
import type { UsageStateShape, UsageTarget } from "../UsageState.js"
import type { RedisConnection } from "./RedisConnection.js"

/**
 * Usage state in Redis (§10): a hash per agent, `<prefix>usage:<agentId>`, with `p:<profileId>` → the stats as JSON
 * and `g:<provider>` → lastGood. Every change is a compare-and-set in one Lua script (the stats as read → the stats
 * computed from them, lastGood in the same step), retried on a conflict: a failure two gateways count at once is
 * counted twice, never lost. Unreachable → this host's store file (the file layer) and, when Redis is back, what was
 * recorded here meanwhile is merged in.
 */

/** The write of a compare-and-set: the field to ARGV[3] (or removed), lastGood ARGV[4] to ARGV[5]. */
const CAS_WRITE = `
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], ARGV[4], ARGV[5]) end
return 1`

const CAS_USAGE = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (current or '') ~= ARGV[2] then return 0 end${CAS_WRITE}`

/**
 * The most a usage field may hold to be read (a record is ~200 bytes, its last error message ~1 KB). Whoever can
 * write to the Redis could plant a field of hundreds of MB that every request would read whole: such a field is
 * left unread (and a stats field overwritten at its next change), so the gateway's memory and latency stay bounded.
 */
export const MAX_USAGE_FIELD_BYTES = 64 * 1024

/** The hash's fields of at most ARGV[1] bytes, as HGETALL gives them; larger ones are not read at all. */
const BOUNDED_HGETALL = `
local out = {}
local max = tonumber(ARGV[1])
local fields = redis.call('HKEYS', KEYS[1])
for i = 1, #fields do
  if redis.call('HSTRLEN', KEYS[1], fields[i]) <= max then
    out[#out + 1] = fields[i]
    out[#out + 1] = redis.call('HGET', KEYS[1], fields[i])
  end
end
return out`

/** One field (nil when missing), or the integer 0 when it is larger than ARGV[2] bytes: then it is not read. */
const BOUNDED_HGET = `
if redis.call('HSTRLEN', KEYS[1], ARGV[1]) > tonumber(ARGV[2]) then return 0 end
return redis.call('HGET', KEYS[1], ARGV[1])`

/** CAS_USAGE for a field that was too large to read: written only while it still is (no one replaced it meanwhile). */
const CAS_OVERSIZED = `
if redis.call('HSTRLEN', KEYS[1], ARGV[1]) <= tonumber(ARGV[2]) then return 0 end${CAS_WRITE}`

type CasClient = Redis & {
  casUsage: (key: string, field: string, expected: string, next: string, goodField: string, goodValue: string) => Promise<number>
  casOversized: (key: string, field: string, max: string, next: string, goodField: string, goodValue: string) => Promise<number>
  boundedHgetall: (key: string, max: string) => Promise<Array<string>>
  boundedHget: (key: string, field: string, max: string) => Promise<string | number | null>
}

/** The hash's stats and lastGood, laid over `usageStats` and `lastGood` (which this fills in place). */
const layHash = (hash: Readonly<Record<string, string>>, usageStats: Record<string, UsageStats>, lastGood: Record<string, ProfileId>): void => {
  for (const [field, text] of Object.entries(hash)) {
    if (field.startsWith("p:")) {
      const stats = decodeSharedUsage(text)
      if (stats !== undefined) usageStats[field.slice(2)] = stats
    } else if (field.startsWith("g:")) lastGood[field.slice(2)] = text as ProfileId
  }
}

/** The hash as an object, read through BOUNDED_HGETALL. */
const readUsageHash = async (client: CasClient, key: string): Promise<Record<string, string>> => {
  const flat = await client.boundedHgetall(key, String(MAX_USAGE_FIELD_BYTES))
  const hash: Record<string, string> = Object.create(null)
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!
  return hash
}

const MAX_ATTEMPTS = 50
const usageKey = (agentId: string) => `usage:${agentId}`
const profileField = (id: string) => `p:${id}`

/** `f` applied to the stats as Redis holds them now, written only if no one changed them meanwhile; else again. */
const casLoop = async (
  client: CasClient,
  agentId: string,
  profileId: ProfileId,
  f: (current: UsageStats) => UsageStats | undefined,
  lastGood?: { readonly provider: string }
): Promise<UsageStats | undefined> => {
  const key = usageKey(agentId)
  const field = profileField(profileId)
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const read = await client.boundedHget(key, field, String(MAX_USAGE_FIELD_BYTES))
    // A field too large to read is replaced as if empty, by a CAS that holds while it is still that large.
    const text = typeof read === "number" ? undefined : (read ?? "")
    const next = f((text === undefined ? undefined : decodeSharedUsage(text)) ?? {})
    const written =
      text === undefined
        ? await client.casOversized(key, field, String(MAX_USAGE_FIELD_BYTES), encodeSharedUsage(next), lastGood ? `g:${lastGood.provider}` : "", profileId)
        : await client.casUsage(key, field, text, encodeSharedUsage(next), lastGood ? `g:${lastGood.provider}` : "", profileId)
    if (written === 1) return next
  }
  throw new Error(`usage of ${profileId} changed ${MAX_ATTEMPTS} times while being updated`)
}

export const makeRedisUsage = (connection: RedisConnection, profiles: ProfileStoreShape, local: UsageStateShape): UsageStateShape => {
  const client = connection.client as CasClient
  client.defineCommand("casUsage", { numberOfKeys: 1, lua: CAS_USAGE })
  client.defineCommand("casOversized", { numberOfKeys: 1, lua: CAS_OVERSIZED })
  client.defineCommand("boundedHgetall", { numberOfKeys: 1, lua: BOUNDED_HGETALL })
  client.defineCommand("boundedHget", { numberOfKeys: 1, lua: BOUNDED_HGET })
  /** Profiles whose usage went to the file during an outage, by agent: merged into Redis when it is back. */
  const pending = new Map<string, { target: UsageTarget; ids: Set<ProfileId> }>()
  /**
   * The shared state as this gateway last saw it, by agent: while Redis is unreachable it is laid over the file, so
   * the cooldowns and disables this gateway knew of still hold (§10, §5.3). Without it, an outage made every profile
   * look fresh: a rate-limited key was called again two seconds later. In memory only: a restart during an outage
   * starts from the file. A view keeps references only (the hash as read, the file's usage); they are decoded, with
   * this gateway's writes since laid over them, only when Redis is away.
   */
  interface Known {
    readonly hash: Readonly<Record<string, string>>
    /** The file's usage at that view: a profile whose file entry someone else changed since is the file's. */
    readonly fileStats: Readonly<Record<string, UsageStats>>
    /** What this gateway wrote since (to Redis or, during an outage, to the file), by profile; undefined: removed. */
    wrote?: Map<string, UsageStats | undefined>
    goods?: Map<string, ProfileId>
    /** What this gateway wrote to the file during the outage, as JSON: its own change, not someone else's. */
    fileWritten?: Map<string, string>
  }
  const known = new Map<string, Known>()
  const knownOf = (agentId: string): Known => {
    let entry = known.get(agentId)
    if (entry === undefined) known.set(agentId, (entry = { hash: {}, fileStats: {} }))
    return entry
  }
  /** The usage stats and lastGood a Known stands for. */
  const decodeKnown = (k: Known) => {
    const usageStats: Record<string, UsageStats> = Object.create(null)
    const lastGood: Record<string, ProfileId> = Object.create(null)
    layHash(k.hash, usageStats, lastGood)
    for (const [id, stats] of k.wrote ?? []) {
      if (stats === undefined) delete usageStats[id]
      else usageStats[id] = stats
    }
    for (const [provider, id] of k.goods ?? []) lastGood[provider] = id
    return { usageStats, lastGood }
  }
  const saw = (agentId: string, profileId: ProfileId, stats: UsageStats | undefined, lastGood?: ProviderId) =>
    Effect.sync(() => {
      const entry = knownOf(agentId)
      ;(entry.wrote ??= new Map()).set(profileId, stats)
      if (lastGood !== undefined) (entry.goods ??= new Map()).set(lastGood, profileId)
    })
  /** The file's document with what was last known from Redis laid over it, joined profile by profile. */
  const knownStats = (agentId: string): Readonly<Record<string, UsageStats>> => {
    const k = known.get(agentId)
    return k === undefined ? {} : decodeKnown(k).usageStats
  }
  const withKnown = (target: UsageTarget, doc: StoreDocument): StoreDocument => {
    const last = known.get(target.agentId)
    if (last === undefined) return doc
    const seen = decodeKnown(last)
    const usageStats: Record<string, UsageStats> = Object.assign(Object.create(null), doc.store.usageStats)
    for (const [id, stats] of Object.entries(seen.usageStats)) {
      // Written since by someone else (`cooldowns clear` from the CLI, which reaches only the file now): the file's
      // word is the later one.
      const then = last.fileWritten?.get(id) ?? JSON.stringify(last.fileStats[id])
      if (then !== JSON.stringify(usageStats[id])) continue
      const joined = mergeUsage(stats, usageStats[id])
      if (joined !== undefined) usageStats[id] = joined
    }
    const lastGood: Record<string, ProfileId> = Object.assign(Object.create(null), seen.lastGood, doc.store.lastGood)
    return { ...doc, store: { ...doc.store, usageStats, lastGood } }
  }

  const remember = (target: UsageTarget, ids: Iterable<ProfileId>) =>
    Effect.sync(() => {
      const entry = pending.get(target.agentId) ?? { target, ids: new Set<ProfileId>() }
      for (const id of ids) entry.ids.add(id)
      pending.set(target.agentId, entry)
    })

  connection.onRecover(
    Effect.gen(function* () {
      const batch = [...pending.values()]
      pending.clear()
      for (const { target, ids } of batch) {
        const doc = yield* Effect.orElseSucceed(profiles.load(target.storePath), () => undefined)
        if (doc === undefined) continue
        for (const id of ids) {
          const mine = doc.store.usageStats[id]
          yield* connection.shared("usage resync", (c) => casLoop(c as CasClient, target.agentId, id, (theirs) => mergeUsage(theirs, mine)).then(() => undefined), remember(target, [id]))
        }
      }
    })
  )

  return {
    view: (target, doc) =>
      Effect.map(
        connection.shared("usage read", (c) => readUsageHash(c as CasClient, usageKey(target.agentId)), Effect.succeed(undefined)),
        (hash) => {
          if (hash === undefined) return withKnown(target, doc)
          // Profiles Redis knows nothing of keep what the file says (state from before the switch to Redis).
          known.set(target.agentId, { hash, fileStats: doc.store.usageStats })
          const usageStats: Record<string, UsageStats> = Object.assign(Object.create(null), doc.store.usageStats)
          const lastGood: Record<string, ProfileId> = Object.assign(Object.create(null), doc.store.lastGood)
          layHash(hash, usageStats, lastGood)
          return { ...doc, store: { ...doc.store, usageStats, lastGood } }
        }
      ),
    update: (target, profileId, f, lastGood) =>
      connection.shared(
        "usage update",
        (c) => casLoop(c as CasClient, target.agentId, profileId, f, lastGood === undefined ? undefined : { provider: lastGood }).then((stats) => ({ stats, doc: undefined })),
        // While Redis is away the file takes the change, made to what this gateway knows (file and last Redis view
        // joined): a failure then adds to the known count and cooldown instead of starting over from the file's.
        Effect.zipRight(
          remember(target, [profileId]),
          Effect.tap(
            local.update(target, profileId, (fileStats) => f(mergeUsage(knownStats(target.agentId)[profileId], fileStats) ?? {}), lastGood),
            ({ stats }) => Effect.sync(() => (knownOf(target.agentId).fileWritten ??= new Map()).set(profileId, JSON.stringify(stats)))
          )
        )
      ).pipe(Effect.tap(({ stats }) => saw(target.agentId, profileId, stats, lastGood))),
    clear: (target, f) =>
      Effect.gen(function* () {
        // This host's file too: what it falls back to must not hold what was lifted everywhere else; nor what it
        // last knew from Redis.
        const locally = yield* local.clear(target, f)
        const last = known.get(target.agentId)
        if (last !== undefined) {
          for (const [id, stats] of Object.entries(decodeKnown(last).usageStats)) {
            const change = f(id as ProfileId, stats)
            if (change !== undefined) (last.wrote ??= new Map()).set(id, change(stats))
          }
        }
        const shared = yield* connection.shared(
          "usage clear",
          async (c) => {
            const hash = await readUsageHash(c as CasClient, usageKey(target.agentId))
            const cleared: Array<ProfileId> = []
            for (const [field, text] of Object.entries(hash)) {
              if (!field.startsWith("p:")) continue
              const id = field.slice(2) as ProfileId
              const stats = decodeSharedUsage(text)
              const change = stats === undefined ? undefined : f(id, stats)
              if (change === undefined) continue
              await casLoop(c as CasClient, target.agentId, id, (s) => (f(id, s) === undefined ? s : change(s)))
              cleared.push(id)
            }
            return cleared
          },
          Effect.succeed([] as ReadonlyArray<ProfileId>)
        )
        return [...new Set([...shared, ...locally])]
      })
  }
}
