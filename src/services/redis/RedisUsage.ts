import * as Effect from "effect/Effect"
import type { Redis } from "ioredis"
import type { UsageStats } from "../../domain/AuthStore.js"
import type { ProfileId } from "../../domain/ProfileId.js"
import { decodeSharedUsage, encodeSharedUsage, mergeUsage } from "../../domain/SharedUsage.js"
import type { ProfileStoreShape } from "../ProfileStore.js"
import type { UsageStateShape, UsageTarget } from "../UsageState.js"
import type { RedisConnection } from "./RedisConnection.js"

/**
 * Usage state in Redis (§10): a hash per agent, `<prefix>usage:<agentId>`, with `p:<profileId>` → the stats as JSON
 * and `g:<provider>` → lastGood. Every change is a compare-and-set in one Lua script (the stats as read → the stats
 * computed from them, lastGood in the same step), retried on a conflict: a failure two gateways count at once is
 * counted twice, never lost. Unreachable → this host's store file (the file layer) and, when Redis is back, what was
 * recorded here meanwhile is merged in.
 */

const CAS_USAGE = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (current or '') ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], ARGV[4], ARGV[5]) end
return 1`

type CasClient = Redis & {
  casUsage: (key: string, field: string, expected: string, next: string, goodField: string, goodValue: string) => Promise<number>
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
    const text = (await client.hget(key, field)) ?? ""
    const next = f(decodeSharedUsage(text) ?? {})
    const written = await client.casUsage(key, field, text, encodeSharedUsage(next), lastGood ? `g:${lastGood.provider}` : "", profileId)
    if (written === 1) return next
  }
  throw new Error(`usage of ${profileId} changed ${MAX_ATTEMPTS} times while being updated`)
}

export const makeRedisUsage = (connection: RedisConnection, profiles: ProfileStoreShape, local: UsageStateShape): UsageStateShape => {
  const client = connection.client as CasClient
  client.defineCommand("casUsage", { numberOfKeys: 1, lua: CAS_USAGE })
  /** Profiles whose usage went to the file during an outage, by agent: merged into Redis when it is back. */
  const pending = new Map<string, { target: UsageTarget; ids: Set<ProfileId> }>()
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
        connection.shared("usage read", (c) => c.hgetall(usageKey(target.agentId)), Effect.succeed(undefined)),
        (hash) => {
          if (hash === undefined) return doc
          // Profiles Redis knows nothing of keep what the file says (state from before the switch to Redis).
          const usageStats: Record<string, UsageStats> = Object.assign(Object.create(null), doc.store.usageStats)
          const lastGood: Record<string, ProfileId> = Object.assign(Object.create(null), doc.store.lastGood)
          for (const [field, text] of Object.entries(hash)) {
            if (field.startsWith("p:")) {
              const stats = decodeSharedUsage(text)
              if (stats !== undefined) usageStats[field.slice(2)] = stats
            } else if (field.startsWith("g:")) lastGood[field.slice(2)] = text as ProfileId
          }
          return { ...doc, store: { ...doc.store, usageStats, lastGood } }
        }
      ),
    update: (target, profileId, f, lastGood) =>
      connection.shared(
        "usage update",
        (c) => casLoop(c as CasClient, target.agentId, profileId, f, lastGood === undefined ? undefined : { provider: lastGood }).then((stats) => ({ stats, doc: undefined })),
        Effect.zipRight(remember(target, [profileId]), local.update(target, profileId, f, lastGood))
      ),
    clear: (target, f) =>
      Effect.gen(function* () {
        // This host's file too: what it falls back to must not hold what was lifted everywhere else.
        const locally = yield* local.clear(target, f)
        const shared = yield* connection.shared(
          "usage clear",
          async (c) => {
            const hash = await c.hgetall(usageKey(target.agentId))
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
