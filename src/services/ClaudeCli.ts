import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { ClaudeCliError } from "../domain/AuthErrors.js"
import { serviceLayer } from "./LayerInOrder.js"

/** Claude Code's `claude` program, run in the foreground on the user's terminal. */
export interface ClaudeCliShape {
  /** `claude setup-token`, with stdin/stdout/stderr inherited so it can talk to the user. */
  readonly setupToken: Effect.Effect<void, ClaudeCliError>
}

export class ClaudeCli extends Context.Tag("openclaw/ClaudeCli")<ClaudeCli, ClaudeCliShape>() {
  /**
   * Spawns through @effect/platform's CommandExecutor. Interactive children need the terminal, which is why we
   * patch platform-node-shared (patches/) not to start them in a new session when stdin is inherited.
   */
  static readonly layer = serviceLayer(ClaudeCli, Effect.succeed({
    setupToken: Effect.gen(function* () {
      // Loaded on use: only this command spawns anything.
      const [NodeCommandExecutor, NodeFileSystem, Command, { spawnSync }] = yield* Effect.promise(() =>
        Promise.all([
          import("@effect/platform-node/NodeCommandExecutor"),
          import("@effect/platform-node/NodeFileSystem"),
          import("@effect/platform/Command"),
          import("node:child_process")
        ])
      )
      const command = Command.make("claude", "setup-token").pipe(
        Command.stdin("inherit"),
        Command.stdout("inherit"),
        Command.stderr("inherit")
      )
      const exitCode = yield* Command.exitCode(command).pipe(
        // Killed or failed, claude's UI may have left the terminal without echo and with its cursor hidden.
        Effect.onExit((exit) => (Exit.isSuccess(exit) && exit.value === 0 ? Effect.void : Effect.sync(() => restoreTerminal(spawnSync)))),
        Effect.provide(NodeCommandExecutor.layer),
        Effect.provide(NodeFileSystem.layer),
        Effect.mapError((e) =>
          e._tag === "SystemError" && e.reason === "NotFound"
            ? new ClaudeCliError({ reason: "not-found" })
            : killedByCtrlC(e.message)
            ? new ClaudeCliError({ reason: "cancelled" })
            : new ClaudeCliError({ reason: "failed", detail: e.message })
        )
      )
      if (exitCode === 130) return yield* new ClaudeCliError({ reason: "cancelled" })
      if (exitCode !== 0) return yield* new ClaudeCliError({ reason: "failed", exitCode })
    })
  }))
}

/**
 * Ctrl-C reaches claude and us together; whichever notices first, the user cancelled. The platform reports a child
 * killed by a signal only in its message ("… receipt of signal: SIGINT").
 */
const killedByCtrlC = (message: string): boolean => /\bsignal: SIG(INT|TERM|HUP)\b/.test(message)

/**
 * `stty sane` on the terminal (echo, line editing, Ctrl-C back on) and the cursor shown again, on a line of its own:
 * a `claude` stopped mid-question leaves the cursor after its prompt, where our message would otherwise begin.
 */
const restoreTerminal = (spawnSync: typeof import("node:child_process").spawnSync): void => {
  if (process.stdin.isTTY !== true) return
  spawnSync("stty", ["sane"], { stdio: ["inherit", "ignore", "ignore"] })
  if (process.stdout.isTTY === true) process.stdout.write("\r\n\u001b[?25h")
}
