/**
 * A hand-edited `openclaw.json` (§3.2) rewritten in place: the text of the values that changed is replaced,
 * removed or appended, and every other byte — comments, unquoted keys, quotes, trailing commas, order,
 * indentation — stays as the user wrote it. The caller keeps editing plain objects; `editJson5` compares the
 * object before and after and turns the difference into text edits located with a JSON5 tokenizer.
 * Input is text json5.parse already accepted (and the structure check passed: no duplicate keys).
 */

interface Span {
  readonly start: number
  readonly end: number
}
type Node =
  | (Span & { readonly kind: "scalar" })
  | (Span & { readonly kind: "array"; readonly items: ReadonlyArray<Element> })
  | (Span & { readonly kind: "object"; readonly items: ReadonlyArray<Element> })
/** A member (`key: value`) or an array item: `start` is the key's (or the value's) start, `comma` the index of the comma after it, or -1. */
interface Element {
  readonly key: string | undefined
  readonly keyQuote: string | undefined
  readonly start: number
  readonly value: Node
  readonly comma: number
}

const isSpace = (c: string): boolean => c === "\uFEFF" || /\s/.test(c)
const isPunct = (c: string): boolean => c === "," || c === ":" || c === "{" || c === "}" || c === "[" || c === "]"

const unescape = (body: string): string =>
  body.replace(/\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(\r\n|[\s\S]))/g, (_, u: string, x: string, c: string) => {
    if (u) return String.fromCharCode(parseInt(u, 16))
    if (x) return String.fromCharCode(parseInt(x, 16))
    switch (c) {
      case "n": return "\n"
      case "t": return "\t"
      case "r": return "\r"
      case "b": return "\b"
      case "f": return "\f"
      case "v": return "\v"
      case "0": return "\0"
      case "\n": case "\r": case "\r\n": case "\u2028": case "\u2029": return "" // line continuation
      default: return c
    }
  })

/** The tree of `text`, and how many of its strings (keys and values) are single-quoted against double-quoted. */
const parse = (text: string): { readonly root: Node; readonly single: number; readonly double: number } => {
  let i = 0
  let single = 0
  let double = 0
  const skip = (): void => {
    while (i < text.length) {
      const c = text[i]!
      if (isSpace(c)) i++
      else if (c === "/" && text[i + 1] === "/") {
        while (i < text.length && text[i] !== "\n" && text[i] !== "\r" && text[i] !== "\u2028" && text[i] !== "\u2029") i++
      } else if (c === "/" && text[i + 1] === "*") {
        const close = text.indexOf("*/", i + 2)
        i = close === -1 ? text.length : close + 2
      } else return
    }
  }
  const stringEnd = (from: number): number => {
    const quote = text[from]
    if (quote === "'") single++
    else double++
    for (let j = from + 1; j < text.length; j++) {
      if (text[j] === "\\") j++
      else if (text[j] === quote) return j + 1
    }
    return text.length
  }
  const bareEnd = (from: number): number => {
    let j = from
    while (j < text.length && !isSpace(text[j]!) && !isPunct(text[j]!) && !(text[j] === "/" && (text[j + 1] === "/" || text[j + 1] === "*"))) j++
    return j
  }
  const elements = (close: string, keyed: boolean): Array<Element> => {
    const out: Array<Element> = []
    for (;;) {
      skip()
      if (i >= text.length || text[i] === close) return out
      const start = i
      let key: string | undefined
      let keyQuote: string | undefined
      if (keyed) {
        const q = text[i]
        const end = q === '"' || q === "'" ? stringEnd(i) : bareEnd(i)
        keyQuote = q === '"' || q === "'" ? q : undefined
        key = unescape(keyQuote ? text.slice(i + 1, end - 1) : text.slice(i, end))
        i = end
        skip()
        i++ // the colon
        skip()
      }
      const value = node()
      skip()
      let comma = -1
      if (text[i] === ",") {
        comma = i
        i++
      }
      out.push({ key, keyQuote, start, value, comma })
      if (comma === -1) {
        skip()
        return out
      }
    }
  }
  const node = (): Node => {
    const start = i
    const c = text[i]
    if (c === "{" || c === "[") {
      i++
      const items = elements(c === "{" ? "}" : "]", c === "{")
      i++ // the closing bracket
      return { kind: c === "{" ? "object" : "array", start, end: i, items }
    }
    i = c === '"' || c === "'" ? stringEnd(i) : bareEnd(i)
    return { kind: "scalar", start, end: i }
  }
  skip()
  const root = node()
  return { root, single, double }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const definedKeys = (o: Record<string, unknown>): Array<string> => Object.keys(o).filter((k) => o[k] !== undefined)

/** The same JSON value, key order aside (a key holding `undefined` is no key, as in JSON.stringify). */
export const sameJson = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, k) => sameJson(x, b[k]))
  if (isRecord(a) && isRecord(b)) {
    const ka = definedKeys(a)
    return ka.length === definedKeys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]))
  }
  return false
}
const same = sameJson

/** How the file writes what it writes: used for the text that has to be new. */
interface Style {
  readonly unit: string
  readonly bareKeys: boolean
  readonly quote: string
  /** On one line, as `{ a: 1 }` and `['x']`, where the text replaced or the sibling copied was. */
  readonly inline: boolean
}
/** The longest inline rendering kept on one line; past it, one member a line. */
const INLINE_MAX = 100

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const quoted = (s: string, quote: string): string =>
  quote === "'" ? `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'` : JSON.stringify(s)
const keyText = (key: string, style: Style): string => (style.bareKeys && identifier.test(key) ? key : quoted(key, style.quote))

/** `value` as text starting at a line indented by `indent`. */
const render = (value: unknown, indent: string, style: Style): string => {
  if (style.inline) {
    const flat = renderInline(value, style)
    if (flat.length <= INLINE_MAX) return flat
  }
  const inner = indent + style.unit
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]"
    return `[\n${value.map((v) => inner + render(v, inner, style)).join(",\n")}\n${indent}]`
  }
  if (isRecord(value)) {
    const keys = definedKeys(value)
    if (keys.length === 0) return "{}"
    return `{\n${keys.map((k) => `${inner}${keyText(k, style)}: ${render(value[k], inner, style)}`).join(",\n")}\n${indent}}`
  }
  if (typeof value === "string") return quoted(value, style.quote)
  return JSON.stringify(value) ?? "null"
}

const renderInline = (value: unknown, style: Style): string => {
  if (Array.isArray(value)) return `[${value.map((v) => renderInline(v, style)).join(", ")}]`
  if (isRecord(value)) {
    const keys = definedKeys(value)
    return keys.length === 0 ? "{}" : `{ ${keys.map((k) => `${keyText(k, style)}: ${renderInline(value[k], style)}`).join(", ")} }`
  }
  return render(value, "", { ...style, inline: false })
}

interface Edit {
  readonly start: number
  readonly end: number
  readonly text: string
}

const lineStart = (text: string, at: number): number => text.lastIndexOf("\n", at - 1) + 1
const indentOf = (text: string, at: number): string => /^[ \t]*/.exec(text.slice(lineStart(text, at), at))![0]
/** The end of the line `from` is on, past its newline, when only blanks or a line comment follow `from`; else -1. */
const restOfLine = (text: string, from: number): number => {
  const m = /^[ \t]*(?:\/\/[^\n]*)?(?:\r?\n|$)/.exec(text.slice(from, text.indexOf("\n", from) === -1 ? text.length : text.indexOf("\n", from) + 1))
  return m ? from + m[0].length : -1
}
const endOf = (e: Element): number => (e.comma === -1 ? e.value.end : e.comma + 1)

/** The range removing element `k` of `items`, whole lines when it has its own. */
const removal = (text: string, items: ReadonlyArray<Element>, k: number): Span => {
  const e = items[k]!
  const before = text.slice(lineStart(text, e.start), e.start)
  const after = restOfLine(text, endOf(e))
  if (/^[ \t]*$/.test(before) && after !== -1 && (k === 0 || !text.slice(endOf(items[k - 1]!), e.start).trim().endsWith("*/"))) {
    return { start: lineStart(text, e.start), end: after }
  }
  if (k < items.length - 1) return { start: e.start, end: items[k + 1]!.start }
  let start = e.start
  while (start > 0 && /[ \t]/.test(text[start - 1]!)) start--
  return { start, end: endOf(e) }
}

const edits = (text: string, node: Node, before: unknown, after: unknown, style: Style, out: Array<Edit>): void => {
  if (same(before, after)) return
  const replace = (): void => {
    const quote = node.kind === "scalar" && (text[node.start] === "'" || text[node.start] === '"') ? text[node.start]! : style.quote
    const valueStyle = { ...style, quote, inline: !text.slice(node.start, node.end).includes("\n") }
    out.push({ start: node.start, end: node.end, text: render(after, indentOf(text, node.start), valueStyle) })
  }
  if (node.kind === "scalar") return replace()
  const items = node.items
  let removed: Array<number>
  let added: Array<readonly [string | undefined, unknown]>
  if (node.kind === "object" && isRecord(before) && isRecord(after)) {
    removed = []
    items.forEach((e, k) => {
      if (!Object.hasOwn(after, e.key!) || after[e.key!] === undefined) removed.push(k)
      else edits(text, e.value, before[e.key!], after[e.key!], style, out)
    })
    added = Object.keys(after).filter((key) => !Object.hasOwn(before, key) && after[key] !== undefined).map((key) => [key, after[key]] as const)
  } else if (node.kind === "array" && Array.isArray(before) && Array.isArray(after) && items.length === before.length) {
    if (before.every((v, k) => k >= after.length || same(v, after[k]))) {
      removed = before.length > after.length ? before.map((_, k) => k).slice(after.length) : []
      added = after.slice(before.length).map((v) => [undefined, v] as const)
    } else {
      // items removed from anywhere, the rest in order: remove those; otherwise the same length, item by item
      removed = []
      let j = 0
      before.forEach((v, k) => (j < after.length && same(v, after[j]) ? j++ : removed.push(k)))
      added = []
      if (j !== after.length) {
        if (before.length !== after.length) return replace()
        removed = []
        before.forEach((v, k) => edits(text, items[k]!.value, v, after[k], style, out))
      }
    }
  } else return replace()
  const kept = items.filter((_, k) => !removed.includes(k))
  if (kept.length === 0 && added.length > 0) return replace() // nothing left to copy the layout from
  for (const k of removed) {
    const r = removal(text, items, k)
    out.push({ start: r.start, end: r.end, text: "" })
  }
  const last = items[items.length - 1]
  const lastKept = kept[kept.length - 1]
  // the last item went and had no comma after it: the one now last loses its own, as the file wrote it
  if (last && lastKept && last !== lastKept && last.comma === -1 && added.length === 0 && lastKept.comma !== -1) {
    out.push({ start: lastKept.comma, end: lastKept.comma + 1, text: "" })
  }
  if (added.length === 0 || !lastKept) return
  const multiline = /\n/.test(text.slice(node.start, lastKept.start))
  const indent = multiline ? indentOf(text, lastKept.start) : ""
  const memberStyle = {
    ...style,
    quote: lastKept.keyQuote ?? style.quote,
    inline: lastKept.value.kind === "scalar" || !text.slice(lastKept.value.start, lastKept.value.end).includes("\n")
  }
  const trailing = lastKept.comma !== -1
  const rendered = added.map(([key, v]) => `${key === undefined ? "" : `${keyText(key, memberStyle)}: `}${render(v, indent, memberStyle)}`)
  if (multiline) {
    const lineEnd = restOfLine(text, endOf(lastKept))
    const at = lineEnd === -1 ? endOf(lastKept) : text[lineEnd - 1] === "\n" ? lineEnd - (text[lineEnd - 2] === "\r" ? 2 : 1) : lineEnd
    // pushed before the comma: at the same offset, the edit applied last lands first
    out.push({ start: at, end: at, text: rendered.map((r) => `\n${indent}${r}`).join(",") + (trailing ? "," : "") })
    if (!trailing) out.push({ start: lastKept.value.end, end: lastKept.value.end, text: "," })
  } else {
    const at = endOf(lastKept)
    out.push({ start: at, end: at, text: `${trailing ? " " : ", "}${rendered.join(", ")}${trailing ? "," : ""}` })
  }
}

/** The unit of indentation the file uses: the smallest step between a line and the deeper line after it. */
const indentUnit = (text: string): string => {
  const indents = text.split("\n").filter((l) => l.trim() !== "").map((l) => /^[ \t]*/.exec(l)![0])
  let unit: string | undefined
  for (let k = 1; k < indents.length; k++) {
    const a = indents[k - 1]!
    const b = indents[k]!
    if (b.length > a.length && b.startsWith(a)) {
      const step = b.slice(a.length)
      if (unit === undefined || step.length < unit.length) unit = step
    }
  }
  return unit ?? "  "
}

/**
 * `text` (which parses to `before`) edited so that it parses to `after`, changing only the values that differ.
 * The caller checks the result parses back to `after` before trusting it.
 */
export const editJson5 = (text: string, before: unknown, after: unknown): string => {
  const { root, single, double } = parse(text)
  const firstKey = root.kind === "object" ? root.items[0] : undefined
  const style: Style = {
    unit: indentUnit(text),
    bareKeys: firstKey !== undefined && firstKey.keyQuote === undefined,
    quote: single > double ? "'" : '"',
    inline: false
  }
  const out: Array<Edit> = []
  edits(text, root, before, after, style, out)
  out.sort((a, b) => b.start - a.start || b.end - a.end)
  let result = text
  let floor = Infinity
  for (const e of out) {
    const end = Math.min(e.end, floor) // two removals sharing a newline: never cut twice
    result = result.slice(0, e.start) + e.text + result.slice(Math.max(end, e.start))
    floor = e.start
  }
  return result
}
