import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { completionValues } from "../../programs/CompletionValues.js"
import { candidates, wanted } from "./Candidates.js"
import type { CommandNode } from "./CommandTree.js"

/** The word that makes the CLI answer a completion script instead of running a command (hidden from help). */
export const COMPLETE_WORD = "__complete"

/** `openclaw __complete <words…>`: one candidate per line; nothing (and exit 0) when there is nothing to offer. */
export const complete = (tree: CommandNode, words: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const typed = words.length === 0 ? [""] : words
    const w = wanted(tree, typed)
    const values = w._tag === "Values" ? yield* completionValues(w.source, w.agent) : []
    const lines = candidates(w, typed.at(-1)!, values)
    if (lines.length > 0) yield* Console.log(lines.join("\n"))
  }).pipe(Effect.catchAllCause(() => Effect.void))
