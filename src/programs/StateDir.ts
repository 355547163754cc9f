import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Files } from "../services/Files.js"

/**
 * Creates the state directory (0700) when it does not exist yet, so what people do next by hand works — the
 * README's `cat >> ~/.openclaw/.env` fails on a fresh machine otherwise. Returns whether it was created.
 */
export const ensureStateDir = Effect.fn("State.ensureDir")(function* (stateDir: string) {
  const files = yield* Files
  if (Option.isSome(yield* files.stat(stateDir))) return false
  yield* files.makeDirectory(stateDir)
  return true
})
