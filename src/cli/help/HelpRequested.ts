import * as Command from "@effect/cli/Command"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

/** A command that only groups others was run alone: the CLI edge answers with that group's help. */
export class HelpRequested extends Data.TaggedError("HelpRequested")<{}> {}

/**
 * A group of subcommands (`openclaw models auth`). Run alone it shows our help: @effect/cli's own answer for a
 * command without a handler is its framework help page, which this project replaces (§6).
 */
export const commandGroup = <Name extends string>(name: Name) => Command.make(name, {}, () => Effect.fail(new HelpRequested()))
