import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { JsonObject } from "../domain/AuthStore.js"
import type { StoreError } from "../domain/Errors.js"
import { editJson5, sameJson } from "../domain/Json5Edit.js"
import { FileLock } from "./FileLock.js"
import { Files } from "./Files.js"
import { parseJsonText, readJsonDocument, readJsonSource, type RawDocument } from "./JsonDocument.js"
import { Paths } from "./Paths.js"
import { serviceLayer } from "./LayerInOrder.js"

/** `openclaw.json` (§3.2): read as JSON5, edited in place keeping the user's text and every key the program does not own. */
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

/**
 * The new text: the old one with only the changed values edited (comments, unquoted keys, trailing commas, order
 * and indentation kept), trusted only once it parses back to exactly `raw`; plain JSON for a new file — and, should
 * the editor ever get a layout wrong, rather than writing a config that says something else.
 */
const rewrite = (path: string, text: string, before: JsonObject, raw: JsonObject): Effect.Effect<string> => {
  const plain = `${JSON.stringify(raw, null, 2)}\n`
  if (text.trim() === "") return Effect.succeed(plain)
  const edited = editJson5(text, before, raw)
  return parseJsonText(path, edited, "JSON5").pipe(
    Effect.map((parsed) => (sameJson(parsed, raw) ? edited : plain)),
    Effect.orElseSucceed(() => plain)
  )
}

export class ConfigStore extends Context.Tag("openclaw/ConfigStore")<ConfigStore, ConfigStoreShape>() {
  static readonly layer = serviceLayer(
    ConfigStore,
    Effect.gen(function* () {
      const files = yield* Files
      const lock = yield* FileLock
      const { configPath } = yield* Paths
      return {
        path: configPath,
        load: readJsonDocument(files, configPath, "JSON5"),
        update: (f) =>
          lock.withLock(
            configPath,
            Effect.gen(function* () {
              const { doc: current, text } = yield* readJsonSource(files, configPath, "JSON5")
              const [raw, decided] = yield* f(current.raw)
              if (raw === current.raw) return [current, decided] as const
              yield* files.writeAtomic(configPath, yield* rewrite(configPath, text, current.raw, raw))
              return [{ path: configPath, exists: true, raw }, decided] as const
            })
          )
      }
    })
  )
}
