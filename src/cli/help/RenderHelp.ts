import type { ArgNode, CommandNode, OptionNode } from "../completion/CommandTree.js"
import { HELP_PAGES, type HelpPage, PLACEHOLDERS } from "./HelpPages.js"

/** Help is laid out for an 80-column terminal (§6 asks for ≤ 100), whatever the terminal: it is read, not scanned. */
export const HELP_WIDTH = 80

/** The page key of a command: its path below `openclaw`, words joined by spaces ("" for the root). */
export const pageKey = (path: ReadonlyArray<string>): string => path.join(" ")

/** The page for a path; a command without one renders without examples (and fails test/cli-help). */
const pageOf = (path: ReadonlyArray<string>): HelpPage => HELP_PAGES[pageKey(path)] ?? { summary: "" }

/** A group only dispatches (no handler of its own) when it takes no flags: `gateway` both runs and groups. */
export const isRunnable = (node: CommandNode): boolean => node.subcommands.length === 0 || node.options.length > 0

export const placeholder = (o: OptionNode): string => {
  if (o.choices.length > 0) return `<${o.choices.join("|")}>`
  if (o.valueType === "Path") return "<file>"
  if (Object.hasOwn(PLACEHOLDERS, o.name)) return `<${PLACEHOLDERS[o.name]}>`
  if (o.valueType === "Integer") return "<n>"
  return `<${o.name}>`
}

const shortNames = (o: OptionNode) => o.names.filter((n) => /^-[^-]$/.test(n))

/** `--provider <id>`, `-y, --yes`: the names as typed, then the value's placeholder; `pad` lines up long names. */
export const flagText = (o: OptionNode, pad = false): string => {
  const short = shortNames(o)
  const long = o.names.filter((n) => n.startsWith("--"))
  const value = o.takesValue ? ` ${placeholder(o)}` : ""
  return `${short.length > 0 ? `${short.join(", ")}, ` : pad ? "    " : ""}${long.join(", ")}${value}`
}

const argText = (a: ArgNode): string => {
  const shown = `<${a.name}>${a.variadic ? "..." : ""}`
  return a.optional ? `[${shown}]` : shown
}

/** Words of `text` in lines of at most `width - indent`, the first starting at `first` columns already used. */
const wrap = (text: string, indent: number, width = HELP_WIDTH, first = indent): ReadonlyArray<string> => {
  const lines: Array<string> = []
  let line = ""
  let used = first
  // A `quoted command` is one word: a command split over two lines cannot be copied.
  for (const word of text.match(/`[^`]*`[^ \t\n]*|[^ \t\n]+/g) ?? []) {
    if (line !== "" && used + 1 + word.length > width) {
      lines.push(line)
      line = word
      used = indent + word.length
    } else {
      used += (line === "" ? 0 : 1) + word.length
      line = line === "" ? word : `${line} ${word}`
    }
  }
  if (line !== "") lines.push(line)
  return lines
}

/** Paragraphs wrapped flush left (or at `indent`). */
const paragraphs = (text: string, indent = 0): ReadonlyArray<string> =>
  text
    .split(/\n\s*\n/)
    .flatMap((p, i) => [...(i > 0 ? [""] : []), ...wrap(p, indent).map((l) => " ".repeat(indent) + l)])

/** Two columns: a term, then its description wrapped beside it (or below it when the term is too wide). */
const table = (rows: ReadonlyArray<readonly [string, string]>): ReadonlyArray<string> => {
  // Terms wider than 30 columns (`--secret-input-mode <plaintext|ref>`) take a line of their own.
  const termWidth = Math.max(0, ...rows.map(([t]) => t.length).filter((n) => n <= 30))
  const column = 2 + termWidth + 3
  return rows.flatMap(([term, description]) => {
    const lines = wrap(description, column)
    if (term.length > termWidth) return [`  ${term}`, ...lines.map((l) => " ".repeat(column) + l)]
    const [head = "", ...rest] = lines
    return [`  ${term.padEnd(termWidth)}   ${head}`.trimEnd(), ...rest.map((l) => " ".repeat(column) + l)]
  })
}

/**
 * `  $ command`, continued with ` \\` past 80 columns: still one command when pasted into a shell. A flag keeps
 * its value on its line (a no-break space holds them together while wrapping).
 */
const shellLines = (run: string): ReadonlyArray<string> => {
  const lines = wrap(run.replace(/(^|\s)(--?[\w-]+) (?=[^\s-])/g, "$1$2\u00a0"), 6, HELP_WIDTH - 2, 4)
  return lines.map((l, i) => `${i === 0 ? "  $ " : "      "}${l.replaceAll("\u00a0", " ")}${i < lines.length - 1 ? " \\" : ""}`)
}

const section = (title: string, lines: ReadonlyArray<string>): ReadonlyArray<string> => (lines.length === 0 ? [] : ["", title, ...lines])

/** Every command below a group, leaves and runnable groups, by its path relative to the group. */
const descendants = (node: CommandNode, prefix: ReadonlyArray<string> = []): ReadonlyArray<ReadonlyArray<string>> =>
  node.subcommands.flatMap((child) => {
    const path = [...prefix, child.name]
    return [...(isRunnable(child) ? [path] : []), ...descendants(child, path)]
  })

const find = (node: CommandNode, path: ReadonlyArray<string>): CommandNode | undefined =>
  path.reduce<CommandNode | undefined>((n, name) => n?.subcommands.find((s) => s.name === name), node)

const usageLines = (node: CommandNode, path: ReadonlyArray<string>): ReadonlyArray<string> => {
  const command = ["openclaw", ...path].join(" ")
  const required = node.options.filter((o) => !o.optional).map((o) => flagText(o))
  const flags = node.options.some((o) => o.optional) ? ["[flags]"] : []
  const lines: Array<string> = []
  if (isRunnable(node)) lines.push([command, ...required, ...node.args.map(argText), ...flags].join(" "))
  if (node.subcommands.length > 0) lines.push(`${command} <command>${isRunnable(node) ? " [flags]" : ""}`)
  return lines.flatMap((l) => wrap(l, 6, HELP_WIDTH, 2).map((w, i) => (i === 0 ? `  ${w}` : `      ${w}`)))
}

const optionDescription = (o: OptionNode): string =>
  [o.description, o.defaultValue !== undefined ? `(default: ${o.defaultValue})` : "", o.optional ? "" : "(required)"]
    .filter((t) => t !== "")
    .join(" ")

const argDescription = (a: ArgNode): string =>
  [a.description, a.choices.length > 0 ? `One of: ${a.choices.join(", ")}.` : ""].filter((t) => t !== "").join(" ")

/**
 * `openclaw <path> --help`, as `gh` lays it out: what the command does, USAGE with the full path, its commands,
 * arguments and flags with placeholders, examples, where to learn more. `undefined` when there is no such command.
 */
export const renderHelp = (tree: CommandNode, path: ReadonlyArray<string>): string | undefined => {
  const node = find(tree, path)
  if (node === undefined) return undefined
  const page = pageOf(path)
  const root = path.length === 0
  const commands = descendants(node).map((p): readonly [string, string] => [p.join(" "), pageOf([...path, ...p]).summary])
  // Required flags first; names line up when one of them has a short alias.
  const flags = [...node.options].sort((a, b) => Number(a.optional) - Number(b.optional))
  const pad = flags.some((o) => shortNames(o).length > 0)
  const builtIn: ReadonlyArray<readonly [string, string]> = [
    ["-h, --help", "Show help for a command"],
    ...(root ? [["    --version", "Show the openclaw version"] as const] : [])
  ]
  const lines = [
    ...paragraphs(node.description || page.summary),
    ...section("USAGE", usageLines(node, path)),
    ...section("COMMANDS", table(commands)),
    ...section("ARGUMENTS", table(node.args.map((a) => [argText(a), argDescription(a)]))),
    ...section("FLAGS", table(flags.map((o) => [flagText(o, pad), optionDescription(o)]))),
    ...section(root ? "GLOBAL FLAGS" : "INHERITED FLAGS", table(builtIn)),
    ...section("EXAMPLES", (page.examples ?? []).flatMap((e, i) => [...(i > 0 ? [""] : []), ...wrap(`# ${e.does}`, 4).map((l) => `  ${l}`), ...shellLines(e.run)])),
    ...section("LEARN MORE", (page.learnMore ?? []).flatMap((l) => paragraphs(l, 2)))
  ]
  return lines.join("\n")
}
