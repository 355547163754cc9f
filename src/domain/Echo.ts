import { GRAM, looksRandom, RUN } from "./ScrubIndex.js"

/**
 * A provider's message with what it quotes from the request taken out (§11). A client chooses every byte of what the
 * gateway sends on its behalf, and providers quote it back ("The model `…` does not exist"). Scrubbed as it came,
 * such a quote would tell the client whether its text held 8 characters of a key: `<redacted>` or not, one guess
 * per request. With every quote of RUN or more characters that could hold such a piece replaced first — whether or
 * not it does — what is left to scrub, keep in a profile's lastError and show is the same whatever the client
 * guessed. The message is classified before this (domain/Failure `messageReason`): a quote taken out cannot change
 * what the provider's words say.
 *
 * Linear: the message's windows (a provider message is short) go in a table; each text sent is read once with a
 * rolling hash.
 */

// RUN-character windows, not the scrubber's GRAM-character hash (ScrubIndex `hashAt`): windows that share a hash
// here are nearly always the same text, so each is compared once, however a message repeats itself.
const BASE = 0x01000193
const TOP = (() => {
  let p = 1
  for (let i = 1; i < RUN; i++) p = Math.imul(p, BASE)
  return p
})()

const hashAt = (s: string, at: number): number => {
  let h = 0
  for (let i = at; i < at + RUN; i++) h = (Math.imul(h, BASE) + s.charCodeAt(i)) | 0
  return h
}

export const ECHO_PLACEHOLDER = "‹from the request›"
const MAX_PER_HASH = 16

/**
 * `message` with every run of RUN or more of its characters that also occurs in one of `sent` replaced by
 * `placeholder` — when the run could hold a piece the scrubber finds: one with a GRAM-character window of two
 * character classes (ScrubIndex `looksRandom`, a property of the text alone). "max_tokens" or "100000 > 64000" stay.
 */
export const withoutEcho = (message: string, sent: Iterable<string>, placeholder: string = ECHO_PLACEHOLDER): string => {
  const m = message.length
  if (m < RUN) return message
  // The message's distinct windows by hash, each with where it starts; a window found in `sent` leaves the table, so
  // a message that repeats itself (a provider quoting a megabyte of "aaaa…") costs one comparison per text, not per
  // position. At most MAX_PER_HASH texts share a hash.
  const windows = new Map<number, Array<{ readonly text: string; readonly at: Array<number> }>>()
  for (let i = 0; i + RUN <= m; i++) {
    const h = hashAt(message, i)
    const text = message.slice(i, i + RUN)
    const bucket = windows.get(h)
    const same = bucket?.find((w) => w.text === text)
    if (same !== undefined) same.at.push(i)
    else if (bucket === undefined) windows.set(h, [{ text, at: [i] }])
    else if (bucket.length < MAX_PER_HASH) bucket.push({ text, at: [i] })
  }
  const quoted = new Uint8Array(m) // 1 where a window found in `sent` starts
  for (const source of sent) {
    if (windows.size === 0) break
    if (source.length < RUN) continue
    let h = hashAt(source, 0)
    for (let j = 0; ; j++) {
      const bucket = windows.get(h)
      if (bucket !== undefined) {
        const found = bucket.findIndex((w) => source.startsWith(w.text, j))
        if (found >= 0) {
          for (const i of bucket[found]!.at) quoted[i] = 1
          bucket.splice(found, 1)
          if (bucket.length === 0) windows.delete(h)
        }
      }
      if (j + RUN >= source.length) break
      h = (Math.imul(h - Math.imul(source.charCodeAt(j), TOP), BASE) + source.charCodeAt(j + RUN)) | 0
    }
  }
  let out = ""
  let from = 0
  let i = 0
  while (i < m) {
    if (quoted[i] === 0) {
      i++
      continue
    }
    // A run of overlapping quoted windows: one placeholder for all of it, if any part of it looks random.
    let end = i + RUN
    let k = i + 1
    while (k < end && k < m) {
      if (quoted[k] === 1) end = Math.max(end, k + RUN)
      k++
    }
    let random = false
    for (let w = i; w + GRAM <= end && !random; w++) random = looksRandom(message, w)
    if (random) {
      out += message.slice(from, i) + placeholder
      from = end
    }
    i = end
  }
  return from === 0 ? message : out + message.slice(from)
}
