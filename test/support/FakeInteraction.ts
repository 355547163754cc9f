import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ClaudeCliError, PromptCancelledError } from "../../src/domain/AuthErrors.js"
import { ClaudeCli } from "../../src/services/ClaudeCli.js"
import { Prompter } from "../../src/services/Prompter.js"

/** Answers prompts from a script; running out of answers is a cancelled prompt, as Ctrl-C would be. */
export class ScriptedPrompter {
  readonly asked: Array<string> = []
  /** The values each `choose` offered, in order. */
  readonly offered: Array<{ readonly message: string; readonly values: ReadonlyArray<string> }> = []
  constructor(
    readonly answers: { secrets?: Array<string>; confirms?: Array<boolean>; texts?: Array<string>; choices?: Array<string> } = {},
    readonly interactive = false
  ) {}

  get layer(): Layer.Layer<Prompter> {
    const take = <A>(queue: Array<A> | undefined, message: string) =>
      Effect.suspend(() => {
        this.asked.push(message)
        const next = queue?.shift()
        return next === undefined ? Effect.fail(new PromptCancelledError()) : Effect.succeed(next)
      })
    return Layer.succeed(Prompter, {
      interactive: this.interactive,
      readSecret: (message) =>
        Effect.map(take(this.answers.secrets ?? [], message), (s) => (s.trim() === "" ? Option.none() : Option.some(Redacted.make(s)))).pipe(
          Effect.catchTag("PromptCancelledError", (e) => (this.interactive ? Effect.fail(e) : Effect.succeed(Option.none())))
        ),
      confirm: (message) => take(this.answers.confirms, message),
      // A scripted answer the prompt does not offer is a broken test, not a user's choice: fail loudly.
      choose: (message, choices) =>
        Effect.flatMap(take(this.answers.choices, message), (answer) => {
          this.offered.push({ message, values: choices.map((c) => c.value) })
          const chosen = choices.find((c) => c.value === answer)
          return chosen
            ? Effect.succeed(chosen.value)
            : Effect.dieMessage(`scripted choice "${answer}" is not offered by "${message}": ${choices.map((c) => c.value).join(", ")}`)
        }),
      // As the real prompt does, an empty answer takes the default.
      text: (message, initial) => Effect.map(take(this.answers.texts, message), (t) => (t === "" && initial !== undefined ? initial : t))
    })
  }
}

export class FakeClaudeCli {
  runs = 0
  constructor(readonly behaviour: "ok" | "not-found" | "fail" = "ok") {}
  get layer(): Layer.Layer<ClaudeCli> {
    return Layer.succeed(ClaudeCli, {
      setupToken: Effect.suspend(() => {
        this.runs++
        return this.behaviour === "ok"
          ? Effect.void
          : Effect.fail(new ClaudeCliError(this.behaviour === "not-found" ? { reason: "not-found" } : { reason: "failed", exitCode: 3 }))
      })
    })
  }
}
