import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/**
 * `--json` output: exactly `JSON.stringify(value, null, 2)` and a newline, printed in pieces of whole lines. A report
 * of 20,000 profiles is 6–16 MB of JSON. As one string V8 builds it as a rope, flattens it into a two-byte copy (the
 * masks' "…") and encodes that for stdout: tens of MB of fresh memory whose page faults cost more than the
 * formatting (17 MB in one piece: ~230 ms before a byte is out, cold). Pieces of ~48 KB come from memory already in
 * use (V8's young space, malloc's arena; larger ones take fresh pages) and are made only as they are printed:
 * `models status --json` on 20,000 profiles took 58,000 page faults, now 31,000, and ~15 % less CPU. Each piece goes
 * through the output console (scrubbed, escaped) like any line and ends at a line end, never inside a JSON string.
 */

/** Containers with more members than this (here or a few levels down) are written member by member. */
const STREAMED_MEMBERS = 64
const PIECE_CHARS = 48 * 1024
/**
 * Small members of a large array written by one JSON.stringify call (batchText). Measured on the 20,000-profile
 * reports: 16 is quickest; at 64, `status --json` was slower than with one call per member, and 256 was slower for
 * both reports (longer strings cost more than the calls they save).
 */
const BATCH = 16

/** Members JSON.stringify leaves out of an object (and writes as `null` in an array). */
const omitted = (v: unknown): boolean => v === undefined || typeof v === "function" || typeof v === "symbol"

const isLarge = (v: unknown, depth = 0): boolean => {
  if (v === null || typeof v !== "object" || depth > 4 || typeof (v as { toJSON?: unknown }).toJSON === "function") return false
  // Asked of every member of a 20,000-row array: counted in place, without Object.values's array per member.
  if (Array.isArray(v)) {
    if (v.length > STREAMED_MEMBERS) return true
    for (let i = 0; i < v.length; i++) if (isLarge(v[i], depth + 1)) return true
    return false
  }
  let members = 0
  for (const key in v) {
    if (!Object.hasOwn(v, key)) continue
    if (++members > STREAMED_MEMBERS || isLarge((v as Record<string, unknown>)[key], depth + 1)) return true
  }
  return false
}

/** JSON.stringify's text for `value` nested at `indent`. */
const whole = (value: unknown, indent: string): string => {
  const text = JSON.stringify(value, null, 2) ?? "undefined"
  return indent === "" ? text : text.replace(/\n/g, `\n${indent}`)
}

/**
 * The members `from` to `to` of an array whose own brackets are at `indent`, as JSON.stringify writes them inside it:
 * `${inner}m,\n${inner}m…`. One JSON.stringify call for them all, nested in as many arrays as the output's depth so
 * that it indents every line itself; the nesting's brackets are cut off again (fixed lengths). Half the CPU of one
 * call per member re-indented by a replace (20,000 profile rows: 53 → 26 ms warm; `models status --json` −120 ms
 * cold). A member's toJSON sees its index in the batch as its key; nothing printed here reads that key.
 */
const batchText = (array: ReadonlyArray<unknown>, from: number, to: number, indent: string): string => {
  const depth = indent.length >> 1
  let nested: unknown = array.slice(from, to)
  for (let d = 0; d < depth; d++) nested = [nested]
  const text = JSON.stringify(nested, null, 2)
  // Each level d adds `${"  ".repeat(d)}[\n` before and `\n${"  ".repeat(d)}]` after: 2d + 2 characters each.
  const cut = (depth + 1) * (depth + 2)
  return text.slice(cut, text.length - cut)
}

/** Emits the text of `value` at `indent`, pausing after each member (or batch of small members) of a large container. */
function* members(value: unknown, indent: string, emit: (text: string) => void): Generator<void> {
  if (!isLarge(value)) return emit(whole(value, indent))
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    let i = 0
    while (i < value.length) {
      const first = i === 0 ? "[" : ","
      if (isLarge(value[i])) {
        emit(`${first}\n${inner}`)
        yield* members(value[i], inner, emit)
        i++
      } else {
        let end = i + 1
        while (end < value.length && end - i < BATCH && !isLarge(value[end])) end++
        emit(`${first}\n${batchText(value, i, end, indent)}`)
        i = end
      }
      yield
    }
    return emit(`\n${indent}]`)
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record).filter((k) => !omitted(record[k]))
  for (let i = 0; i < keys.length; i++) {
    emit(`${i === 0 ? "{" : ","}\n${inner}${JSON.stringify(keys[i])}: `)
    yield* members(record[keys[i]!], inner, emit)
    yield
  }
  emit(keys.length === 0 ? "{}" : `\n${indent}}`)
}

/** The pieces, each made when the previous one has been printed. */
function* pieces(value: unknown): Generator<string> {
  let buffer = ""
  let ready: string | undefined
  const emit = (text: string) => {
    buffer += text
    if (buffer.length < PIECE_CHARS || ready !== undefined) return
    const end = buffer.lastIndexOf("\n")
    if (end <= 0) return
    ready = buffer.slice(0, end)
    buffer = buffer.slice(end + 1)
  }
  for (const _ of members(value, "", emit)) {
    if (ready === undefined) continue
    const piece = ready
    ready = undefined
    yield piece
  }
  // The last emits come after the last pause (a value too small to stream, or a container's closing lines): a piece
  // they made ready is still to be printed, before the rest.
  if (ready !== undefined) yield ready
  yield buffer
}

/** Prints `value` as `Console.log(JSON.stringify(value, null, 2))` would, in pieces of whole lines. */
export const printJson = (value: unknown): Effect.Effect<void> =>
  Effect.gen(function* () {
    for (const piece of pieces(value)) yield* Console.log(piece)
  })
