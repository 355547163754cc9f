import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Either from "effect/Either"
import type { Redis } from "ioredis"
import { randomBytes } from "node:crypto"
import { decodeCredentialEntry, encodeCredential, type OAuthCredential } from "../../domain/Credential.js"
import { LockTimeoutError } from "../../domain/Errors.js"
import type { RefreshKey, RefreshLockShape, SharedCredential } from "../RefreshLock.js"
import type { RedisConnection } from "./RedisConnection.js"

/**
 * The OAuth refresh lock and the refreshed credential in Redis (§7, §10): `SET NX PX` with a random owner token,
 * released by a compare-and-delete script (only its owner releases it; one that outlived its holder expires), and
 * the credential in `<prefix>oauth:<provider>:<profileId>` as `{ v, cred }`, written only if `v` is still the
 * version read. Exactly one refresh per expiry across every gateway and host. Unreachable → this host's lock file.
 */

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

const PUBLISH = `
if (redis.call('HGET', KEYS[1], 'v') or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tostring(tonumber(ARGV[1]) + 1), 'cred', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`

type LockClient = Redis & {
  releaseLock: (key: string, owner: string) => Promise<number>
  publishCredential: (key: string, version: string, json: string, ttl: string) => Promise<number>
}

/** Longer than a refresh may take (10 s): a holder that died lets go by itself. */
const LOCK_TTL_MS = 30_000
/** A refreshed credential is kept a month; the next refresh replaces it long before. */
const CREDENTIAL_TTL_MS = 30 * 24 * 3_600_000
const POLL_MS = 5

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const makeRedisRefreshLock = (connection: RedisConnection, local: RefreshLockShape, waitMs: number): RefreshLockShape => {
  const client = connection.client as LockClient
  client.defineCommand("releaseLock", { numberOfKeys: 1, lua: RELEASE })
  client.defineCommand("publishCredential", { numberOfKeys: 1, lua: PUBLISH })
  const lockKey = (k: RefreshKey) => `lock:oauth:${k.provider}:${k.profileId}`
  const credentialKey = (k: RefreshKey) => `oauth:${k.provider}:${k.profileId}`

  /**
   * The owner token once held; `timeout` when another holder kept it past waitMs; undefined when Redis cannot be
   * reached (each attempt is one bounded operation, so a long wait is not taken for an outage).
   */
  const acquire = (key: string): Effect.Effect<string | "timeout" | undefined> =>
    Effect.suspend(() => {
      const owner = randomBytes(16).toString("hex")
      const deadline = Date.now() + waitMs
      const attempt: Effect.Effect<string | "timeout" | undefined> = Effect.flatMap(
        connection.shared("refresh lock", (c) => c.set(key, owner, "PX", LOCK_TTL_MS, "NX"), Effect.succeed(undefined)),
        (answer) => {
          if (answer === undefined) return Effect.succeed(undefined)
          if (answer === "OK") return Effect.succeed(owner)
          if (Date.now() >= deadline) return Effect.succeed("timeout" as const)
          return Effect.zipRight(Effect.promise(() => sleep(POLL_MS + Math.floor(Math.random() * POLL_MS))), attempt)
        }
      )
      return attempt
    })

  // Waiters in this process queue here and are woken at once on release; only one of them at a time polls Redis.
  const queues = new Map<string, Effect.Semaphore>()
  const queueOf = (key: string) => {
    let queue = queues.get(key)
    if (queue === undefined) queues.set(key, (queue = Effect.unsafeMakeSemaphore(1)))
    return queue
  }

  /** Refreshes running in this process, by key: a request that needs one joins it. */
  const inFlight = new Map<string, { readonly fiber: Fiber.RuntimeFiber<unknown, unknown>; readonly token: object }>()

  return {
    coalesce: <A, E, R>(key: RefreshKey, refresh: Effect.Effect<A, E, R>) =>
      Effect.suspend(() => {
        const id = `${key.stateDir}\u0000${lockKey(key)}`
        const running = inFlight.get(id)
        if (running !== undefined) return Fiber.join(running.fiber as Fiber.RuntimeFiber<A, E>)
        const token = {}
        const forget = Effect.sync(() => (inFlight.get(id)?.token === token ? void inFlight.delete(id) : undefined))
        // A daemon: the request that started it may be abandoned by its client; the others still need the result.
        return Effect.flatMap(Effect.forkDaemon(Effect.ensuring(refresh, forget)), (fiber) => {
          // One that already finished is not remembered (its `forget` has run).
          if (fiber.unsafePoll() === null) inFlight.set(id, { fiber: fiber as Fiber.RuntimeFiber<unknown, unknown>, token })
          return Fiber.join(fiber)
        })
      }),
    withLock: (key, use) =>
      queueOf(lockKey(key)).withPermits(1)(Effect.flatMap(acquire(lockKey(key)), (owner) => {
          // Redis unreachable: this host's lock, as without shared state.
          if (owner === undefined) return local.withLock(key, use)
          if (owner === "timeout") return Effect.fail(new LockTimeoutError({ path: `redis ${connection.prefix}${lockKey(key)}`, waitedMs: waitMs }))
          return Effect.ensuring(
            use,
            connection.shared("refresh unlock", (c) => (c as LockClient).releaseLock(lockKey(key), owner).then(() => undefined), Effect.void)
          )
      })),
    shared: (key) =>
      connection.shared(
        "credential read",
        async (c): Promise<SharedCredential | undefined> => {
          const hash = await c.hgetall(credentialKey(key))
          const version = Number(hash.v ?? "0")
          if (!Number.isSafeInteger(version)) return undefined
          let credential: OAuthCredential | undefined
          try {
            const decoded = hash.cred === undefined ? undefined : decodeCredentialEntry(JSON.parse(hash.cred))
            credential = decoded !== undefined && Either.isRight(decoded) && decoded.right.type === "oauth" ? decoded.right : undefined
          } catch {
            credential = undefined
          }
          // A version without a usable credential still counts: a publish must compare against it.
          return version === 0 && credential === undefined ? undefined : { version, credential }
        },
        Effect.succeed(undefined)
      ),
    publish: (key, credential, version) =>
      connection.shared(
        "credential write",
        (c) => (c as LockClient).publishCredential(credentialKey(key), String(version), JSON.stringify(encodeCredential(credential)), String(CREDENTIAL_TTL_MS)).then(() => undefined),
        Effect.void
      )
  }
}
