import { publicPrefixOf } from "./Mask.js"
import { base64Cores, coreLength, hasBase64Run, PERCENT_ENCODED, utf8Length } from "./ScrubEncodings.js"

/**
 * The index the scrubber (./Scrub.ts) looks secrets up in, and the rolling hash both use. What is found:
 * secrets in text that is about to leave the process (§11): not only whole values, but any run of
 * RUN or more characters of a secret's hidden part (a provider error quoting "all but the last four"), its base64
 * (standard or URL-safe, at any byte alignment: `Basic` headers, JSON-in-base64) and its percent-encoding; and, by
 * shape, URL user-info and credential-like query parameters, whatever secret they hold.
 *
 * Matching is one pass over the text with a rolling hash of GRAM characters, looked up in an index built once per
 * set of secrets: linear in the text, whatever the number of secrets. The index holds a secret's GRAM-character
 * pieces only every STRIDE characters — any run of RUN = GRAM + STRIDE - 1 characters contains one of them — and an
 * encoding only by its two ends (an encoding is found whole): 20,000 secrets make a few hundred thousand entries.
 */

export const RUN = 8
export const GRAM = 5
const STRIDE = RUN - GRAM + 1
/** Pieces kept per hash value: a secret repeating one pattern cannot make a lookup long. */
const MAX_PER_HASH = 64

/**
 * The index, in flat arrays rather than an object per piece and per entry (20,000 secrets make ~140,000 pieces
 * and ~400,000 entries: objects cost more to allocate and collect than the whole rest of `auth list`).
 * A piece is the text searched for — a secret itself or one of its encodings; an entry is one of its
 * GRAM-character pieces, found by an open-addressing table keyed by the rolling hash.
 */
export interface Table {
  readonly size: number
  /** The text of each piece. */
  readonly texts: ReadonlyArray<string>
  /** The secret a piece stands for, when it is the secret itself (a whole match keeps its usual mask). */
  readonly secretOf: ReadonlyArray<string | undefined>
  /** Only a match of a piece's whole text counts (an encoding, or a value substituted from `${VAR}`). */
  readonly wholeOnly: ReadonlyArray<boolean>
  /** Per entry: its hash, its piece and its offset in the piece's text. */
  readonly entryHash: Int32Array
  readonly entryPiece: Int32Array
  readonly entryOffset: Int32Array
  /**
   * Open addressing (linear probing, at most half full), two numbers per slot: entry number + 1 (0 for an empty
   * slot), then that entry's hash — so a probe compares hashes in the slot it reads, one cache line, instead of
   * reading the entry's hash elsewhere (building the table for 20,000 secrets is mostly such memory reads).
   */
  readonly slots: Int32Array
  readonly shift: number
  /**
   * One bit per 2^filterShift values of the mixed hash, set for those of an entry: at most 256 KB (2^21 bits, for
   * 20,000 secrets), small enough to stay in a CPU cache, where the table does not, so most positions of a text are
   * passed over without touching the table. Sized to the entries (16 bits or more each): a CLI command's handful of
   * secrets needs 256 bytes, not 256 KB of fresh memory (~50 first page touches at ~14 µs on this VM).
   */
  readonly filter: Int32Array
  readonly filterShift: number
  /**
   * 1 for each UTF-16 code unit that occurs in an entry: a position whose GRAM characters are not all such cannot
   * match, so the scan skips past the first one it meets (most of an output — spaces, quotes, punctuation — is
   * outside the alphabet of secrets), touching about one character in GRAM there.
   */
  readonly alphabet: Uint8Array
}

/**
 * Two tables over one set of secrets: `plain` holds the secrets and whole-only values, `full` their percent and
 * base64 encodings too, made on first need. An encoding is only ever found whole, and every one is a run of the
 * base64 alphabet (both variants) at least `shortestCore` long, or holds a `%`: a text with neither — most outputs;
 * the masked list of 20,000 profiles is one — gives the same result with the plain table, which costs a fraction to
 * build (no encoding of each secret) and to scan (fewer filter bits set).
 */
export interface ScrubIndex {
  /** 0 only when nothing can be found: no entry in the plain table and no secret to encode. */
  readonly size: number
  readonly plain: Table
  full: Table | undefined
  readonly secrets: ReadonlyArray<string>
  readonly values: ReadonlyArray<string>
  /** The length of the shortest base64 core of any secret (Infinity when none), and whether any encodes with `%`. */
  readonly shortestCore: number
  readonly anyPercent: boolean
}

const BASE = 0x01000193

/** Base^(GRAM-1) mod 2^32, to take the oldest character out of the rolling hash. */
const TOP = (() => {
  let p = 1
  for (let i = 1; i < GRAM; i++) p = Math.imul(p, BASE)
  return p
})()

export const hashAt = (s: string, at: number): number => {
  let h = 0
  for (let i = at; i < at + GRAM; i++) h = (Math.imul(h, BASE) + s.charCodeAt(i)) | 0
  return h
}

/** Fibonacci hashing: the rolling hash's low bits are poorly mixed. Its top bits pick a slot and a filter bit. */
export const mix = (h: number): number => Math.imul(h, 0x9e3779b1)
/** The filter's bits: 16 or more per entry, between 2^10 and 2^21. */
const filterBits = (entries: number): number => {
  let bits = 10
  while (bits < 21 && 1 << bits < entries * 16) bits++
  return bits
}
export const home = (h: number, shift: number): number => mix(h) >>> shift

/**
 * Whether a run mixes at least two of lower case, upper case and digits. Secrets are random; a run of one class
 * ("deepseek" inside `FAKE-deepseek-pat-…`) is as likely an ordinary word of the output, and a leak that starts
 * with one is still caught, extended backwards from the first random-looking run it contains.
 */
export const looksRandom = (text: string, at: number): boolean => {
  let classes = 0
  for (let i = at; i < at + GRAM; i++) {
    const c = text.charCodeAt(i)
    classes |= c >= 97 && c <= 122 ? 1 : c >= 65 && c <= 90 ? 2 : c >= 48 && c <= 57 ? 4 : 0
  }
  return classes !== 0 && (classes & (classes - 1)) !== 0
}

/**
 * The index of every secret of at least RUN characters, and of `values` that are sensitive only whole (text
 * substituted from `${VAR}`); build it once per set and keep it. Built once per command over up to tens of thousands
 * of secrets, so it is written to be quick before the JIT has optimised it: plain loops, one regex test per secret.
 */
export const scrubIndex = (secrets: Iterable<string>, values: Iterable<string> = []): ScrubIndex => {
  const secretList: Array<string> = []
  const valueList: Array<string> = []
  for (const secret of secrets) if (secret.length >= RUN) secretList.push(secret)
  for (const value of values) if (value.length >= RUN) valueList.push(value)
  // Every secret is at least RUN long, so each of its cores is too, and the shortest core is the shortest secret's.
  let shortestUtf8 = Infinity
  let anyPercent = false
  for (const secret of secretList) {
    if (secret.length < shortestUtf8) shortestUtf8 = Math.min(shortestUtf8, utf8Length(secret))
    if (!anyPercent && PERCENT_ENCODED.test(secret)) anyPercent = true
  }
  const shortestCore = shortestUtf8 === Infinity ? Infinity : coreLength(shortestUtf8, RUN)
  const plain = buildTable(plainPieces(secretList, valueList))
  return { size: plain.size + secretList.length, plain, full: undefined, secrets: secretList, values: valueList, shortestCore, anyPercent }
}

/** The table for `text`: the plain one unless an encoding could be in it. */
export const tableFor = (text: string, index: ScrubIndex): Table => {
  if (index.full === undefined) {
    const encoded = (index.anyPercent && text.includes("%")) || hasBase64Run(text, index.shortestCore)
    if (!encoded) return index.plain
    index.full = buildTable(encodedPieces(index.secrets, index.values))
  }
  return index.full
}

/** What a table searches for, before its entries are made; `bound` is at least the number of entries. */
interface Pieces {
  readonly texts: Array<string>
  readonly secretOf: Array<string | undefined>
  readonly wholeOnly: Array<boolean>
  /** Where the part of a secret that a run may come from starts: after its public prefix. */
  readonly hiddenFrom: Array<number>
  bound: number
}

/** The entries a piece can make: two for a whole-only one (its ends), else one per STRIDE of its hidden part. */
const entriesOf = (length: number, hidden: number, whole: boolean): number =>
  whole ? 2 : Math.max(0, Math.floor((length - GRAM - hidden) / STRIDE) + 1)

const addPiece = (pieces: Pieces, text: string, hidden: number, secret: string | undefined, whole: boolean): void => {
  pieces.texts.push(text)
  pieces.secretOf.push(secret)
  pieces.wholeOnly.push(whole)
  pieces.hiddenFrom.push(hidden)
  pieces.bound += entriesOf(text.length, hidden, whole)
}

const noPieces = (): Pieces => ({ texts: [], secretOf: [], wholeOnly: [], hiddenFrom: [], bound: 0 })

/**
 * The secrets (runs of their hidden part) and the values (whole). Each plain piece stands for itself, so one array
 * serves as both `texts` and `secretOf`; the others are made at their final size (tens of thousands of secrets).
 */
const plainPieces = (secrets: ReadonlyArray<string>, values: ReadonlyArray<string>): Pieces => {
  const texts = secrets.concat(values)
  const wholeOnly = new Array<boolean>(texts.length)
  const hiddenFrom = new Array<number>(texts.length)
  let bound = 0
  for (let p = 0; p < texts.length; p++) {
    const whole = p >= secrets.length
    const hidden = whole ? 0 : publicPrefixOf(texts[p]!).length
    wholeOnly[p] = whole
    hiddenFrom[p] = hidden
    bound += entriesOf(texts[p]!.length, hidden, whole)
  }
  return { texts, secretOf: texts, wholeOnly, hiddenFrom, bound }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * The secret as encodeURIComponent writes it; none for text that is not well-formed (a lone surrogate, which a
 * hostile file can hold): no encoder produces one for it, and encodeURIComponent would throw.
 */
const percentEncoding = (secret: string): string | undefined =>
  LONE_SURROGATE.test(secret) ? undefined : encodeURIComponent(secret)

/** As plainPieces, with each secret's percent-encoding and base64 cores (whole) after it. */
const encodedPieces = (secrets: ReadonlyArray<string>, values: ReadonlyArray<string>): Pieces => {
  const pieces = noPieces()
  for (const secret of secrets) {
    addPiece(pieces, secret, publicPrefixOf(secret).length, secret, false)
    const percent = percentEncoding(secret)
    if (percent !== undefined && percent !== secret) addPiece(pieces, percent, 0, undefined, true)
    for (const core of base64Cores(secret, RUN)) addPiece(pieces, core, 0, undefined, true)
  }
  for (const value of values) addPiece(pieces, value, 0, value, true)
  return pieces
}

const buildTable = ({ texts, secretOf, wholeOnly, hiddenFrom, bound }: Pieces): Table => {
  const entryHash = new Int32Array(bound)
  const entryPiece = new Int32Array(bound)
  const entryOffset = new Int32Array(bound)
  let size = 0
  for (let p = 0; p < texts.length; p++) {
    const text = texts[p]!
    if (wholeOnly[p]) {
      // Found whole, by its start as well as by its end: encodings of secrets that share a public prefix
      // (`sk-ant-api03-`) all start alike, more of them than one hash keeps; their ends differ.
      entryHash[size] = hashAt(text, 0)
      entryPiece[size] = p
      entryOffset[size++] = 0
      entryHash[size] = hashAt(text, text.length - GRAM)
      entryPiece[size] = p
      entryOffset[size++] = text.length - GRAM
      continue
    }
    for (let offset = hiddenFrom[p]!; offset + GRAM <= text.length; offset += STRIDE) {
      if (!looksRandom(text, offset)) continue
      entryHash[size] = hashAt(text, offset)
      entryPiece[size] = p
      entryOffset[size++] = offset
    }
  }
  const { slots, shift, filter, filterShift } = hashTable(entryHash, size)
  const alphabet = alphabetOf(texts, entryPiece, entryOffset, size)
  return { size, texts, secretOf, wholeOnly, entryHash, entryPiece, entryOffset, slots, shift, filter, filterShift, alphabet }
}

/** The open-addressing table and the filter over the first `size` entries' hashes. */
const hashTable = (entryHash: Int32Array, size: number) => {
  // Entries go in in the order they were made, so those sharing a hash are probed in that order and a match
  // prefers the same piece whatever the table's size.
  let bits = 4
  while (1 << bits < size * 2) bits++
  const shift = 32 - bits
  const mask = (1 << bits) - 1
  const slots = new Int32Array(2 << bits)
  const bitsOfFilter = filterBits(size)
  const filterShift = 32 - bitsOfFilter
  const filter = new Int32Array(1 << (bitsOfFilter - 5))
  // How many entries a hash holds, once it holds several (pieces that secrets share: `FAKE…`, or the start of
  // their encodings), so that a full one is passed over without walking its run of slots again.
  const crowded = new Map<number, number>()
  for (let e = 0; e < size; e++) {
    const h = entryHash[e]!
    let slot = home(h, shift)
    if (slots[2 * slot] !== 0 && slots[2 * slot + 1] === h && crowded.get(h) === MAX_PER_HASH) continue
    let same = 0
    while (slots[2 * slot] !== 0) {
      if (slots[2 * slot + 1] === h) same++
      slot = (slot + 1) & mask
    }
    if (same === MAX_PER_HASH) continue
    slots[2 * slot] = e + 1
    slots[2 * slot + 1] = h
    const bit = mix(h) >>> filterShift
    filter[bit >>> 5] = filter[bit >>> 5]! | (1 << (bit & 31))
    if (same >= 8) crowded.set(h, same + 1)
  }
  return { slots, shift, filter, filterShift }
}

/** The code units of the entries' GRAM characters (Table.alphabet). */
const alphabetOf = (texts: ReadonlyArray<string>, entryPiece: Int32Array, entryOffset: Int32Array, size: number): Uint8Array => {
  const alphabet = new Uint8Array(0x10000)
  for (let e = 0; e < size; e++) {
    const text = texts[entryPiece[e]!]!
    const offset = entryOffset[e]!
    for (let k = offset; k < offset + GRAM; k++) alphabet[text.charCodeAt(k)] = 1
  }
  return alphabet
}

/** The rolling hash one character on: `text[at]` out, `text[at + GRAM]` in. */
export const roll = (h: number, text: string, at: number): number =>
  (Math.imul(h - Math.imul(text.charCodeAt(at), TOP), BASE) + text.charCodeAt(at + GRAM)) | 0
