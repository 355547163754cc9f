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
      choose: (message) => take(this.answers.choices as Array<never> | undefined, message),
      text: (message) => take(this.answers.texts, message)
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
