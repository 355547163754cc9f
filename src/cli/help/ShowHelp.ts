import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { UsageError } from "../../domain/Errors.js"
import type { CommandNode, OptionNode } from "../completion/CommandTree.js"
import { pageKey, renderHelp } from "./RenderHelp.js"

type Target =
  | { readonly _tag: "Page"; readonly path: ReadonlyArray<string> }
  | { readonly _tag: "UnknownCommand"; readonly path: ReadonlyArray<string>; readonly word: string; readonly node: CommandNode }

const findOption = (node: CommandNode, word: string): OptionNode | undefined => {
  const eq = word.indexOf("=")
  const name = eq > 0 ? word.slice(0, eq) : word
  return node.options.find((o) => o.names.includes(name))
}

/** Which command `args` name, walked as the parser does: subcommand names descend, flags skip their value. */
const target = (tree: CommandNode, args: ReadonlyArray<string>): Target => {
  const path: Array<string> = []
  let node = tree
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!
    if (word === "--") break
    if (word.startsWith("-") && word !== "-") {
      const option = findOption(node, word)
      if (option?.takesValue && !word.includes("=")) i++
      continue
    }
    const sub = node.subcommands.find((s) => s.name === word)
    if (sub !== undefined) {
      node = sub
      path.push(word)
    } else if (node.subcommands.length > 0 && node.args.length === 0) {
      return { _tag: "UnknownCommand", path, word, node }
    }
    // Otherwise a positional argument of a command: help is for the command.
  }
  return { _tag: "Page", path }
}

/** `openclaw models auth login`: the command `args` name, as far as they name one (for "see … --help"). */
export const commandOf = (tree: CommandNode, args: ReadonlyArray<string>): string => ["openclaw", ...target(tree, args).path].join(" ")

/** Prints the help of the command `args` name (stdout, exit 0), or says which word is not a command. */
export const showHelp = (tree: CommandNode, args: ReadonlyArray<string>) =>
  Effect.suspend(() => {
    const t = target(tree, args)
    if (t._tag === "UnknownCommand") {
      const where = ["openclaw", ...t.path].join(" ")
      return Effect.fail(
        new UsageError({
          problem: `'${t.word}' is not a command of ${where}`,
          fix: `use one of ${t.node.subcommands.map((s) => s.name).join(", ")} (see \`${where} --help\`)`
        })
      )
    }
    const text = renderHelp(tree, t.path)
    return text === undefined ? Effect.die(new Error(`no help page for '${pageKey(t.path)}'`)) : Console.log(text)
  })
