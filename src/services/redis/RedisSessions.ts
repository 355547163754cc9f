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

  connection.onRecover(
    Effect.gen(function* () {
      const keys = [...pending]
      pending.clear()
      for (const key of keys) {
        const state = yield* local.get(key)
        if (state !== undefined) yield* connection.shared("session resync", write(key, state), Effect.sync(() => void pending.add(key)))
      }
    })
  )

  return {
    get: (key) =>
      Effect.flatMap(
        connection.shared("session read", (c) => c.get(sessionKey(key)).then(decode), local.get(key)),
        // A session from before the switch to Redis is still this host's.
        (state) => (state === undefined ? local.get(key) : Effect.succeed(state))
      ),
    set: (key, state) =>
      Effect.zipRight(local.set(key, state), connection.shared("session write", write(key, state), Effect.sync(() => void pending.add(key)))),
    flush: local.flush,
    size: local.size
  }
}
