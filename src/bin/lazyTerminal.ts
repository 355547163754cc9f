import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * NodeTerminal opens `process.stdin` when it is built, which costs start-up time and is wrong for commands that
 * never prompt. This one builds it on the first read, inside the caller's scope.
 */
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
    readInput: Effect.flatMap(NodeTerminal.make(), (t) => t.readInput),
    readLine: Effect.scoped(Effect.flatMap(NodeTerminal.make(), (t) => t.readLine))
  })
)
