import * as HelpDoc from "@effect/cli/HelpDoc"
import type * as ValidationError from "@effect/cli/ValidationError"
import { nearest } from "../../domain/Nearest.js"
import { escapeControl } from "../../domain/Untrusted.js"
import type { CommandNode } from "../completion/CommandTree.js"
import { findOption, walkCommands } from "./ArgWalk.js"

/**
 * What a usage error says (§6 "Command-line manners", §11: one line with the problem): @effect/cli's own messages
 * name the symptom of its parser, not the mistake — a flag given without its value is "Received unknown argument:
 * '--agent'", and a long one is masked like a pasted secret; "'abc' is not an integer" does not say for which flag.
 * The framework prints nothing (patches/@effect+cli); this reads its message and the arguments and says what the
 * user did, with the flag or command they meant.
 */

/** Words echoed back are the user's typing, or a secret pasted in the wrong place: long ones are only described. */
const shown = (word: string): string =>
  word.length > 40 ? `a ${word.length}-character value ending in '${escapeControl(word.slice(-4))}'` : `'${escapeControl(word)}'`

/** The long flags a typo may have meant: the command's own and the framework's built-ins (`--version` at the top). */
const longNames = (node: CommandNode, top: boolean): ReadonlyArray<string> => [
  ...node.options.flatMap((o) => o.names.filter((n) => n.startsWith("--"))),
  "--help",
  ...(top ? ["--version"] : [])
]

/** The first flag-like word the command does not take, or takes a value for and got none. */
const flagProblem = (node: CommandNode, args: ReadonlyArray<string>, top: boolean): string | undefined => {
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!
    if (word === "--") return undefined
    if (!word.startsWith("-") || word === "-") continue
    const eq = word.indexOf("=")
    const name = eq > 0 ? word.slice(0, eq) : word
    const option = findOption(node, name)
    if (option === undefined) {
      if (name.length > 40) return `unknown flag ${shown(name)}`
      const meant = nearest(name, longNames(node, top))
      return `unknown flag ${escapeControl(name)}${meant === undefined ? "" : ` (did you mean ${meant}?)`}`
    }
    if (!option.takesValue) continue
    const value = eq > 0 ? word.slice(eq + 1) : args[i + 1]
    if (value === undefined || value === "" || (eq < 0 && findOption(node, value) !== undefined)) return `${name} needs a value`
    if (eq < 0) i++
  }
  return undefined
}

/** The flag whose value was `value`, for "is not an integer". */
const flagWithValue = (args: ReadonlyArray<string>, value: string): string | undefined => {
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!
    if (word.startsWith("--") && word.includes("=") && word.slice(word.indexOf("=") + 1) === value) return word.slice(0, word.indexOf("="))
    if (args[i + 1] === value && word.startsWith("-")) return word
  }
  return undefined
}

/** A flag or argument given a value outside its choices (`--auth-choice oauth`, `completion tcsh`). */
const choiceProblem = (node: CommandNode, args: ReadonlyArray<string>): string | undefined => {
  for (const option of node.options) {
    if (option.choices.length === 0) continue
    for (const name of option.names) {
      const value = flagValue(args, name)
      if (value !== undefined && !option.choices.includes(value)) return `${name} needs one of ${option.choices.join(", ")}, got ${shown(value)}`
    }
  }
  const choices = node.args.find((a) => a.choices.length > 0)?.choices
  const word = args.find((w) => !w.startsWith("-"))
  return choices === undefined || word === undefined ? undefined : `expected one of ${choices.join(", ")}, got ${shown(word)}`
}

const flagValue = (args: ReadonlyArray<string>, name: string): string | undefined => {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1]
    if (args[i]!.startsWith(`${name}=`)) return args[i]!.slice(name.length + 1)
  }
  return undefined
}

const plain = (doc: HelpDoc.HelpDoc): string =>
  HelpDoc.toAnsiText(doc)
    .replace(/\x1b\[[0-9;]*m/g, "")
    .trim()
    .split("\n")[0]!
    .trim()

/** The problem, as `openclaw: <problem>` prints it; `args` are the command line after `openclaw`. */
export const usageProblem = (error: ValidationError.ValidationError, tree: CommandNode, args: ReadonlyArray<string>): string => {
  const text = plain(error.error)
  const walked = walkCommands(tree, args)
  const { node } = walked
  const path = ["openclaw", ...walked.path].join(" ")
  const rest = args.slice(walked.after)
  const subcommand = /^Invalid subcommand for [^:]*: '([\s\S]*)' - use one of /.exec(text)
  if (subcommand !== null) {
    const word = subcommand[1]!
    const names = node.subcommands.map((s) => s.name)
    if (word.startsWith("-")) return flagProblem(node, rest, node === tree) ?? `unknown flag ${shown(word)}`
    const meant = word.length > 40 ? undefined : nearest(word, names)
    return `${shown(word)} is not a command of ${path}${meant === undefined ? "" : ` (did you mean ${meant}?)`}; its commands are ${names.join(", ")}`
  }
  if (text.startsWith("Received unknown argument: ")) {
    const flag = flagProblem(node, rest, node === tree)
    if (flag !== undefined) return flag
    return `unexpected argument: ${text.slice("Received unknown argument: ".length)}`
  }
  const missing = /^Expected to find option: '([^']*)'/.exec(text)
  if (missing !== null) return `missing required flag ${missing[1]}`
  const noValue = /^Expected a value following option: '([^']*)'/.exec(text)
  if (noValue !== null) return `${noValue[1]} needs a value`
  const notA = /^'([\s\S]*)' is not an? ([a-z ]+)$/.exec(text)
  if (notA !== null) {
    const flag = flagWithValue(rest, notA[1]!)
    return `${flag === undefined ? "a value" : flag} needs ${/^[aeiou]/.test(notA[2]!) ? "an" : "a"} ${notA[2]}, got ${shown(notA[1]!)}`
  }
  const argument = /^Missing argument <([^>]*)>/.exec(text)
  if (argument !== null) return `missing argument <${argument[1]}>`
  if (text.startsWith("Expected one of the following cases: ")) return choiceProblem(node, rest) ?? `expected one of ${text.slice(37)}`
  return escapeControl(text.charAt(0).toLowerCase() + text.slice(1))
}
