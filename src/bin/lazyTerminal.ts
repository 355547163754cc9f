import * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import { serviceLayer } from "../services/LayerInOrder.js"

/**
 * NodeTerminal opens `process.stdin` when it is built, which costs start-up time and is wrong for commands that
 * never prompt. This one builds it on the first read, inside the caller's scope.
 */
const nodeTerminal = Effect.flatMap(
  Effect.promise(() => import("@effect/platform-node/NodeTerminal")),
  (m) => m.make()
)

/**
 * What a prompt draws goes through `scrub` like every other output (§11): a visible prompt redraws its answer on
 * each key, and a key pasted where a name was asked (a stored one, known to the scrubber) must not be drawn back.
 * Same width (`*` per character): the prompt erases by the length of what it meant to draw.
 */
export const lazyTerminalLayer = (scrub: (text: string) => string) =>
  serviceLayer(
    Terminal.Terminal,
    Effect.succeed(Terminal.Terminal.of({
      columns: Effect.sync(() => process.stdout.columns ?? 0),
      rows: Effect.sync(() => process.stdout.rows ?? 0),
      isTTY: Effect.sync(() => process.stdout.isTTY === true),
      display: (text) =>
        Effect.async<void>((resume) => {
          process.stdout.write(scrub(text), () => resume(Effect.void))
        }),
      // NodeTerminal (and node:readline with it) is loaded on the first prompt.
      readInput: Effect.flatMap(nodeTerminal, (t) => t.readInput),
      readLine: Effect.scoped(Effect.flatMap(nodeTerminal, (t) => t.readLine))
    }))
  )
