import type { CommandNode, OptionNode } from "../completion/CommandTree.js"

/** The option a flag word names (`--agent`, `--agent=work`, `-p`) on `node`, if it has one. */
export const findOption = (node: CommandNode, word: string): OptionNode | undefined => {
  const eq = word.indexOf("=")
  const name = eq > 0 ? word.slice(0, eq) : word
  return node.options.find((o) => o.names.includes(name))
}

export interface Walked {
  /** The command the arguments reach, and the names that led there (`["models", "auth"]`). */
  readonly node: CommandNode
  readonly path: ReadonlyArray<string>
  /** Where the arguments after the last command name start. */
  readonly after: number
  /** A word where a group expected one of its commands. */
  readonly unknown?: string
}

/**
 * Which command `args` name, walked as the parser does: subcommand names descend, flags skip their value, a command's
 * positional arguments are passed over; the walk stops at `--` or at a word a group has no command for. Shared by
 * help (which page) and usage errors (which command's flags).
 */
export const walkCommands = (tree: CommandNode, args: ReadonlyArray<string>): Walked => {
  const path: Array<string> = []
  let node = tree
  let after = 0
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
      after = i + 1
    } else if (node.subcommands.length > 0 && node.args.length === 0) {
      return { node, path, after, unknown: word }
    }
  }
  return { node, path, after }
}
