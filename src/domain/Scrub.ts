import { FILTER_SHIFT, GRAM, hashAt, home, mix, roll, RUN, type ScrubIndex, tableFor } from "./ScrubIndex.js"

/**
 * Scrubbing text that is about to leave the process (§11): secrets found through the index (./ScrubIndex.ts) —
 * whole, in runs of RUN or more characters, or encoded — and, by shape, URL user-info and credential-like query
 * parameters. One pass over the text with the rolling hash: linear in the text, whatever the number of secrets.
 */

/** user:password@ in a URL, and the values of query parameters that carry credentials by their name. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi
const CREDENTIAL_PARAM = /([?&](?:api[_-]?key|key|token|access[_-]?token|refresh[_-]?token|auth|secret|client[_-]?secret|password|passwd|sig|signature)=)[^&\s#"'<>]+/gi

/**
 * `text` with every secret run replaced: a whole secret by `whole(secret)` (its mask, or `<redacted>`), anything
 * less or encoded by `other`.
 */
export const scrub = (text: string, index: ScrubIndex, whole: (secret: string) => string, other: string): string => {
  let out = text
  if (out.includes("://")) out = out.replace(URL_USERINFO, `$1${other}@`)
  if (out.includes("=")) out = out.replace(CREDENTIAL_PARAM, `$1${other}`)
  if (index.size === 0 || out.length < GRAM) return out
  const { texts, secretOf, wholeOnly, entryHash, entryPiece, entryOffset, slots, shift, filter } = tableFor(out, index)
  const mask = slots.length - 1
  // Replacements so far, in order and apart: [start, end, replacement] each.
  const starts: Array<number> = []
  const ends: Array<number> = []
  const replacements: Array<string> = []
  let emitted = 0
  let h = hashAt(out, 0)
  for (let i = 0; i + GRAM <= out.length; ) {
    const bit = mix(h) >>> FILTER_SHIFT
    if ((filter[bit >>> 5]! & (1 << (bit & 31))) === 0) {
      if (i + GRAM < out.length) h = roll(h, out, i)
      i++
      continue
    }
    let bestStart = -1
    let bestEnd = -1
    let bestPiece = -1
    for (let slot = home(h, shift); slots[slot] !== 0; slot = (slot + 1) & mask) {
      const e = slots[slot]! - 1
      if (entryHash[e] !== h) continue
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
    if (bestPiece >= 0) {
      const secret = secretOf[bestPiece]
      let start = bestStart
      let replacement = secret !== undefined && bestEnd - bestStart === texts[bestPiece]!.length ? whole(secret) : other
      // A whole match found by its end takes the place of what was replaced inside it (runs of a secret between
      // the escapes of its percent-encoding), and of the whole of one it overlaps.
      while (ends.length > 0 && ends[ends.length - 1]! > start) {
        ends.pop()
        replacements.pop()
        const before = starts.pop()!
        if (before < start) {
          start = before
          replacement = other
        }
      }
      starts.push(start)
      ends.push(bestEnd)
      replacements.push(replacement)
      emitted = bestEnd
      i = bestEnd
      if (i + GRAM <= out.length) h = hashAt(out, i)
      continue
    }
    if (i + GRAM < out.length) h = roll(h, out, i)
    i++
  }
  if (starts.length === 0) return out
  let result = ""
  let from = 0
  for (let r = 0; r < starts.length; r++) {
    result += out.slice(from, starts[r]) + replacements[r]
    from = ends[r]!
  }
  return result + out.slice(from)
}
