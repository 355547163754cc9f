import { publicPrefixOf } from "./Mask.js"

/**
 * Finding secrets in text that is about to leave the process (§11): not only whole values, but any run of
 * RUN or more characters of a secret's hidden part (a provider error quoting "all but the last four"), its base64
 * (standard or URL-safe, at any byte alignment: `Basic` headers, JSON-in-base64) and its percent-encoding; and, by
 * shape, URL user-info and credential-like query parameters, whatever secret they hold.
 *
 * Matching is one pass over the text with a rolling hash of GRAM characters, looked up in an index built once per
 * set of secrets: linear in the text, whatever the number of secrets. The index holds a secret's GRAM-character
 * pieces only every STRIDE characters — any run of RUN = GRAM + STRIDE - 1 characters contains one of them — and an
 * encoding only by its start (an encoding is found whole): 20,000 secrets make a few hundred thousand entries.
 */

export const RUN = 8
const GRAM = 5
const STRIDE = RUN - GRAM + 1

interface Piece {
  /** The text searched for: the secret itself, or one of its encodings. */
  readonly text: string
  /** Where its hidden part starts: a run must include at least RUN characters from here on. */
  readonly hiddenFrom: number
  /** The secret it stands for, when `text` is the secret itself (a whole match keeps its usual mask). */
  readonly secret: string | undefined
  /** Only a match of the whole text counts (a value substituted from `${VAR}`: its pieces are ordinary text). */
  readonly wholeOnly: boolean
}

interface Entry {
  readonly piece: Piece
  readonly offset: number
}

export interface ScrubIndex {
  /** One entry, or several when pieces share a hash (most do not: no array per entry). */
  readonly grams: ReadonlyMap<number, Entry | ReadonlyArray<Entry>>
}

const BASE = 0x01000193

/** Base^(GRAM-1) mod 2^32, to take the oldest character out of the rolling hash. */
const TOP = (() => {
  let p = 1
  for (let i = 1; i < GRAM; i++) p = Math.imul(p, BASE)
  return p
})()

const hashAt = (s: string, at: number): number => {
  let h = 0
  for (let i = at; i < at + GRAM; i++) h = (Math.imul(h, BASE) + s.charCodeAt(i)) | 0
  return h
}

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes))

/**
 * The part of the base64 of `secret` that every encoding containing it shares, at each of the three byte
 * alignments: encode it behind 0, 1 or 2 filler bytes and drop the characters the filler or the cut end touch.
 */
const base64Cores = (secret: string): ReadonlyArray<string> => {
  const bytes = new TextEncoder().encode(secret)
  const out: Array<string> = []
  for (let shift = 0; shift < 3; shift++) {
    const shifted = new Uint8Array(shift + bytes.length)
    shifted.set(bytes, shift)
    const from = Math.ceil((shift * 4) / 3)
    const to = Math.floor(((shift + bytes.length) * 4) / 3)
    if (to - from < RUN) continue
    const core = toBase64(shifted).slice(from, to)
    out.push(core)
    const urlSafe = core.replace(/\+/g, "-").replace(/\//g, "_")
    if (urlSafe !== core) out.push(urlSafe)
  }
  return out
}

const piecesOf = (secret: string): ReadonlyArray<Piece> => {
  const pieces: Array<Piece> = [{ text: secret, hiddenFrom: publicPrefixOf(secret).length, secret, wholeOnly: false }]
  const percent = encodeURIComponent(secret)
  if (percent !== secret) pieces.push({ text: percent, hiddenFrom: 0, secret: undefined, wholeOnly: true })
  for (const core of base64Cores(secret)) pieces.push({ text: core, hiddenFrom: 0, secret: undefined, wholeOnly: true })
  return pieces
}

/**
 * Whether a run mixes at least two of lower case, upper case and digits. Secrets are random; a run of one class
 * ("deepseek" inside `FAKE-deepseek-pat-…`) is as likely an ordinary word of the output, and a leak that starts
 * with one is still caught, extended backwards from the first random-looking run it contains.
 */
const looksRandom = (text: string, at: number): boolean => {
  let classes = 0
  for (let i = at; i < at + GRAM; i++) {
    const c = text.charCodeAt(i)
    classes |= c >= 97 && c <= 122 ? 1 : c >= 65 && c <= 90 ? 2 : c >= 48 && c <= 57 ? 4 : 0
  }
  return classes !== 0 && (classes & (classes - 1)) !== 0
}

/**
 * The index of every secret of at least RUN characters, and of `values` that are sensitive only whole (text
 * substituted from `${VAR}`); build it once per set and keep it.
 */
export const scrubIndex = (secrets: Iterable<string>, values: Iterable<string> = []): ScrubIndex => {
  const grams = new Map<number, Entry | Array<Entry>>()
  const add = (piece: Piece) => {
    const last = piece.wholeOnly ? 0 : piece.text.length - GRAM
    for (let offset = piece.hiddenFrom; offset <= last; offset += STRIDE) {
      if (!piece.wholeOnly && !looksRandom(piece.text, offset)) continue
      const h = hashAt(piece.text, offset)
      const found = grams.get(h)
      if (found === undefined) grams.set(h, { piece, offset })
      else if (!Array.isArray(found)) grams.set(h, [found as Entry, { piece, offset }])
      else if (found.length < 64) found.push({ piece, offset })
    }
  }
  for (const secret of secrets) if (secret.length >= RUN) for (const piece of piecesOf(secret)) add(piece)
  for (const value of values) if (value.length >= RUN) add({ text: value, hiddenFrom: 0, secret: value, wholeOnly: true })
  return { grams }
}

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
  if (index.grams.size === 0 || out.length < GRAM) return out
  let result = ""
  let emitted = 0
  let h = hashAt(out, 0)
  for (let i = 0; i + GRAM <= out.length; ) {
    const found = index.grams.get(h)
    let best: { start: number; end: number; piece: Piece } | undefined
    if (found !== undefined) {
      for (const { piece, offset } of Array.isArray(found) ? (found as ReadonlyArray<Entry>) : [found as Entry]) {
        const p = piece.text
        let k = 0
        while (k < GRAM && out.charCodeAt(i + k) === p.charCodeAt(offset + k)) k++
        if (k < GRAM) continue // a hash collision
        while (i + k < out.length && offset + k < p.length && out.charCodeAt(i + k) === p.charCodeAt(offset + k)) k++
        if (piece.wholeOnly) {
          if (k !== p.length) continue
        } else {
          let b = 0
          while (i - b > emitted && offset - b > 0 && out.charCodeAt(i - b - 1) === p.charCodeAt(offset - b - 1)) b++
          if (k + b < RUN) continue
          if (best === undefined || k + b > best.end - best.start) best = { start: i - b, end: i + k, piece }
          continue
        }
        if (best === undefined || k > best.end - best.start) best = { start: i, end: i + k, piece }
      }
    }
    if (best !== undefined) {
      const isWhole = best.piece.secret !== undefined && best.end - best.start === best.piece.text.length
      result += out.slice(emitted, best.start) + (isWhole ? whole(best.piece.secret!) : other)
      emitted = best.end
      i = best.end
      if (i + GRAM <= out.length) h = hashAt(out, i)
      continue
    }
    if (i + GRAM < out.length) h = (Math.imul(h - Math.imul(out.charCodeAt(i), TOP), BASE) + out.charCodeAt(i + GRAM)) | 0
    i++
  }
  return emitted === 0 ? out : result + out.slice(emitted)
}
