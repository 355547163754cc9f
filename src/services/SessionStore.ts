import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Queue from "effect/Queue"
import type { ProfileId } from "../domain/ProfileId.js"
import type { Session } from "../domain/Session.js"
import { FileLock } from "./FileLock.js"
import { Files } from "./Files.js"
import { parseJsonText } from "./JsonDocument.js"
import { Paths } from "./Paths.js"
import { SessionState, type SessionStateShape } from "./SessionState.js"

/**
 * The file layer of SessionState: sessions kept in memory and persisted to `<state>/gateway/sessions.json` so they
 * survive a restart. Reads and updates never touch the disk: writes are coalesced on a timer (and done at
 * shutdown), under the file lock, merged with what another gateway on the same state dir wrote meanwhile.
 */
export interface SessionStoreOptions {
  /** Least recently updated sessions beyond this many are forgotten. */
  readonly maxEntries?: number
  /** How long a change waits for others to join it in one write. */
  readonly writeDelayMs?: number
}

const DEFAULT_MAX_SESSIONS = 10_000
const DEFAULT_WRITE_DELAY_MS = 250

export const SessionStore = {
  /** SessionState from this host's file. */
  layer: (options: SessionStoreOptions = {}) => Layer.scoped(SessionState, makeSessionStore(options))
}

export const sessionsPath = (stateDir: string): string => `${stateDir}/gateway/sessions.json`

const optionalString = (u: unknown): string | undefined => (typeof u === "string" && u !== "" ? u : undefined)

/** Lenient: a malformed entry is dropped, never the whole file. */
export const decodeSession = (u: unknown): Session | undefined => {
  if (!Predicate.isRecord(u) || typeof u.updatedAt !== "number" || !Number.isFinite(u.updatedAt)) return undefined
  const model = optionalString(u.model)
  const userPin = optionalString(u.userPin)
  const autoPin = optionalString(u.autoPin)
  const previousAutoPin = optionalString(u.previousAutoPin)
  return {
    ...(model ? { model } : {}),
    ...(userPin ? { userPin: userPin as ProfileId } : {}),
    ...(autoPin ? { autoPin: autoPin as ProfileId } : {}),
    ...(previousAutoPin ? { previousAutoPin: previousAutoPin as ProfileId } : {}),
    updatedAt: u.updatedAt
  }
}

/** The sessions of a parsed file, or `undefined` when its shape is not ours. */
const sessionsOf = (json: unknown): Map<string, Session> | undefined => {
  if (!Predicate.isRecord(json) || !Predicate.isRecord(json.sessions)) return undefined
  const entries: Array<[string, Session]> = []
  for (const [key, value] of Object.entries(json.sessions)) {
    const s = decodeSession(value)
    if (s) entries.push([key, s])
  }
  entries.sort((a, b) => a[1].updatedAt - b[1].updatedAt)
  return new Map(entries)
}

/** `sessions.json.unreadable`, else `.unreadable.2`, `.3` …: an earlier rescued copy is never overwritten. */
export const rescueName = (path: string, n: number): string => `${path}.unreadable${n === 1 ? "" : `.${n}`}`

const serialize = (sessions: ReadonlyMap<string, Session>): string =>
  `${JSON.stringify({ version: 1, sessions: Object.fromEntries(sessions) }, null, 2)}\n`

export const makeSessionStore = (options: SessionStoreOptions) =>
  Effect.gen(function* () {
    const files = yield* Files
    const lock = yield* FileLock
    const { stateDir } = yield* Paths
    const path = sessionsPath(stateDir)
    const max = Math.max(1, options.maxEntries ?? DEFAULT_MAX_SESSIONS)
    const delay = Duration.millis(options.writeDelayMs ?? DEFAULT_WRITE_DELAY_MS)

    // Map order is least recently updated first: an update moves the key to the end, eviction takes the front.
    const sessions = new Map<string, Session>()
    const put = (key: string, state: Session) => {
      sessions.delete(key)
      sessions.set(key, state)
      for (const oldest of sessions.keys()) {
        if (sessions.size <= max) break
        sessions.delete(oldest)
      }
    }
    let dirty = false

    /**
     * A file we cannot use (it does not parse, or has duplicate keys, numbers or nesting §11 refuses) is kept aside
     * under a name no earlier rescue holds (it is not ours to destroy) and the gateway starts without it.
     */
    const readDisk = Effect.gen(function* () {
      const text = yield* files.readText(path)
      if (Option.isNone(text)) return new Map<string, Session>()
      const parsed = yield* Effect.either(parseJsonText(path, text.value, "JSON"))
      const sessions = parsed._tag === "Right" ? sessionsOf(parsed.right) : undefined
      if (sessions) return sessions
      let n = 1
      while (Option.isSome(yield* files.stat(rescueName(path, n)))) n++
      const aside = rescueName(path, n)
      yield* files.writeAtomic(aside, text.value)
      yield* files.remove(path)
      const why = parsed._tag === "Left" ? parsed.left.message.replace(/ Fix: .*$/, "") : "it is not a sessions file"
      yield* Effect.logWarning(`${path} could not be used (${why}); moved it to ${aside} and started with no sessions`)
      return new Map<string, Session>()
    })

    for (const [key, s] of yield* readDisk) put(key, s)

    const writeLock = yield* Effect.makeSemaphore(1)
    const flush = writeLock.withPermits(1)(
      Effect.suspend(() => {
        if (!dirty) return Effect.void
        dirty = false
        return lock.withLock(
          path,
          Effect.gen(function* () {
            // Another gateway on the same state dir may have written sessions we have not seen: keep the newer.
            const disk = yield* readDisk
            for (const [key, theirs] of disk) {
              const ours = sessions.get(key)
              if (ours === undefined || ours.updatedAt < theirs.updatedAt) {
                if (ours !== undefined || sessions.size < max) put(key, theirs)
              }
            }
            yield* files.writeAtomic(path, serialize(sessions))
          })
        ).pipe(Effect.tapError(() => Effect.sync(() => void (dirty = true))))
      })
    )

    const wake = yield* Queue.sliding<void>(1)
    yield* Effect.forkScoped(
      Effect.forever(
        Queue.take(wake).pipe(
          Effect.zipRight(Effect.sleep(delay)),
          Effect.zipRight(flush),
          Effect.catchAll((e) => Effect.logWarning(`could not save gateway sessions: ${e.message}`))
        )
      )
    )
    yield* Effect.addFinalizer(() =>
      flush.pipe(Effect.catchAll((e) => Effect.logWarning(`could not save gateway sessions at shutdown: ${e.message}`)))
    )

    return {
      get: (key) => Effect.sync(() => sessions.get(key)),
      set: (key, state) =>
        Effect.suspend(() => {
          put(key, state)
          dirty = true
          return Queue.offer(wake, undefined)
        }),
      flush,
      size: Effect.sync(() => sessions.size)
    } satisfies SessionStateShape
  })
