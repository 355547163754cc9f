/**
 * §11: text that came from outside (files, environment, providers' answers, clients' requests) is printed to a
 * terminal or a log line only with its control characters shown instead of acting: a newline in a profile id
 * cannot forge a status or log line, an ESC cannot recolour the screen or move the cursor, a BEL cannot ring.
 */

/**
 * C0, DEL, C1, the two Unicode line separators some terminals and log viewers break lines at, and the bidirectional
 * formatting characters (U+061C, U+200E/F, U+202A–E, U+2066–9) that make a terminal show text in another order than
 * it is (`openai:bidi<U+202E>gnp.exe` reading as `…exe.png`).
 */
/** A character that acts on a terminal or a log instead of showing: C0/C1 controls, line separators, direction marks. */
export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
const CONTROLS = new RegExp(CONTROL.source, "g")

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" }

const hex = (code: number, width: number): string => code.toString(16).padStart(width, "0")

/** One control character as its visible escape: `\n`, `\r`, `\t`, `\x1b`, `\x9b`, `\u2028`. */
const escapeChar = (c: string): string => {
  const code = c.charCodeAt(0)
  return NAMED[c] ?? (code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`)
}

/** `text` with every control character (LF, CR and TAB included) escaped: safe inside one line. */
export const escapeControl = (text: string): string => (CONTROL.test(text) ? text.replace(CONTROLS, escapeChar) : text)

/** Every control character but the LF and TAB the program writes, and the bidirectional and line-separator marks. */
const UNSAFE_CLASS = "[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]"
/** Any character TERMINAL_UNSAFE can match the start of (ESC is among the controls). */
const ACTING = new RegExp(UNSAFE_CLASS)
/** An SGR colour sequence (`ESC [ <digits;> m`), or one of UNSAFE_CLASS. */
const TERMINAL_UNSAFE = new RegExp(`(\\u001b\\[[0-9;]*m)|${UNSAFE_CLASS}`, "g")

/**
 * The net at a terminal boundary, for whole outputs the program composed: its own line breaks and tabs stay,
 * SGR colour sequences stay when `colour` (and are dropped otherwise, so plain output holds no ESC at all), every
 * other control character — a bare ESC, cursor movement, OSC title, CR, BEL — is escaped as `\uXXXX`: the one
 * spelling that is also valid inside a JSON string, since JSON.stringify leaves DEL, C1 and U+2028/9 raw.
 */
export const escapeForTerminal = (text: string, colour: boolean): string =>
  // The test first: a scan for one character class is twice as quick as the alternation's, and most text has none.
  !ACTING.test(text)
    ? text
    : text.replace(TERMINAL_UNSAFE, (match, sgr: string | undefined) =>
        sgr !== undefined ? (colour ? sgr : "") : `\\u${hex(match.charCodeAt(0), 4)}`
      )
