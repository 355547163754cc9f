/**
 * One top-level value of a JSON object replaced in the text itself, every other byte left as it was: the
 * passthrough (§8.4) changes only `model` of a client's body, and re-serialising a parsed copy would rewrite
 * numbers (`1.0` → `1`), escapes and spacing — and cost a stringify of every image in the body.
 */

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9

/** The index just past the string starting at `i` (a `"`). */
const endOfString = (text: string, i: number): number => {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j)
    if (c === 92) j++ // backslash: the next character is escaped
    else if (c === 34) return j + 1
  }
  return text.length
}

/** The index just past the value starting at `i`. */
const endOfValue = (text: string, i: number): number => {
  const c = text.charCodeAt(i)
  if (c === 34) return endOfString(text, i)
  if (c === 123 || c === 91) {
    let depth = 0
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j)
      if (d === 34) j = endOfString(text, j) - 1
      else if (d === 123 || d === 91) depth++
      else if (d === 125 || d === 93) {
        if (--depth === 0) return j + 1
      }
    }
    return text.length
  }
  let j = i
  while (j < text.length) {
    const d = text.charCodeAt(j)
    if (d === 44 || d === 125 || d === 93 || isSpace(d)) break
    j++
  }
  return j
}

/**
 * Where the value of `key` lies in the text of a JSON object; the last one when the key repeats, as JSON.parse
 * keeps the last. For text JSON.parse accepted: linear, no recursion, no allocation but an escaped key's decode.
 */
export const topLevelValueSpan = (text: string, key: string): { readonly start: number; readonly end: number } | undefined => {
  let i = 0
  while (i < text.length && isSpace(text.charCodeAt(i))) i++
  if (text.charCodeAt(i) !== 123) return undefined
  i++
  let found: { start: number; end: number } | undefined
  while (i < text.length) {
    while (i < text.length && (isSpace(text.charCodeAt(i)) || text.charCodeAt(i) === 44)) i++
    if (text.charCodeAt(i) !== 34) break // `}` or the end
    const keyEnd = endOfString(text, i)
    const raw = text.slice(i + 1, keyEnd - 1)
    const name = raw.indexOf("\\") === -1 ? raw : (JSON.parse(text.slice(i, keyEnd)) as string)
    i = keyEnd
    while (i < text.length && (isSpace(text.charCodeAt(i)) || text.charCodeAt(i) === 58)) i++
    const end = endOfValue(text, i)
    if (name === key) found = { start: i, end }
    i = end
  }
  return found
}

/** The text with the top-level `key`'s value replaced by `value` (serialised); undefined when there is no such key. */
export const replaceTopLevelValue = (text: string, key: string, value: unknown): string | undefined => {
  const span = topLevelValueSpan(text, key)
  return span === undefined ? undefined : `${text.slice(0, span.start)}${JSON.stringify(value)}${text.slice(span.end)}`
}
