/**
 * §10, §5.3: while Redis is unreachable a gateway keeps the usage it knew from Redis — what it serves from and what
 * it adds to. Real redis-server, killed mid-test; the file side in memory.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { ChildProcess } from "node:child_process"
import { clearCooldown } from "../../src/domain/AuthStore.js"
import { decodeConfig } from "../../src/domain/Config.js"
import { cooldownSettings, recordFailure } from "../../src/domain/Failure.js"
import type { ProfileId } from "../../src/domain/ProfileId.js"
import type { ProviderId } from "../../src/domain/Provider.js"
import { ProfileStore } from "../../src/services/ProfileStore.js"
import { makeRedisConnection } from "../../src/services/redis/RedisConnection.js"
import { MAX_USAGE_FIELD_BYTES, makeRedisUsage } from "../../src/services/redis/RedisUsage.js"
import { fileUsageState } from "../../src/services/UsageState.js"
import { closedPort } from "../support/fakeProviders.js"
import { MemoryFs } from "../support/MemoryFiles.js"
import { hasRedis, startRedis } from "../support/Redis.js"
import { NOW, STORE, testServices } from "../support/TestApp.js"

const ID = "anthropic:a" as ProfileId
const settings = cooldownSettings(Either.getOrThrow(decodeConfig({})), "anthropic" as ProviderId)
const failure = (at: number) => (stats: Parameters<typeof recordFailure>[0]) => recordFailure(stats, "rate_limit", at, settings)

describe.skipIf(!hasRedis)("Redis usage through an outage (§10, real redis-server)", () => {
  it.scoped("a failure recorded while Redis is down adds to the count and cooldown this gateway knew from Redis", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(closedPort)
      let redis: ChildProcess = yield* Effect.promise(() => startRedis(port))
      yield* Effect.addFinalizer(() => Effect.sync(() => redis.kill("SIGKILL")))
      const fs = new MemoryFs({ [STORE]: JSON.stringify({ version: 1, profiles: { [ID]: { type: "api_key", provider: "anthropic", key: "sk-ant-api03-FAKEoutage0000000000000000" } } }) })
      yield* Effect.gen(function* () {
        const profiles = yield* ProfileStore
        const connection = yield* makeRedisConnection(`redis://127.0.0.1:${port}/0`, `t${process.pid}:`)
        const usage = makeRedisUsage(connection, profiles, fileUsageState(profiles))
        const target = { agentId: "main", storePath: STORE }
        // Two failures through Redis: 2 counted, 5 minutes out.
        yield* usage.update(target, ID, failure(NOW))
        const second = yield* usage.update(target, ID, failure(NOW + 1))
        expect(second.stats).toMatchObject({ errorCount: 2, cooldownUntil: NOW + 1 + 5 * 60_000 })
        expect(JSON.parse(fs.read(STORE)!).usageStats).toBeUndefined()
        // A request's view while Redis is up (the gateway makes one before every choice).
        expect((yield* usage.view(target, yield* profiles.load(STORE))).store.usageStats[ID]).toMatchObject({ errorCount: 2 })

        redis.kill("SIGKILL")
        yield* Effect.promise(() => new Promise((resolve) => redis.once("exit", resolve)))
        // The view still holds what Redis said.
        const doc = yield* profiles.load(STORE)
        expect((yield* usage.view(target, doc)).store.usageStats[ID]).toMatchObject({ errorCount: 2 })
        // A third failure, now into the file: the third step of the ladder (25 min), not the first again.
        const third = yield* usage.update(target, ID, failure(NOW + 2))
        expect(third.stats).toMatchObject({ errorCount: 3, cooldownUntil: NOW + 2 + 25 * 60_000 })
        expect(JSON.parse(fs.read(STORE)!).usageStats[ID]).toMatchObject({ errorCount: 3 })
        // `models auth cooldowns clear` from the CLI meanwhile reaches only the file: its word is the later one.
        yield* fileUsageState(profiles).clear(target, () => (s) => clearCooldown(s))
        expect((yield* usage.view(target, yield* profiles.load(STORE))).store.usageStats[ID]).toBeUndefined()
        redis = yield* Effect.promise(() => startRedis(port))
      }).pipe(Effect.provide(testServices({ fs })))
    })
  )

  it.scoped("a field too large to be usage (planted by whoever can write to Redis) is never read, and the next change replaces it", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(closedPort)
      const redis: ChildProcess = yield* Effect.promise(() => startRedis(port))
      yield* Effect.addFinalizer(() => Effect.sync(() => redis.kill("SIGKILL")))
      const OTHER = "anthropic:b" as ProfileId
      const fs = new MemoryFs({ [STORE]: JSON.stringify({ version: 1, profiles: {
        [ID]: { type: "api_key", provider: "anthropic", key: "sk-ant-api03-FAKEplanted00000000000000000" },
        [OTHER]: { type: "api_key", provider: "anthropic", key: "sk-ant-api03-FAKEplanted11111111111111111" }
      } }) })
      yield* Effect.gen(function* () {
        const profiles = yield* ProfileStore
        const connection = yield* makeRedisConnection(`redis://127.0.0.1:${port}/0`, `t${process.pid}b:`)
        const usage = makeRedisUsage(connection, profiles, fileUsageState(profiles))
        const target = { agentId: "main", storePath: STORE }
        yield* usage.update(target, OTHER, failure(NOW))
        // Well-formed stats, but larger than any usage record: read, it would put the profile out for a day.
        const planted = JSON.stringify({ errorCount: 7, cooldownUntil: NOW + 86_400_000, lastError: { reason: "unknown", at: NOW, message: "x".repeat(MAX_USAGE_FIELD_BYTES) } })
        yield* Effect.promise(() => connection.client.hset("usage:main", `p:${ID}`, planted))
        const viewed = (yield* usage.view(target, yield* profiles.load(STORE))).store.usageStats
        expect(viewed[OTHER]).toMatchObject({ errorCount: 1 })
        expect(viewed[ID]).toBeUndefined()
        // Redis still answers: nothing was taken for an outage.
        expect((yield* connection.health).degraded).toBe(false)
        const replaced = yield* usage.update(target, ID, failure(NOW + 1))
        expect(replaced.stats).toMatchObject({ errorCount: 1 })
        expect(yield* Effect.promise(() => connection.client.hstrlen("usage:main", `p:${ID}`))).toBeLessThan(1_000)
      }).pipe(Effect.provide(testServices({ fs })))
    })
  )
})
