import * as Options from "@effect/cli/Options"

export const agentOption = Options.text("agent").pipe(
  Options.withDescription("Agent id whose credential store to use (default: the configured default agent, usually main)."),
  Options.optional
)

export const jsonOption = Options.boolean("json").pipe(Options.withDescription("Print machine-readable JSON."))
