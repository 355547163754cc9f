import * as Prompt from "@effect/cli/Prompt"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import type * as Terminal from "@effect/platform/Terminal"
import { Terminal as TerminalTag } from "@effect/platform/Terminal"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { PromptCancelledError } from "../domain/AuthErrors.js"
import { HostProcess } from "./HostProcess.js"
import * as TerminalPrompts from "./TerminalPrompts.js"
import { serviceLayer } from "./LayerInOrder.js"

/** Asking the user things. Secrets are read without any echo, not even masking characters. */
export interface PrompterShape {
  /** Both stdin and stdout are terminals. */
  readonly interactive: boolean
  /** A hidden prompt on a terminal; otherwise all of standard input (`None` when it is empty). */
  readonly readSecret: (message: string) => Effect.Effect<Option.Option<Redacted.Redacted<string>>, PromptCancelledError>
  readonly confirm: (message: string, initial: boolean) => Effect.Effect<boolean, PromptCancelledError>
  readonly choose: <A extends string>(
    message: string,
    choices: ReadonlyArray<{ readonly title: string; readonly value: A; readonly description?: string }>
  ) => Effect.Effect<A, PromptCancelledError>
  readonly text: (message: string, initial?: string) => Effect.Effect<string, PromptCancelledError>
}

export class Prompter extends Context.Tag("openclaw/Prompter")<Prompter, PrompterShape>() {
  static readonly layer = serviceLayer(
    Prompter,
    Effect.gen(function* () {
      const host = yield* HostProcess
      // What @effect/cli prompts run on, captured once so the port's methods need nothing.
      const promptContext = yield* Effect.context<Terminal.Terminal | FileSystem.FileSystem | Path.Path>()
      const terminal = Context.get(promptContext, TerminalTag)
      const run = <A>(prompt: Prompt.Prompt<A>) =>
        Prompt.run(prompt).pipe(
          Effect.provide(promptContext),
          // The prompt leaves the cursor after its question: end that line, so the "Cancelled" message gets its own.
          Effect.catchTag("QuitException", () =>
            Effect.zipRight(Effect.orDie(terminal.display("\n")), new PromptCancelledError())
          )
        )
      return {
        interactive: host.stdinIsTTY && host.stdoutIsTTY,
        readSecret: (message) =>
          host.stdinIsTTY
            ? Effect.map(run(TerminalPrompts.hidden(message)), (secret) =>
                Redacted.value(secret).trim() === "" ? Option.none() : Option.some(secret)
              )
            : Effect.map(readAllStdin, (text) => (text.trim() === "" ? Option.none() : Option.some(Redacted.make(text)))),
        confirm: (message, initial) => run(TerminalPrompts.confirm(message, initial)),
        choose: (message, choices) =>
          run(Prompt.select({ message, choices: choices.map((c) => ({ ...c })) })),
        text: (message, initial) => run(Prompt.text({ message, ...(initial === undefined ? {} : { default: initial }) }))
      }
    })
  )
}

const readAllStdin = Effect.async<string>((resume) => {
  const chunks: Array<Buffer> = []
  process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk))
  process.stdin.once("end", () => resume(Effect.succeed(Buffer.concat(chunks).toString("utf8"))))
  process.stdin.once("error", () => resume(Effect.succeed(Buffer.concat(chunks).toString("utf8"))))
  process.stdin.resume()
})
