import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { OAuthCredential } from "../domain/Credential.js"
import type { FileError, LockTimeoutError } from "../domain/Errors.js"
import { refreshLockPath } from "../domain/OAuth.js"
import type { ProfileId } from "../domain/ProfileId.js"
import type { ProviderId } from "../domain/Provider.js"
import { FileLock } from "./FileLock.js"
import { serviceLayer } from "./LayerInOrder.js"

/** Which OAuth refresh: a profile of a provider, on the host whose state dir is `stateDir`. */
export interface RefreshKey {
  readonly stateDir: string
  readonly provider: ProviderId
  readonly profileId: ProfileId
}

/** A credential refreshed by some process, as the shared layer holds it, with the version a writer compares. */
export interface SharedCredential {
  readonly version: number
  /** Undefined when what is stored cannot be read (never used; its version still counts for the next write). */
  readonly credential: OAuthCredential | undefined
}

/**
 * The OAuth refresh lock of §7 and, where several hosts share state (§10), the refreshed credential itself: one
 * port, two layers chosen at the edge by `gateway.state.backend`. The file layer is this host's lock file, and
 * shares no credential (the store file is the truth); the Redis layer is `SET NX PX` with an owner token, released
 * only by its owner, and the credential is written by compare-and-set on the version that was read.
 */
export interface RefreshLockShape {
  readonly withLock: <A, E, R>(key: RefreshKey, use: Effect.Effect<A, E, R>) => Effect.Effect<A, E | LockTimeoutError | FileError, R>
  /** The credential last refreshed anywhere (call it under the lock); none for the file layer. */
  readonly shared: (key: RefreshKey) => Effect.Effect<SharedCredential | undefined>
  /**
   * Runs `refresh` for `key` unless this process is already running one for it, whose result is then shared: under
   * load many requests of one gateway need the same refresh, and one of them taking the lock is enough. The file
   * layer runs each one (as before).
   */
  readonly coalesce: <A, E, R>(key: RefreshKey, refresh: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Publishes a credential this process refreshed, if the shared version is still `version` (what `shared` said). */
  readonly publish: (key: RefreshKey, credential: OAuthCredential, version: number) => Effect.Effect<void>
}

export class RefreshLock extends Context.Tag("openclaw/RefreshLock")<RefreshLock, RefreshLockShape>() {
  /** This host's lock file per (provider, profile): today's behaviour, the default. */
  static readonly file = serviceLayer(
    RefreshLock,
    Effect.map(FileLock, (lock) => fileRefreshLock(lock))
  )
}

export const fileRefreshLock = (lock: Context.Tag.Service<FileLock>): RefreshLockShape => ({
  withLock: (key, use) => lock.withLock(refreshLockPath(key.stateDir, key.provider, key.profileId), use),
  shared: () => Effect.succeed(undefined),
  coalesce: (_key, refresh) => refresh,
  publish: () => Effect.void
})
