import type * as Command from "@effect/cli/Command"

/** What completion needs to know about one command: read from the @effect/cli descriptors, never kept by hand. */
export interface CommandNode {
  readonly name: string
  readonly subcommands: ReadonlyArray<CommandNode>
  readonly options: ReadonlyArray<OptionNode>
  /** Positional arguments, in order (a variadic one repeats). */
  readonly args: ReadonlyArray<ArgNode>
}

export interface OptionNode {
  /** `--provider` and its aliases (`-p`). */
  readonly names: ReadonlyArray<string>
  /** The long name without dashes: what decides which dynamic values fit (`provider`, `profile-id`, …). */
  readonly name: string
  readonly takesValue: boolean
  readonly choices: ReadonlyArray<string>
}

export interface ArgNode {
  readonly name: string
  readonly choices: ReadonlyArray<string>
  readonly variadic: boolean
}

// The descriptors are @effect/cli's internal instruction trees (`_tag` plus fields); these are the shapes we read.
interface Node {
  readonly _tag: string
  readonly [field: string]: unknown
}

const asNode = (u: unknown): Node | undefined =>
  typeof u === "object" && u !== null && typeof (u as { _tag?: unknown })._tag === "string" ? (u as Node) : undefined

const choicesOf = (primitive: unknown): ReadonlyArray<string> => {
  const p = asNode(primitive)
  if (p?._tag !== "Choice" || !Array.isArray(p.alternatives)) return []
  return (p.alternatives as ReadonlyArray<readonly [string, unknown]>).map(([choice]) => choice)
}

/** Every `Single` beneath an options or args tree, whatever wraps it (optional, withDefault, map, both, …). */
const singles = (u: unknown, variadic = false): ReadonlyArray<{ readonly node: Node; readonly variadic: boolean }> => {
  const n = asNode(u)
  if (n === undefined) return []
  if (n._tag === "Single") return [{ node: n, variadic }]
  const repeats = variadic || n._tag === "Variadic"
  return ["left", "right", "options", "args", "argumentOption"].flatMap((field) => singles(n[field], repeats))
}

const optionNode = ({ node }: { readonly node: Node }): OptionNode => {
  const name = String(node.name)
  const aliases = Array.isArray(node.aliases) ? (node.aliases as ReadonlyArray<string>) : []
  return {
    names: [`--${name}`, ...aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`))],
    name,
    takesValue: asNode(node.primitiveType)?._tag !== "Bool",
    choices: choicesOf(node.primitiveType)
  }
}

const argNode = ({ node, variadic }: { readonly node: Node; readonly variadic: boolean }): ArgNode => ({
  // @effect/cli keeps an argument's name as shown in usage, `<profile-id>`.
  name: String(node.name).replace(/^<(.*)>$/, "$1"),
  choices: choicesOf(node.primitiveType),
  variadic
})

const fromDescriptor = (u: unknown): CommandNode => {
  const d = asNode(u)
  if (d === undefined) return { name: "", subcommands: [], options: [], args: [] }
  switch (d._tag) {
    case "Map":
      return fromDescriptor(d.command)
    case "Subcommands": {
      const parent = fromDescriptor(d.parent)
      const children = Array.isArray(d.children) ? d.children.map(fromDescriptor) : []
      return { ...parent, subcommands: [...parent.subcommands, ...children] }
    }
    case "Standard":
      return { name: String(d.name), subcommands: [], options: singles(d.options).map(optionNode), args: singles(d.args).map(argNode) }
    default:
      return { name: String(d.name ?? ""), subcommands: [], options: [], args: [] }
  }
}

export const commandTree = (command: Command.Command<string, never, unknown, unknown> | { readonly descriptor: unknown }): CommandNode =>
  fromDescriptor((command as { readonly descriptor: unknown }).descriptor)
