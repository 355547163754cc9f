import type { CommandNode, OptionNode } from "./CommandTree.js"
import type { ValueSource } from "../../programs/CompletionValues.js"

/** What the word under the cursor can become: fixed words, or values to look up (then filtered by `prefix`). */
export type Wanted =
  | { readonly _tag: "Words"; readonly words: ReadonlyArray<string> }
  | { readonly _tag: "Values"; readonly source: ValueSource; readonly agent: string | undefined; readonly prefix: string }

/** Options @effect/cli adds to every command. */
const BUILT_IN: ReadonlyArray<string> = ["--help"]

/** Which dynamic values an option or argument takes, by its name (the same names on every command). */
const SOURCES: Readonly<Record<string, ValueSource>> = {
  provider: "providers",
  "probe-provider": "providers",
  "profile-id": "profiles",
  "probe-profile": "profiles",
  agent: "agents"
}

const findOption = (node: CommandNode, name: string): OptionNode | undefined => node.options.find((o) => o.names.includes(name))

const valuesFor = (
  name: string,
  choices: ReadonlyArray<string>,
  agent: string | undefined,
  prefix: string
): Wanted => {
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined
  return source !== undefined ? { _tag: "Values", source, agent, prefix } : { _tag: "Words", words: choices.map((c) => prefix + c) }
}

/**
 * `words` are what follows `openclaw` up to the cursor, the last one being the (possibly empty) word being typed.
 * Walks the command tree as the parser would: subcommand names descend, options skip their value.
 */
export const wanted = (tree: CommandNode, words: ReadonlyArray<string>): Wanted => {
  const before = words.slice(0, -1)
  const current = words.at(-1) ?? ""
  let node = tree
  let agent: string | undefined
  let positional = 0
  let pending: OptionNode | undefined
  const used = new Set<string>()
  for (let i = 0; i < before.length; i++) {
    const word = before[i]!
    if (word.startsWith("-") && word !== "-") {
      const eq = word.indexOf("=")
      const option = findOption(node, eq > 0 ? word.slice(0, eq) : word)
      if (option === undefined) continue
      used.add(option.name)
      // `--provider <TAB>`: the option waits for its value, which is the word being typed.
      if (eq < 0 && option.takesValue && i === before.length - 1) pending = option
      const value = eq > 0 ? word.slice(eq + 1) : option.takesValue ? before[++i] : undefined
      if (option.name === "agent" && value !== undefined) agent = value
      continue
    }
    const sub = positional === 0 ? node.subcommands.find((s) => s.name === word) : undefined
    if (sub !== undefined) node = sub
    else positional++
  }
  if (pending !== undefined) return filtered(valuesFor(pending.name, pending.choices, agent, ""), current)
  if (current.startsWith("--") && current.includes("=")) {
    const eq = current.indexOf("=")
    const option = findOption(node, current.slice(0, eq))
    if (option?.takesValue) return filtered(valuesFor(option.name, option.choices, agent, current.slice(0, eq + 1)), current)
    return { _tag: "Words", words: [] }
  }
  const flags = [...node.options.filter((o) => !used.has(o.name)).map((o) => o.names[0]!), ...BUILT_IN]
  if (current.startsWith("-")) return filtered({ _tag: "Words", words: flags }, current)
  if (node.subcommands.length > 0 && positional === 0) {
    return filtered({ _tag: "Words", words: node.subcommands.map((s) => s.name) }, current)
  }
  const arg = node.args[Math.min(positional, node.args.length - 1)]
  if (arg !== undefined && (positional < node.args.length || arg.variadic)) {
    return filtered(valuesFor(arg.name, arg.choices, agent, ""), current)
  }
  // Nothing positional left to give: the command's flags are what can come next.
  return filtered({ _tag: "Words", words: flags }, current)
}

const filtered = (w: Wanted, current: string): Wanted =>
  w._tag === "Words" ? { _tag: "Words", words: w.words.filter((x) => x.startsWith(current)) } : w

/** The words printed for `w` once its values are known, each starting with what is typed. */
export const candidates = (w: Wanted, current: string, values: ReadonlyArray<string>): ReadonlyArray<string> =>
  w._tag === "Words" ? w.words : values.map((v) => w.prefix + v).filter((v) => v.startsWith(current))
