/**
 * §10, §8.3: a user's pin holds through a Redis outage on every gateway. Real redis-server, paused mid-test; each
 * gateway's own session layer in memory.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { ChildProcess } from "node:child_process"
import type { ProfileId } from "../../src/domain/ProfileId.js"
import type { Session } from "../../src/domain/Session.js"
import { makeRedisConnection } from "../../src/services/redis/RedisConnection.js"
import { makeRedisSessions } from "../../src/services/redis/RedisSessions.js"
import type { SessionStateShape } from "../../src/services/SessionState.js"
import { closedPort } from "../support/fakeProviders.js"
import { hasRedis, startRedis } from "../support/Redis.js"

/** A gateway's own session layer, in memory. */
const memorySessions = (): SessionStateShape => {
  const sessions = new Map<string, Session>()
  return {
    get: (key) => Effect.sync(() => sessions.get(key)),
    set: (key, state) => Effect.sync(() => void sessions.set(key, state)),
    flush: Effect.void,
    size: Effect.sync(() => sessions.size)
  }
}

const pinned: Session = { model: "anthropic/claude-opus-4-6", userPin: "anthropic:a" as ProfileId, updatedAt: 1_000 }
const blindNew: Session = { autoPin: "openai:default" as ProfileId, updatedAt: 2_000 }
const resetByUser: Session = { previousAutoPin: "anthropic:a" as ProfileId, updatedAt: 3_000 }

describe.skipIf(!hasRedis)("sessions on Redis through an outage (§10, §8.3, real redis-server)", () => {
  it.scoped("a pin made on gateway A holds on gateway B while Redis is away, and is not written over when it is back", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(closedPort)
      const redis: ChildProcess = yield* Effect.promise(() => startRedis(port))
      yield* Effect.addFinalizer(() => Effect.sync(() => redis.kill("SIGKILL")))
      const url = `redis://127.0.0.1:${port}/0`
      const prefix = `t${process.pid}:`
      const a = makeRedisSessions(yield* makeRedisConnection(url, prefix), memorySessions())
      const b = makeRedisSessions(yield* makeRedisConnection(url, prefix), memorySessions())
      yield* a.set("main:seen", pinned)
      yield* a.set("main:unseen", pinned)
      // B serves the first session once while Redis is up.
      expect(yield* b.get("main:seen")).toEqual(pinned)

      redis.kill("SIGSTOP")
      // B still knows the session it served: the pin holds.
      expect(yield* b.get("main:seen")).toEqual(pinned)
      // One B never saw: it begins a new session, as it must, without knowing better.
      expect(yield* b.get("main:unseen")).toBeUndefined()
      yield* b.set("main:unseen", blindNew, { automatic: true })
      // A `/new` the user sends meanwhile, in a session B never saw: the user's word, written back as any.
      yield* a.set("main:reset", pinned)
      yield* b.set("main:reset", resetByUser)
      redis.kill("SIGCONT")

      // Redis back: B's next command resynchronises; its blind session does not stand over A's pin.
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 300)))
      yield* Effect.retry(
        Effect.flatMap(b.get("main:seen"), (s) => (s?.userPin === "anthropic:a" ? Effect.void : Effect.fail("not yet"))),
        { times: 20 }
      )
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 300)))
      expect(yield* a.get("main:unseen")).toEqual(pinned)
      expect(yield* b.get("main:unseen")).toEqual(pinned)
      expect(yield* a.get("main:reset")).toEqual(resetByUser)

      // A second outage: B now holds the pin it read, not its own blind session.
      redis.kill("SIGSTOP")
      expect(yield* b.get("main:unseen")).toEqual(pinned)
      redis.kill("SIGCONT")
    })
  )
})
