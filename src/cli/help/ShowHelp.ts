import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { UsageError } from "../../domain/Errors.js"
import type { CommandNode } from "../completion/CommandTree.js"
import { walkCommands } from "./ArgWalk.js"
import { pageKey, renderHelp } from "./RenderHelp.js"

/** `openclaw models auth login`: the command `args` name, as far as they name one (for "see … --help"). */
export const commandOf = (tree: CommandNode, args: ReadonlyArray<string>): string => ["openclaw", ...walkCommands(tree, args).path].join(" ")

/** Prints the help of the command `args` name (stdout, exit 0), or says which word is not a command. */
export const showHelp = (tree: CommandNode, args: ReadonlyArray<string>) =>
  Effect.suspend(() => {
    const t = walkCommands(tree, args)
    if (t.unknown !== undefined) {
      const where = ["openclaw", ...t.path].join(" ")
      return Effect.fail(
        new UsageError({
          problem: `'${t.unknown}' is not a command of ${where}`,
          fix: `use one of ${t.node.subcommands.map((s) => s.name).join(", ")} (see \`${where} --help\`)`
        })
      )
    }
    const text = renderHelp(tree, t.path)
    return text === undefined ? Effect.die(new Error(`no help page for '${pageKey(t.path)}'`)) : Console.log(text)
  })
