import { RUN } from "./ScrubIndex.js"

/**
 * A provider's message with what it quotes from the request taken out (§11). A client chooses every byte of what the
 * gateway sends on its behalf, and providers quote it back ("The model `…` does not exist"). Scrubbed as it came,
 * such a quote would tell the client whether its text held 8 characters of a key: `<redacted>` or not, one guess
 * per request. With every quote of RUN or more characters replaced first — whether or not it holds a secret — what
 * is left to scrub, keep in a profile's lastError and show, is the same whatever the client guessed.
 *
 * Linear: the message's windows (a provider message is short) go in a table; the request is read once with a
 * rolling hash.
 */

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

/** `message` with every run of RUN or more of its characters that also occurs in `sent` replaced by `placeholder`. */
export const withoutEcho = (message: string, sent: string, placeholder: string = ECHO_PLACEHOLDER): string => {
  const m = message.length
  if (m < RUN || sent.length < RUN) return message
  // Where each window of the message starts, by its hash.
  const starts = new Map<number, Array<number>>()
  for (let i = 0; i + RUN <= m; i++) {
    const h = hashAt(message, i)
    const list = starts.get(h)
    if (list === undefined) starts.set(h, [i])
    else list.push(i)
  }
  const quoted = new Uint8Array(m) // 1 where a window found in `sent` starts
  let h = hashAt(sent, 0)
  for (let j = 0; ; j++) {
    const list = starts.get(h)
    if (list !== undefined) {
      for (const i of list) if (quoted[i] === 0 && sent.startsWith(message.slice(i, i + RUN), j)) quoted[i] = 1
    }
    if (j + RUN >= sent.length) break
    h = (Math.imul(h - Math.imul(sent.charCodeAt(j), TOP), BASE) + sent.charCodeAt(j + RUN)) | 0
  }
  let out = ""
  let from = 0
  let i = 0
  while (i < m) {
    if (quoted[i] === 0) {
      i++
      continue
    }
    // A run of overlapping quoted windows: one placeholder for all of it.
    let end = i + RUN
    let k = i + 1
    while (k < end && k < m) {
      if (quoted[k] === 1) end = Math.max(end, k + RUN)
      k++
    }
    out += message.slice(from, i) + placeholder
    from = end
    i = end
  }
  return from === 0 ? message : out + message.slice(from)
}
