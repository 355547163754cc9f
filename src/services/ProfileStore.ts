import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type AuthStore, decodeAuthStore, type JsonObject, serializeStore } from "../domain/AuthStore.js"
import { FileShapeError, type StoreError } from "../domain/Errors.js"
import { firstUnsafeNumber } from "../domain/JsonStructure.js"
import { FileLock } from "./FileLock.js"
import { Files } from "./Files.js"
import { readJsonDocument } from "./JsonDocument.js"
import { serviceLayer } from "./LayerInOrder.js"

export interface StoreDocument {
  readonly path: string
  readonly exists: boolean
  /** The file as parsed: mutations go through it so unknown fields survive (§3.1). */
  readonly raw: JsonObject
  readonly store: AuthStore
}

/** `auth-profiles.json` per agent (§3.1), with the safe write path of §3.3. */
export interface ProfileStoreShape {
  readonly load: (path: string) => Effect.Effect<StoreDocument, StoreError>
  /**
   * Lock, re-read inside the lock, apply `f`, write atomically. An unparseable store is never overwritten; when
   * `f` returns the same `raw` object nothing is written. `f` returns the new `raw` and what it decided, which
   * comes back beside the document as written, so callers need no variables outside the closure.
   */
  readonly update: <A, E, R>(
    path: string,
    f: (doc: StoreDocument) => Effect.Effect<readonly [JsonObject, A], E, R>
  ) => Effect.Effect<readonly [StoreDocument, A], StoreError | E, R>
}

export class ProfileStore extends Context.Tag("openclaw/ProfileStore")<ProfileStore, ProfileStoreShape>() {
  static readonly layer = serviceLayer(
    ProfileStore,
    Effect.gen(function* () {
      const files = yield* Files
      const lock = yield* FileLock
      const load = (path: string) =>
        Effect.flatMap(readJsonDocument(files, path, "JSON"), (doc) =>
          decodeAuthStore(doc.raw).pipe(
            Either.mapLeft((problem) => new FileShapeError({ path, detail: problem })),
            Effect.map((store): StoreDocument => ({ ...doc, store }))
          )
        )
      return {
        load,
        update: (path, f) =>
          lock.withLock(
            path,
            Effect.gen(function* () {
              const current = yield* load(path)
              const [raw, decided] = yield* f(current)
              // Returning the document untouched means "nothing to change": do not rewrite the file.
              if (raw === current.raw) return [current, decided] as const
              const store = yield* Either.match(decodeAuthStore(raw), {
                onLeft: (problem) => Effect.dieMessage(`refusing to write an invalid store to ${path}: ${problem}`),
                onRight: Effect.succeed
              })
              const unsafe = firstUnsafeNumber(raw)
              if (unsafe !== undefined) {
                return yield* Effect.dieMessage(`refusing to write ${unsafe.value} at ${unsafe.path} to ${path}: JSON cannot keep it exactly; the file was left as it was`)
              }
              yield* files.writeAtomic(path, serializeStore(raw))
              return [{ path, exists: true, raw, store }, decided] as const
            })
          )
      }
    })
  )
}
