import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { lockTimings } from "../../domain/LockTimings.js"
import { FileLock } from "../FileLock.js"
import { HostProcess } from "../HostProcess.js"
import { ProfileStore } from "../ProfileStore.js"
import { fileRefreshLock, RefreshLock } from "../RefreshLock.js"
import { SessionState } from "../SessionState.js"
import { makeSessionStore, type SessionStoreOptions } from "../SessionStore.js"
import { StateHealth } from "../StateHealth.js"
import { fileUsageState, UsageState } from "../UsageState.js"
import { makeRedisConnection } from "./RedisConnection.js"
import { makeRedisRefreshLock } from "./RedisRefreshLock.js"
import { makeRedisSessions } from "./RedisSessions.js"
import { makeRedisUsage } from "./RedisUsage.js"
import { makeRedisTokenLimiter } from "./RedisTokenLimiter.js"
import { TokenLimiter } from "../TokenLimiter.js"
import type { FailureLimiterOptions } from "../../domain/FailureLimiter.js"

export interface RedisSettings {
  readonly url: string
  readonly prefix: string
}

/** The Redis layers over one connection, each with this host's file layer as its fallback (§10). */
const redisState = (settings: RedisSettings) =>
  Effect.gen(function* () {
    const connection = yield* makeRedisConnection(settings.url, settings.prefix)
    const profiles = yield* ProfileStore
    const usage = makeRedisUsage(connection, profiles, fileUsageState(profiles))
    const lock = makeRedisRefreshLock(connection, fileRefreshLock(yield* FileLock), lockTimings((yield* HostProcess).vars).waitMs)
    const context = Context.make(UsageState, usage).pipe(Context.add(RefreshLock, lock), Context.add(StateHealth, { current: connection.health }))
    return { connection, context }
  })

/** For a command: usage state and the refresh lock. */
export const redisStateLayer = (settings: RedisSettings) => Layer.scopedContext(Effect.map(redisState(settings), (s) => s.context))

/** For the gateway: sessions too, kept in this host's file as well (the fallback), and the bad-token limiter. */
export const redisGatewayStateLayer = (settings: RedisSettings, sessions: SessionStoreOptions, limiter: FailureLimiterOptions) =>
  Layer.scopedContext(
    Effect.gen(function* () {
      const { connection, context } = yield* redisState(settings)
      const local = yield* makeSessionStore(sessions)
      return Context.add(context, SessionState, makeRedisSessions(connection, local)).pipe(
        Context.add(TokenLimiter, makeRedisTokenLimiter(connection, limiter))
      )
    })
  )
