import * as Effect from "effect/Effect"
import type { Session } from "../../domain/Session.js"
import { decodeSession } from "../SessionStore.js"
import type { SessionStateShape } from "../SessionState.js"
import type { RedisConnection } from "./RedisConnection.js"

/** A session nobody used for this long is forgotten (the file layer forgets the least recent beyond a count). */
const SESSION_TTL_MS = 30 * 24 * 3_600_000

/**
 * Sessions in Redis (§10): `<prefix>session:<agentId>:<key>` → the session as JSON, so a client's model and pins
 * hold on whichever gateway its next request lands. Every session is also kept in this host's file layer, which
 * serves while Redis is unreachable; what changed meanwhile is written to Redis when it is back (the newer wins).
 */
export const makeRedisSessions = (connection: RedisConnection, local: SessionStateShape): SessionStateShape => {
  const sessionKey = (key: string) => `session:${key}`
  const decode = (text: string | null): Session | undefined => {
    if (text === null) return undefined
    try {
      return decodeSession(JSON.parse(text))
    } catch {
      return undefined
    }
  }
  /** Keys set while Redis was unreachable. */
  const pending = new Set<string>()
  /**
   * Of those, the sessions begun blind: this host knew nothing of the key and stored only its own automatic choice,
   * which may well stand over a session another gateway holds (a user pin, §8.3). Such a session is written back
   * only where Redis has none; once the user says something in it here (`/model`, `/new`) it is written back like
   * any other.
   */
  const blind = new Set<string>()
  // The newer of ours and theirs stands: a script that compares updatedAt, so a resync never undoes a later change.
  const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' and type(decoded.updatedAt) == 'number' and decoded.updatedAt > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`
  const client = connection.client as typeof connection.client & {
    setSessionIfNewer: (key: string, json: string, updatedAt: string, ttl: string) => Promise<number>
  }
  client.defineCommand("setSessionIfNewer", { numberOfKeys: 1, lua: SET_IF_NEWER })
  const write = (key: string, state: Session) => (c: typeof connection.client) =>
    (c as typeof client).setSessionIfNewer(sessionKey(key), JSON.stringify(state), String(state.updatedAt), String(SESSION_TTL_MS)).then(() => undefined)
  const writeIfAbsent = (key: string, state: Session) => (c: typeof connection.client) =>
    c.set(sessionKey(key), JSON.stringify(state), "PX", SESSION_TTL_MS, "NX").then(() => undefined)

  connection.onRecover(
    Effect.gen(function* () {
      const keys = [...pending]
      pending.clear()
      for (const key of keys) {
        const state = yield* local.get(key)
        const unknowing = blind.has(key)
        blind.delete(key)
        if (state === undefined) continue
        yield* connection.shared("session resync", unknowing ? writeIfAbsent(key, state) : write(key, state), Effect.sync(() => void pending.add(key)))
      }
    })
  )

  /**
   * What Redis said of a key, kept here too, so an outage finds this host knowing the session. Redis's word is the
   * session while it answers, older or not — but for a change of ours still waiting for the resync.
   */
  const keep = (key: string, shared: Session) =>
    pending.has(key)
      ? Effect.void
      : Effect.flatMap(local.get(key), (mine) => (mine !== undefined && mine.updatedAt === shared.updatedAt ? Effect.void : local.set(key, shared)))

  return {
    get: (key) =>
      Effect.flatMap(
        connection.shared("session read", (c) => c.get(sessionKey(key)).then((text) => ({ text })), Effect.succeed(undefined)),
        (read) => {
          // Redis away: this host's copy. A session from before the switch to Redis is still this host's too.
          if (read === undefined || read.text === null) return local.get(key)
          const shared = decode(read.text)
          return shared === undefined ? local.get(key) : Effect.as(keep(key, shared), shared)
        }
      ),
    set: (key, state, options) =>
      Effect.gen(function* () {
        // Every session this host read from Redis is kept here (`keep`): one it does not know is new to Redis too,
        // unless Redis is away — or this write reaches it after an outage (a timed-out command still runs).
        const unknowing = options?.automatic === true && ((yield* local.get(key)) === undefined || blind.has(key))
        if (!unknowing) blind.delete(key)
        yield* local.set(key, state)
        yield* connection.shared(
          "session write",
          unknowing ? writeIfAbsent(key, state) : write(key, state),
          Effect.sync(() => {
            pending.add(key)
            if (unknowing) blind.add(key)
          })
        )
      }),
    flush: local.flush,
    size: local.size
  }
}
