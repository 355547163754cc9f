import type * as Command from "@effect/cli/Command"

/** What completion and help need to know about one command: read from the @effect/cli descriptors, never kept by hand. */
export interface CommandNode {
  readonly name: string
  /** The command's `withDescription` text. */
  readonly description: string
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
  readonly description: string
  /** Has a default (booleans, `Options.optional`, `withDefault`) or may be left out (`repeated`). */
  readonly optional: boolean
  /** A default worth showing (`withDefault(8000)`); not `false` nor `Option.none()`. */
  readonly defaultValue: string | undefined
  /** @effect/cli's primitive: Text, Integer, Bool, Choice, Path, Redacted, … */
  readonly valueType: string
}

export interface ArgNode {
  readonly name: string
  readonly choices: ReadonlyArray<string>
  readonly variadic: boolean
  readonly description: string
  readonly optional: boolean
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

/** HelpDoc / Span trees as plain text: what `withDescription` was given. */
const docText = (u: unknown): string => {
  const n = asNode(u)
  if (n === undefined) return ""
  switch (n._tag) {
    case "Text":
    case "Code":
    case "URI":
      return String(n.value)
    case "Sequence":
      return [docText(n.left), docText(n.right)].filter((t) => t !== "").join(n.left && asNode(n.left)?._tag === "Paragraph" ? "\n\n" : "")
    case "Paragraph":
    case "Strong":
    case "Italic":
    case "Highlight":
    case "Weak":
      return docText(n.value)
    default:
      return ""
  }
}

interface Found {
  readonly node: Node
  readonly variadic: boolean
  readonly optional: boolean
  readonly defaultValue: string | undefined
}

const isNone = (u: unknown) => asNode(u)?._tag === "None"
const minOf = (u: unknown): number => {
  const n = asNode(u)
  return n?._tag === "Some" && typeof n.value === "number" ? n.value : 0
}

/** Every `Single` beneath an options or args tree, whatever wraps it (optional, withDefault, map, both, …). */
const singles = (u: unknown, within: Omit<Found, "node"> = { variadic: false, optional: false, defaultValue: undefined }): ReadonlyArray<Found> => {
  const n = asNode(u)
  if (n === undefined) return []
  if (n._tag === "Single") return [{ node: n, ...within }]
  const here = {
    variadic: within.variadic || n._tag === "Variadic",
    optional: within.optional || n._tag === "WithDefault" || (n._tag === "Variadic" && minOf(n.min) === 0),
    defaultValue:
      n._tag === "WithDefault" && (typeof n.fallback === "number" || (typeof n.fallback === "string" && n.fallback !== ""))
        ? String(n.fallback)
        : n._tag === "WithDefault" && isNone(n.fallback) ? undefined : within.defaultValue
  }
  return ["left", "right", "options", "args", "argumentOption"].flatMap((field) => singles(n[field], here))
}

const optionNode = ({ node, optional, defaultValue }: Found): OptionNode => {
  const name = String(node.name)
  const aliases = Array.isArray(node.aliases) ? (node.aliases as ReadonlyArray<string>) : []
  return {
    names: [`--${name}`, ...aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`))],
    name,
    takesValue: asNode(node.primitiveType)?._tag !== "Bool",
    choices: choicesOf(node.primitiveType),
    description: docText(node.description),
    // A flag is never required: it defaults to false.
    optional: optional || asNode(node.primitiveType)?._tag === "Bool",
    defaultValue,
    valueType: asNode(node.primitiveType)?._tag ?? "Text"
  }
}

const argNode = ({ node, variadic, optional }: Found): ArgNode => ({
  // @effect/cli keeps an argument's name as shown in usage, `<profile-id>`.
  name: String(node.name).replace(/^<(.*)>$/, "$1"),
  choices: choicesOf(node.primitiveType),
  variadic,
  description: docText(node.description),
  optional
})

const fromDescriptor = (u: unknown): CommandNode => {
  const d = asNode(u)
  if (d === undefined) return { name: "", description: "", subcommands: [], options: [], args: [] }
  switch (d._tag) {
    case "Map":
      return fromDescriptor(d.command)
    case "Subcommands": {
      const parent = fromDescriptor(d.parent)
      const children = Array.isArray(d.children) ? d.children.map(fromDescriptor) : []
      return { ...parent, subcommands: [...parent.subcommands, ...children] }
    }
    case "Standard":
      return {
        name: String(d.name),
        description: docText(d.description),
        subcommands: [],
        options: singles(d.options).map(optionNode),
        args: singles(d.args).map(argNode)
      }
    default:
      return { name: String(d.name ?? ""), description: "", subcommands: [], options: [], args: [] }
  }
}

export const commandTree = (command: Command.Command<string, never, unknown, unknown> | { readonly descriptor: unknown }): CommandNode =>
  fromDescriptor((command as { readonly descriptor: unknown }).descriptor)
