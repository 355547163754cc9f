import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import type { Redis, RedisOptions } from "ioredis"
import type { StateHealthReport } from "../StateHealth.js"

/** Longest a request waits for Redis before it goes on with this host's state (§10: degraded, not down). */
export const OPERATION_TIMEOUT_MS = 500
/** How long start-up waits for the first connection; the gateway serves from local state meanwhile. */
const CONNECT_WAIT_MS = 1_000

/**
 * One client per process (ioredis), shared by the usage, session and refresh-lock layers. Commands are never queued
 * while disconnected: each operation either reaches Redis within OPERATION_TIMEOUT_MS or runs its local fallback at
 * once, and the connection is re-established in the background. When it is back, the recovery hooks push what was
 * recorded locally meanwhile (resync).
 */
export interface RedisConnection {
  readonly client: Redis
  readonly prefix: string
  readonly health: Effect.Effect<StateHealthReport>
  /** `op` on Redis, or — unreachable, slow, failing — `local`, and the outage is recorded (health, resync). */
  readonly shared: <A, E, R>(what: string, op: (client: Redis) => Promise<A>, local: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Runs after every outage, once Redis answers again. */
  readonly onRecover: (hook: Effect.Effect<void>) => void
}

const reasonOf = (e: unknown): string => {
  const text = e instanceof Error ? e.message : String(e)
  // ioredis' messages name host and port, never the password; keep them short and on one line.
  return text.replace(/\s+/g, " ").slice(0, 200)
}

/** Redis answered, but refused who we said we are: a wrong password or user, not a server that is down. */
const refusedCredentials = (reason: string): boolean => /\b(WRONGPASS|NOAUTH|NOPERM)\b|invalid username-password/i.test(reason)

export const outageProblem = (reason: string): string =>
  refusedCredentials(reason) ? "shared state (Redis) refused the credentials of gateway.state.url" : "shared state (Redis) unreachable"

export const outageFix = (reason: string): string =>
  refusedCredentials(reason)
    ? "check the user name and password in gateway.state.url (or the ref it comes from) against the Redis server's ACL or requirepass"
    : "check gateway.state.url and that the Redis server is running and reachable"

export const makeRedisConnection = (url: string, prefix: string): Effect.Effect<RedisConnection, never, Scope.Scope> =>
  Effect.gen(function* () {
    const { Redis } = yield* Effect.promise(() => import("ioredis"))
    const runtime = yield* Effect.runtime<never>()
    const options: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: OPERATION_TIMEOUT_MS,
      connectTimeout: 1_000,
      // Reconnect forever, at most a second apart: the outage ends when Redis is back, not when we gave up.
      retryStrategy: (times) => Math.min(50 * times, 1_000),
      keyPrefix: prefix
    }
    const client = new Redis(url, options)
    let down: string | undefined
    const hooks: Array<Effect.Effect<void>> = []
    let closing = false
    const markDown = (reason: string) => {
      if (closing) return
      if (down === undefined) Runtime.runFork(runtime)(Effect.logWarning(`${outageProblem(reason)}, serving from this host's state: ${reason.replace(/\.$/, "")}. Fix: ${outageFix(reason)}`))
      down = reason
    }
    client.on("error", (e) => markDown(reasonOf(e)))
    client.on("close", () => markDown("connection closed"))
    const recover = () => {
      const was = down
      down = undefined
      if (was !== undefined && hooks.length > 0) {
        Runtime.runFork(runtime)(
          Effect.zipRight(
            Effect.logInfo("shared state (Redis) reachable again; resynchronising"),
            Effect.forEach(hooks, (h) => Effect.catchAllCause(h, (c) => Effect.logWarning(`resync: ${reasonOf(c)}`)), { discard: true })
          )
        )
      }
    }
    client.on("ready", recover)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        closing = true
        client.disconnect()
      })
    )
    // The first connection, bounded: a gateway whose Redis is down starts (at once when it is refused) and serves,
    // degraded; the client goes on trying in the background.
    yield* Effect.async<void>((resume) => {
      const done = () => {
        client.off("ready", done)
        client.off("error", done)
        resume(Effect.void)
      }
      client.once("ready", done)
      client.once("error", done)
      client.connect().catch(() => undefined)
    }).pipe(Effect.timeout(Duration.millis(CONNECT_WAIT_MS)), Effect.ignore)

    const shared = <A, E, R>(what: string, op: (client: Redis) => Promise<A>, local: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.suspend(() => {
        if (client.status !== "ready") {
          markDown(down ?? `connection ${client.status}`)
          return local
        }
        return Effect.tryPromise({ try: () => op(client), catch: reasonOf }).pipe(
          Effect.timeoutFail({ duration: Duration.millis(OPERATION_TIMEOUT_MS * 2), onTimeout: () => `${what} took longer than ${OPERATION_TIMEOUT_MS * 2} ms` }),
          Effect.matchEffect({
            // A failed command on a live connection (no 'ready' follows it) ends the outage with the next success.
            onSuccess: (a) => Effect.as(Effect.sync(() => (down === undefined ? undefined : recover())), a),
            onFailure: (reason) => Effect.zipRight(Effect.sync(() => markDown(`${what}: ${reason}`)), local)
          })
        )
      })

    return {
      client,
      prefix,
      health: Effect.sync((): StateHealthReport =>
        down === undefined
          ? { backend: "redis", degraded: false }
          : { backend: "redis", degraded: true, reason: `${refusedCredentials(down) ? "shared state refused our credentials" : "shared state unreachable"} (${down}); serving from this host's state` }
      ),
      shared,
      onRecover: (hook) => void hooks.push(hook)
    }
  })
