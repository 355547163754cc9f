import * as Prompt from "@effect/cli/Prompt"
import type * as Terminal from "@effect/platform/Terminal"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

/**
 * The two prompts whose @effect/cli versions misbehave on a terminal (SPEC §6 "Command-line manners"): its hidden
 * prompt erases as many screen lines as the *unseen* input would have wrapped to (each keystroke: erase-line +
 * cursor-up), eating what was printed before it; its confirm answers on a single key, so a stray `y` decides.
 * These only ever append to the screen: they never move the cursor up or erase anything they did not print.
 */

const Action = Data.taggedEnum<Prompt.Prompt.ActionDefinition>()

const isEnter = (input: Terminal.UserInput) => input.key.name === "return" || input.key.name === "enter"
const isBackspace = (input: Terminal.UserInput) => input.key.name === "backspace"
/** A printable character typed or pasted (control keys and escape sequences have no text worth keeping). */
const typed = (input: Terminal.UserInput): string =>
  input.key.ctrl || input.key.meta || input.input._tag === "None" ? "" : input.input.value.replace(/[\u0000-\u001f\u007f]/g, "")

const nothing = Effect.succeed("")

interface HiddenState {
  readonly value: string
  /** Whether the question is on the screen: it is printed once, and nothing after it until Enter. */
  readonly shown: boolean
}

/** Asks once, reads without echo (not even a count or mask), ends the line on Enter. */
export const hidden = (message: string): Prompt.Prompt<Redacted.Redacted<string>> =>
  Prompt.custom<HiddenState, Redacted.Redacted<string>>(
    { value: "", shown: false },
    {
      render: (state, action) =>
        Effect.succeed(action._tag === "Submit" ? "\n" : state.shown ? "" : `? ${message} `),
      process: (input, state) =>
        Effect.succeed(
          isEnter(input)
            ? Action.Submit({ value: Redacted.make(state.value) })
            : Action.NextFrame({
                state: { shown: true, value: isBackspace(input) ? state.value.slice(0, -1) : state.value + typed(input) }
              })
        ),
      clear: () => nothing
    }
  )

interface ConfirmState {
  readonly answer: string
  /** What this prompt has to print next: the question, the echo of a key, a rub-out, or a re-ask. */
  readonly pending: string
}

/** A yes/no question answered with Enter: `y`/`yes`/`n`/`no`, or Enter alone for `initial`; anything else re-asks. */
export const confirm = (message: string, initial: boolean): Prompt.Prompt<boolean> => {
  const question = `? ${message} (${initial ? "Y/n" : "y/N"}) `
  return Prompt.custom<ConfirmState, boolean>(
    { answer: "", pending: question },
    {
      render: (state, action) => Effect.succeed(action._tag === "Submit" ? "\n" : state.pending),
      process: (input, state) => {
        if (isEnter(input)) {
          const answer = state.answer.trim().toLowerCase()
          if (answer === "") return Effect.succeed(Action.Submit({ value: initial }))
          if (answer === "y" || answer === "yes") return Effect.succeed(Action.Submit({ value: true }))
          if (answer === "n" || answer === "no") return Effect.succeed(Action.Submit({ value: false }))
          return Effect.succeed(Action.NextFrame({ state: { answer: "", pending: `\n  Please answer y or n.\n${question}` } }))
        }
        if (isBackspace(input)) {
          return Effect.succeed(
            state.answer === ""
              ? Action.NextFrame({ state: { answer: "", pending: "" } })
              : Action.NextFrame({ state: { answer: state.answer.slice(0, -1), pending: "\b \b" } })
          )
        }
        const text = typed(input)
        return Effect.succeed(Action.NextFrame({ state: { answer: state.answer + text, pending: text } }))
      },
      clear: () => nothing
    }
  )
}
