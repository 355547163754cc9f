import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Console from "effect/Console"
import { completionScript } from "./Scripts.js"

export const completionCommand = Command.make(
  "completion",
  {
    shell: Args.choice([["bash", "bash"], ["zsh", "zsh"], ["fish", "fish"]] as const, { name: "shell" }).pipe(
      Args.withDescription("The shell to complete for.")
    )
  },
  ({ shell }) => Console.log(completionScript(shell).trimEnd())
).pipe(
  Command.withDescription(
    "Print a shell completion script (bash, zsh or fish) that completes commands, flags, provider ids and profile ids."
  )
)
