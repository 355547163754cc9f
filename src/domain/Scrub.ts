import { GRAM, hashAt, home, mix, roll, RUN, type ScrubIndex, type Table, tableFor } from "./ScrubIndex.js"

/**
 * Scrubbing text that is about to leave the process (§11): secrets found through the index (./ScrubIndex.ts) —
 * whole, in runs of RUN or more characters, or encoded — and, by shape, URL user-info and credential-like query
 * parameters. One pass over the text with the rolling hash: linear in the text, whatever the number of secrets.
 */

/** user:password@ in a URL, and the values of query parameters that carry credentials by their name. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]+)@/gi
const CREDENTIAL_PARAM = /([?&](?:api[_-]?key|key|token|access[_-]?token|refresh[_-]?token|auth|secret|client[_-]?secret|password|passwd|sig|signature)=)([^&\s#"'<>]+)/gi

/**
 * The next position from `at` that may start an entry's GRAM characters: all of them in the table's alphabet and
 * their hash's filter bit set; -1 when there is none. Kept apart from the matching below, so this loop — which
 * reads the whole text — is optimised on its own and never thrown back to the interpreter by a first match.
 */
const nextCandidate = (text: string, at: number, table: Table): number => {
  const { alphabet, filter, filterShift } = table
  const n = text.length
  let i = at
  while (i + GRAM <= n) {
    // A window of alphabet characters, read from its end: one outside it moves the window past it.
    let k = i + GRAM - 1
    while (k >= i && alphabet[text.charCodeAt(k)] === 1) k--
    if (k >= i) {
      i = k + 1
      continue
    }
    let h = hashAt(text, i)
    for (;;) {
      const bit = mix(h) >>> filterShift
      if ((filter[bit >>> 5]! & (1 << (bit & 31))) !== 0) return i
      const next = i + GRAM
      if (next >= n) return -1
      if (alphabet[text.charCodeAt(next)] !== 1) {
        i = next + 1
        break
      }
      h = roll(h, text, i)
      i++
    }
  }
  return -1
}

/**
 * The longest match of an entry at `i` (a whole-only piece found whole, or a run of RUN or more characters of a
 * secret, extended both ways but not back over `emitted`): its piece, with its start and end in `span`; -1 for none.
 */
const bestMatchAt = (out: string, i: number, emitted: number, table: Table, span: Int32Array): number => {
  const { texts, wholeOnly, entryPiece, entryOffset, slots, shift } = table
  const mask = (slots.length >>> 1) - 1
  const h = hashAt(out, i)
  let bestStart = -1
  let bestEnd = -1
  let bestPiece = -1
  for (let slot = home(h, shift); slots[2 * slot] !== 0; slot = (slot + 1) & mask) {
    if (slots[2 * slot + 1] !== h) continue
    const e = slots[2 * slot]! - 1
    const piece = entryPiece[e]!
    const offset = entryOffset[e]!
    const p = texts[piece]!
    let k = 0
    while (k < GRAM && out.charCodeAt(i + k) === p.charCodeAt(offset + k)) k++
    if (k < GRAM) continue // a hash collision
    if (wholeOnly[piece]) {
      const start = i - offset
      if (start < 0 || !out.startsWith(p, start)) continue
      if (bestPiece < 0 || p.length > bestEnd - bestStart) {
        bestStart = start
        bestEnd = start + p.length
        bestPiece = piece
      }
      continue
    }
    while (i + k < out.length && offset + k < p.length && out.charCodeAt(i + k) === p.charCodeAt(offset + k)) k++
    let b = 0
    while (i - b > emitted && offset - b > 0 && out.charCodeAt(i - b - 1) === p.charCodeAt(offset - b - 1)) b++
    if (k + b < RUN) continue
    if (bestPiece < 0 || k + b > bestEnd - bestStart) {
      bestStart = i - b
      bestEnd = i + k
      bestPiece = piece
    }
  }
  span[0] = bestStart
  span[1] = bestEnd
  return bestPiece
}

const isKnown = (known: Iterable<string>, piece: string): boolean => {
  for (const k of known) if (k.includes(piece)) return true
  return false
}

/**
 * `text` with every secret run replaced: a whole secret by `whole(secret)` (its mask, or `<redacted>`), anything
 * less or encoded by `other`. A match whose text occurs in one of `known` — what the client itself sent, echoed back to it —
 * is kept: replacing it would tell the client whether its own text held part of a secret (an oracle answering one
 * guess per request), and keeping it tells the client nothing it did not send.
 */
export const scrub = (
  text: string,
  index: ScrubIndex,
  whole: (secret: string) => string,
  other: string | ((length: number) => string),
  known?: Iterable<string>
): string => {
  const otherOf = typeof other === "string" ? () => other : other
  let out = text
  if (out.includes("://")) out = out.replace(URL_USERINFO, (_, head: string, info: string) => `${head}${otherOf(info.length)}@`)
  if (out.includes("=")) out = out.replace(CREDENTIAL_PARAM, (_, head: string, value: string) => `${head}${otherOf(value.length)}`)
  if (index.size === 0 || out.length < GRAM) return out
  const table = tableFor(out, index)
  const { texts, secretOf } = table
  // Replacements so far, in order and apart: [start, end, replacement] each.
  const starts: Array<number> = []
  const ends: Array<number> = []
  const replacements: Array<string | undefined> = []
  const span = new Int32Array(2)
  let emitted = 0
  let i = nextCandidate(out, 0, table)
  while (i >= 0) {
    const bestPiece = bestMatchAt(out, i, emitted, table, span)
    if (bestPiece < 0) {
      i = nextCandidate(out, i + 1, table)
      continue
    }
    const bestEnd = span[1]!
    if (known !== undefined && isKnown(known, out.slice(span[0]!, bestEnd))) {
      emitted = bestEnd
      i = nextCandidate(out, bestEnd, table)
      continue
    }
    const secret = secretOf[bestPiece]
    let start = span[0]!
    // undefined: `other`, made once the span is final (it may take in the ones it overlaps).
    let replacement = secret !== undefined && bestEnd - start === texts[bestPiece]!.length ? whole(secret) : undefined
    // A whole match found by its end takes the place of what was replaced inside it (runs of a secret between
    // the escapes of its percent-encoding), and of the whole of one it overlaps.
    while (ends.length > 0 && ends[ends.length - 1]! > start) {
      ends.pop()
      replacements.pop()
      const before = starts.pop()!
      if (before < start) {
        start = before
        replacement = undefined
      }
    }
    starts.push(start)
    ends.push(bestEnd)
    replacements.push(replacement)
    emitted = bestEnd
    i = nextCandidate(out, bestEnd, table)
  }
  if (starts.length === 0) return out
  let result = ""
  let from = 0
  for (let r = 0; r < starts.length; r++) {
    result += out.slice(from, starts[r]) + (replacements[r] ?? otherOf(ends[r]! - starts[r]!))
    from = ends[r]!
  }
  return result + out.slice(from)
}
