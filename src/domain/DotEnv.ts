import * as Either from "effect/Either"

/**
 * Editing `.env` files (the daemon's `<state>/.env`, §2) the way dotenv reads them: one variable is set, every
 * other line (comments, blank lines, other assignments, `export` prefixes, CRLF endings) stays byte for byte.
 */

/** What shells accept as a variable name, so the daemon's unit can also `source` the file. */
export const validateEnvName = (name: string): Either.Either<string, string> =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
    ? Either.right(name)
    : Either.left(
        `"${name}" is not a valid environment variable name: use letters, digits and _, not starting with a digit`
      )

const PLAIN = /^[A-Za-z0-9_\-.:/+=@,%^~]+$/
const QUOTES = ["'", '"', "`"]

/**
 * The shortest spelling dotenv's parser reads back as exactly `value`. dotenv has no escapes except `\n`/`\r` in
 * double quotes, so a few values (a quote of every kind plus a backslash or line break) cannot be written.
 */
export const formatDotEnvValue = (value: string): Either.Either<string, string> => {
  if (PLAIN.test(value)) return Either.right(value)
  const hasBreak = /[\r\n]/.test(value)
  // Before a closing quote a backslash would read as an escaped quote; in double quotes `\n` would become a newline.
  const endsEscaped = value.endsWith("\\")
  if (!value.includes("'") && !hasBreak && !endsEscaped) return Either.right(`'${value}'`)
  if (!value.includes('"') && !value.includes("\\")) {
    return Either.right(`"${value.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`)
  }
  // dotenv turns a carriage return in the file into a newline, so only a backtick value may hold raw newlines.
  if (!value.includes("`") && !value.includes("\r") && !endsEscaped) return Either.right(`\`${value}\``)
  // Unquoted: dotenv trims it, stops at `#` and at the line end, and strips a pair of surrounding quotes.
  if (!hasBreak && !value.includes("#") && value.trim() === value && value !== "" && !QUOTES.includes(value[0]!)) {
    return Either.right(value)
  }
  return Either.left("the value mixes quotes, backslashes and line breaks in a way a .env file cannot hold")
}

/** One assignment as dotenv sees it: lines `start..end` (inclusive) of the file. */
interface Assignment {
  readonly key: string
  readonly start: number
  readonly end: number
  /** Leading whitespace and `export ` of the first line, kept when the line is rewritten. */
  readonly prefix: string
  /** The raw value text, quotes included, as dotenv's pattern takes it. */
  readonly rawValue: string
  /** A comment after the value on the last line, with the whitespace before it. */
  readonly comment: string
}

const ASSIGNMENT = /^(\s*(?:export\s+)?)([\w.-]+)(\s*=|:\s)/
/**
 * dotenv's quoted-value patterns, including what may follow the closing quote (blanks, a comment, the line end):
 * the regex engine then backtracks exactly as dotenv's does, so a value spans the same lines.
 */
const AFTER_QUOTE = String.raw`(?=[^\S\n]*(?:#[^\n]*)?(?:\n|$))`
const quotedPattern = (q: string) => new RegExp(String.raw`^${q}(?:\\${q}|[^${q}])*${q}${AFTER_QUOTE}`)
const QUOTED: Readonly<Record<string, RegExp>> = {
  "'": quotedPattern("'"),
  '"': quotedPattern('"'),
  "`": quotedPattern("`")
}

/** Finds every assignment, skipping lines inside a multi-line quoted value and comment lines. */
const scan = (lines: ReadonlyArray<string>): Array<Assignment> => {
  const found: Array<Assignment> = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const m = ASSIGNMENT.exec(line)
    if (!m) continue
    const afterSep = line.slice(m[0].length)
    const lead = afterSep.length - afterSep.trimStart().length
    const valueText = afterSep.slice(lead)
    const quoted = quotedSpan(lines, i, valueText)
    if (quoted) {
      found.push({ key: m[2]!, start: i, end: quoted.end, prefix: m[1]!, rawValue: quoted.raw, comment: quoted.comment })
      i = quoted.end
      continue
    }
    const hash = valueText.indexOf("#")
    const raw = hash < 0 ? valueText : valueText.slice(0, hash)
    const comment = hash < 0 ? "" : valueText.slice(raw.trimEnd().length)
    found.push({ key: m[2]!, start: i, end: i, prefix: m[1]!, rawValue: raw.trim(), comment })
  }
  return found
}

/** A quoted value starting at `valueText` on line `i`, possibly running over later lines, closed properly. */
const quotedSpan = (lines: ReadonlyArray<string>, i: number, valueText: string) => {
  const pattern = QUOTED[valueText[0] ?? ""]
  if (!pattern) return undefined
  const rest = [valueText, ...lines.slice(i + 1)].join("\n")
  const m = pattern.exec(rest)
  if (!m) return undefined
  const end = i + (m[0].match(/\n/g)?.length ?? 0)
  const tail = rest.slice(m[0].length).split("\n", 1)[0]!
  return { end, raw: m[0], comment: tail.trim() === "" ? "" : tail }
}

/** What dotenv makes of a raw value. */
const decodeRaw = (raw: string): string => {
  const trimmed = raw.trim()
  const first = trimmed[0]
  const unquoted = trimmed.replace(/^(['"`])([\s\S]*)\1$/, "$2")
  return first === '"' ? unquoted.replace(/\\n/g, "\n").replace(/\\r/g, "\r") : unquoted
}

const splitLines = (text: string) => {
  const eol = text.includes("\r\n") ? "\r\n" : "\n"
  const lines = text.split(/\r?\n/)
  const trailingNewline = text.endsWith("\n")
  if (trailingNewline) lines.pop()
  return { eol, lines, trailingNewline }
}

/** The value dotenv would read for `key` (the last assignment wins, as in dotenv), if any. */
export const dotEnvValue = (text: string, key: string): string | undefined => {
  const all = scan(splitLines(text).lines).filter((a) => a.key === key)
  const last = all[all.length - 1]
  return last === undefined ? undefined : decodeRaw(last.rawValue)
}

export interface DotEnvUpsert {
  readonly text: string
  /** `unchanged` when the file already said exactly this. */
  readonly change: "added" | "replaced" | "unchanged"
  /** Later assignments of the same key that were removed (they would have overridden it). */
  readonly removedDuplicates: number
}

/**
 * Sets `key` to `value`: the first assignment is rewritten in place (keeping `export ` and a trailing comment),
 * later ones are removed, or a new line is appended. Every other line is kept as it was.
 */
export const upsertDotEnv = (text: string, key: string, value: string): Either.Either<DotEnvUpsert, string> =>
  Either.gen(function* () {
    yield* validateEnvName(key)
    const formatted = yield* formatDotEnvValue(value)
    const { eol, lines, trailingNewline } = splitLines(text)
    const mine = scan(lines).filter((a) => a.key === key)
    const [first, ...duplicates] = mine
    if (first === undefined) {
      const body = text === "" ? "" : trailingNewline ? text : `${text}${eol}`
      return { text: `${body}${key}=${formatted}${eol}`, change: "added" as const, removedDuplicates: 0 }
    }
    const drop = new Set<number>()
    for (const d of duplicates) for (let i = d.start; i <= d.end; i++) drop.add(i)
    const comment = first.comment === "" ? "" : /^\s/.test(first.comment) ? first.comment : ` ${first.comment}`
    const out: Array<string> = []
    lines.forEach((line, i) => {
      if (i === first.start) out.push(`${first.prefix}${key}=${formatted}${comment}`)
      else if ((i > first.start && i <= first.end) || drop.has(i)) return
      else out.push(line)
    })
    const next = out.join(eol) + (trailingNewline || out.length > 0 ? eol : "")
    const normalized = trailingNewline ? text : `${text}${eol}`
    return {
      text: next,
      change: next === normalized || next === text ? ("unchanged" as const) : ("replaced" as const),
      removedDuplicates: duplicates.length
    }
  })

/**
 * Every assignment `remove(key, value)` picks is taken out (all its lines, a multi-line value included), and every
 * comment line `commentHolds` picks (`#OPENAI_API_KEY=sk-…`, an old copy kept by hand: scrubbing is one-way, §9);
 * every other line stays byte for byte. `removed` names the keys, once each, and each comment by its line number.
 */
export const removeDotEnvAssignments = (
  text: string,
  remove: (key: string, value: string) => boolean,
  commentHolds: (line: string) => boolean = () => false
): { readonly text: string; readonly removed: ReadonlyArray<string> } => {
  const { eol, lines, trailingNewline } = splitLines(text)
  const drop = new Set<number>()
  const removed = new Set<string>()
  const assignments = scan(lines)
  const inValue = valueLines(assignments)
  for (const a of assignments) {
    if (!remove(a.key, decodeRaw(a.rawValue))) continue
    removed.add(a.key)
    for (let i = a.start; i <= a.end; i++) drop.add(i)
  }
  for (let i = 0; i < lines.length; i++) {
    if (inValue.has(i) || !lines[i]!.trimStart().startsWith("#") || !commentHolds(lines[i]!)) continue
    drop.add(i)
    removed.add(`a comment (line ${i + 1})`)
  }
  if (drop.size === 0) return { text, removed: [] }
  const out = lines.filter((_, i) => !drop.has(i))
  return { text: out.join(eol) + (trailingNewline && out.length > 0 ? eol : ""), removed: [...removed] }
}

/** dotenv's own line pattern (dotenv/lib/main.js, v17): what it reads as an assignment. */
const DOTENV_LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm

/**
 * The 1-based numbers of the lines dotenv passes over without a word, or misreads: not blank, not a comment, and no
 * part of an assignment it reads as written (`KEY value`, `=value`, the rest of a value a carriage return cut in two,
 * a name whose `=` is on the next line). By number only: a line may hold a secret.
 */
export const ignoredDotEnvLines = (text: string): ReadonlyArray<number> => {
  const src = text.replace(/\r\n?/g, "\n")
  const starts: Array<number> = [0]
  for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) starts.push(i + 1)
  const lineOf = (offset: number): number => {
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid]! <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }
  const covered = new Uint8Array(starts.length)
  for (const m of src.matchAll(DOTENV_LINE)) {
    const key = m.index + m[0].indexOf(m[1]!)
    const keyEnd = key + m[1]!.length
    const separator = keyEnd + src.slice(keyEnd, m.index + m[0].length).search(/[=:]/)
    // A name alone on its line takes the `=` of the next one (`TEXT` then `=value`): dotenv reads them as one, a
    // variable named by whatever the first line held. Neither line is what it looks like: both are reported.
    if (src.slice(keyEnd, separator).includes("\n")) continue
    const last = lineOf(Math.max(key, m.index + m[0].length - 1))
    for (let l = lineOf(key); l <= last; l++) covered[l] = 1
  }
  const ignored: Array<number> = []
  for (let l = 0; l < starts.length; l++) {
    if (covered[l] === 1) continue
    const line = src.slice(starts[l], l + 1 < starts.length ? starts[l + 1]! - 1 : src.length).trim()
    if (line !== "" && !line.startsWith("#")) ignored.push(l + 1)
  }
  return ignored
}

/** The lines of the file's assignments (a `#` inside a multi-line quoted value is not a comment). */
const valueLines = (assignments: ReadonlyArray<Assignment>): ReadonlySet<number> => {
  const lines = new Set<number>()
  for (const a of assignments) for (let i = a.start; i <= a.end; i++) lines.add(i)
  return lines
}

/** A commented-out assignment (`#KEY=value`, `# export KEY='v' # note`), read as dotenv reads it uncommented. */
const commentedOut = (line: string): { readonly key: string; readonly value: string } | undefined => {
  const body = /^\s*#+\s*(.*)$/.exec(line)?.[1]
  const a = body === undefined ? undefined : scan([body])[0]
  const value = a === undefined ? "" : decodeRaw(a.rawValue)
  return a === undefined || value === "" ? undefined : { key: a.key, value }
}

/** The value of a commented-out assignment line, or undefined for any other line. */
export const commentedValue = (line: string): string | undefined => commentedOut(line)?.value

/**
 * Assignments commented out (`#OPENAI_API_KEY=sk-…`, `# export X=…`): dotenv skips them, but the value is still in
 * the file in plain text. By name and 1-based line only: the value may be a secret.
 */
export const commentedAssignments = (text: string): ReadonlyArray<{ readonly name: string; readonly line: number }> => {
  const { lines } = splitLines(text)
  const inValue = valueLines(scan(lines))
  const found: Array<{ name: string; line: number }> = []
  for (let i = 0; i < lines.length; i++) {
    const c = inValue.has(i) ? undefined : commentedOut(lines[i]!)
    if (c !== undefined && !isPlaceholder(c.value)) found.push({ name: c.key, line: i + 1 })
  }
  return found
}

/** `sk-ant-...`, `<your key>`, `xxx`: what a template shows where a value goes, not a value. */
const isPlaceholder = (value: string): boolean => value.length < 8 || /\.\.\.|\u2026|[<>\s]|^(.)\1*$/.test(value)
