import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { StateSettings } from "../domain/StateSettings.js"
import { RefreshLock } from "./RefreshLock.js"
import { SessionStore, type SessionStoreOptions } from "./SessionStore.js"
import { StateHealth } from "./StateHealth.js"
import { TokenLimiter } from "./TokenLimiter.js"
import type { FailureLimiterOptions } from "../domain/FailureLimiter.js"
import { UsageState } from "./UsageState.js"
import { mergeInOrder } from "./LayerInOrder.js"

/** This host's files: usage state in the store, the refresh lock file (today's behaviour, the default). */
export const fileSharedState = mergeInOrder(UsageState.file, RefreshLock.file, StateHealth.file)

/**
 * The state layers `gateway.state.backend` chooses (§10), for an edge: this host's files, or Redis. The Redis
 * client (ioredis) is loaded only when it is chosen.
 */
export const sharedStateLayer = (settings: StateSettings) =>
  settings.backend === "file"
    ? fileSharedState
    : Layer.unwrapEffect(Effect.map(Effect.promise(() => import("./redis/RedisState.js")), (m) => m.redisStateLayer(settings)))

/**
 * The gateway's: sessions and the bad-token limiter too. On the file backend, the file state itself comes from the app
 * layer (services/AppLayer.ts), which the gateway runs over.
 */
export const gatewaySharedStateLayer = (settings: StateSettings, sessions: SessionStoreOptions, limiter: FailureLimiterOptions) =>
  settings.backend === "file"
    ? mergeInOrder(SessionStore.layer(sessions), TokenLimiter.memory(limiter))
    : Layer.unwrapEffect(Effect.map(Effect.promise(() => import("./redis/RedisState.js")), (m) => m.redisGatewayStateLayer(settings, sessions, limiter)))
