import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { JsonObject } from "../domain/AuthStore.js"
import type { StoreError } from "../domain/Errors.js"
import { FileLock } from "./FileLock.js"
import { Files } from "./Files.js"
import { readJsonDocument, type RawDocument } from "./JsonDocument.js"
import { Paths } from "./Paths.js"

/** `openclaw.json` (§3.2): read as JSON5, rewritten as JSON keeping every key the program does not own. */
export interface ConfigStoreShape {
  readonly path: string
  readonly load: Effect.Effect<RawDocument, StoreError>
  /**
   * Locked read-modify-write; a config that does not parse is never overwritten (§3.3); same `raw` back, no write.
   * `f` returns the new `raw` and what it decided; the decision comes back beside the document.
   */
  readonly update: <A, E>(
    f: (raw: JsonObject) => Effect.Effect<readonly [JsonObject, A], E>
  ) => Effect.Effect<readonly [RawDocument, A], StoreError | E>
}

export class ConfigStore extends Context.Tag("openclaw/ConfigStore")<ConfigStore, ConfigStoreShape>() {
  static readonly layer = Layer.effect(
    ConfigStore,
    Effect.gen(function* () {
      const files = yield* Files
      const lock = yield* FileLock
      const { configPath } = yield* Paths
      const load = readJsonDocument(files, configPath, "JSON5")
      return {
        path: configPath,
        load,
        update: (f) =>
          lock.withLock(
            configPath,
            Effect.gen(function* () {
              const current = yield* load
              const [raw, decided] = yield* f(current.raw)
              if (raw === current.raw) return [current, decided] as const
              yield* files.writeAtomic(configPath, `${JSON.stringify(raw, null, 2)}\n`)
              return [{ path: configPath, exists: true, raw }, decided] as const
            })
          )
      }
    })
  )
}
