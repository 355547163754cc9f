/**
 * C0 controls, DEL and C1 controls: what must never reach a terminal, a log line or a line-based file unescaped
 * (§11). Text that holds one is reported (ids, a path for a service definition) rather than used as it is.
 */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/

const NAMES: Readonly<Record<number, string>> = {
  0x00: "a NUL",
  0x07: "a BEL",
  0x08: "a backspace",
  0x09: "a tab",
  0x0a: "a line feed",
  0x0d: "a carriage return",
  0x1b: "an ESC",
  0x7f: "a DEL"
}

/** Where the first control character is and what it is called, for a message that must not print it. */
export const firstControlCharacter = (text: string): { readonly index: number; readonly name: string } | undefined => {
  const match = CONTROL_CHARACTER.exec(text)
  if (match === null) return undefined
  const code = match[0].charCodeAt(0)
  return { index: match.index, name: NAMES[code] ?? `a control character (U+${code.toString(16).toUpperCase().padStart(4, "0")})` }
}
