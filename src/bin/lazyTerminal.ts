import * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * NodeTerminal opens `process.stdin` when it is built, which costs start-up time and is wrong for commands that
 * never prompt. This one builds it on the first read, inside the caller's scope.
 */
const nodeTerminal = Effect.flatMap(
  Effect.promise(() => import("@effect/platform-node/NodeTerminal")),
  (m) => m.make()
)

export const lazyTerminalLayer = Layer.succeed(
  Terminal.Terminal,
  Terminal.Terminal.of({
    columns: Effect.sync(() => process.stdout.columns ?? 0),
    rows: Effect.sync(() => process.stdout.rows ?? 0),
    isTTY: Effect.sync(() => process.stdout.isTTY === true),
    display: (text) =>
      Effect.async<void>((resume) => {
        process.stdout.write(text, () => resume(Effect.void))
      }),
    // NodeTerminal (and node:readline with it) is loaded on the first prompt.
    readInput: Effect.flatMap(nodeTerminal, (t) => t.readInput),
    readLine: Effect.scoped(Effect.flatMap(nodeTerminal, (t) => t.readLine))
  })
)
