/**
 * The encodings of a secret the scrubber (./Scrub.ts, ./ScrubIndex.ts) finds whole — base64, standard and URL-safe,
 * at any byte alignment, and percent-encoding — and the cheap checks that tell whether a text could hold one.
 */

const ASCII = /^[\x00-\x7f]*$/

/** base64 of `filler` zero bytes followed by the UTF-8 bytes of `text`. */
const base64Behind = (filler: number, text: string): string => {
  const zeros = "\0".repeat(filler)
  if (ASCII.test(text)) return btoa(zeros + text)
  let binary = zeros
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

export const utf8Length = (text: string): number => (ASCII.test(text) ? text.length : new TextEncoder().encode(text).length)

/**
 * The part of the base64 of `secret` that every encoding containing it shares, at each of the three byte
 * alignments: encode it behind 0, 1 or 2 filler bytes and drop the characters the filler or the cut end touch.
 */
export const base64Cores = (secret: string, min: number): ReadonlyArray<string> => {
  const length = utf8Length(secret)
  const out: Array<string> = []
  for (let shift = 0; shift < 3; shift++) {
    const from = Math.ceil((shift * 4) / 3)
    const to = Math.floor(((shift + length) * 4) / 3)
    if (to - from < min) continue
    const core = base64Behind(shift, secret).slice(from, to)
    out.push(core)
    if (core.includes("+") || core.includes("/")) out.push(core.replace(/\+/g, "-").replace(/\//g, "_"))
  }
  return out
}

/** The length of the shortest of `base64Cores(secret, min)` for a secret of `length` UTF-8 bytes, without encoding it. */
export const coreLength = (length: number, min: number): number => {
  let shortest = Infinity
  for (let shift = 0; shift < 3; shift++) {
    const core = Math.floor(((shift + length) * 4) / 3) - Math.ceil((shift * 4) / 3)
    if (core >= min && core < shortest) shortest = core
  }
  return shortest
}

/** Characters of standard and URL-safe base64, without padding (a core has none): A-Z a-z 0-9 + / - _. */
const isBase64Char = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 0x2b || c === 0x2f || c === 0x2d || c === 0x5f

/**
 * Whether `text` holds a run of base64 characters at least `length` long. A run that could start at `start` covers
 * `start + length - 1`: that character is read first and, when it is not base64, no run starts before it ends, so a
 * text of short runs is read at about one character in `length` (outputs are megabytes; cores ~60 characters).
 */
export const hasBase64Run = (text: string, length: number): boolean => {
  let start = 0 // no run of `length` starts before it
  while (start + length <= text.length) {
    const end = start + length - 1
    let k = end
    while (k >= start && isBase64Char(text.charCodeAt(k))) k--
    if (k < start) return true
    start = k + 1
  }
  return false
}

/** Characters encodeURIComponent leaves as they are: a secret with any other has a percent-encoding of its own. */
export const PERCENT_ENCODED = /[^A-Za-z0-9\-_.!~*'()]/

