import { describe, expect, it } from "@effect/vitest"
import { escapeControl, escapeForTerminal } from "../../src/domain/Untrusted.js"

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

/** Every character §11 names: C0 (with LF, CR, TAB, BEL, ESC), DEL, C1 and the Unicode line separators. */
const ALL_CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)),
  ...Array.from({ length: 0x21 }, (_, i) => String.fromCharCode(0x7f + i)),
  "\u2028",
  "\u2029"
].join("")

describe("escapeControl (§11)", () => {
  it("shows every control character visibly and leaves one line", () => {
    const out = escapeControl(`a${ALL_CONTROLS}z`)
    expect(out).not.toMatch(RAW)
    expect(out.split("\n")).toHaveLength(1)
    expect(escapeControl("id\nFORGED\r\t\u001b[31m\u0007\u009b\u2028")).toBe("id\\nFORGED\\r\\t\\x1b[31m\\x07\\x9b\\u2028")
  })

  it("shows the bidirectional formatting characters too: a terminal would reorder the text around them", () => {
    expect(escapeControl("openai:bidi\u202egnp.exe")).toBe("openai:bidi\\u202egnp.exe")
    for (const c of ["\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]) {
      expect(escapeControl(`a${c}b`)).toBe(`a\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}b`)
      expect(escapeForTerminal(`a${c}b`, true)).toBe(`a\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}b`)
    }
    // And --json stays valid JSON that reads back the same.
    const json = JSON.stringify({ email: "\u202eevil@example.com" })
    expect(JSON.parse(escapeForTerminal(json, false))).toEqual(JSON.parse(json))
  })

  it("leaves ordinary text, non-ASCII and backslashes as they are", () => {
    for (const s of ["anthropic:work", "me@example.com", "C:\\Users\\me", "ünïcödé — 日本 🙂", ""]) expect(escapeControl(s)).toBe(s)
  })
})

describe("escapeForTerminal (§11, the output net)", () => {
  it("keeps the program's LF, TAB and, with colour, SGR colours; escapes everything else", () => {
    const text = "line\tone\n\u001b[1mbold\u001b[22m \u001b[2J\u001b]0;t\u0007\r\u009b\u007f\u2028"
    expect(escapeForTerminal(text, true)).toBe("line\tone\n\u001b[1mbold\u001b[22m \\u001b[2J\\u001b]0;t\\u0007\\u000d\\u009b\\u007f\\u2028")
  })

  it("without colour no ESC survives at all", () => {
    const out = escapeForTerminal(`\u001b[31mred\u001b[39m ${ALL_CONTROLS}`, false)
    expect(out.startsWith("red ")).toBe(true)
    expect(out.replace(/[\n\t]/g, "")).not.toMatch(RAW)
  })

  it("escapes the way JSON reads back, so --json output stays valid", () => {
    const json = JSON.stringify({ id: `x\u007f\u0085\u2028${ALL_CONTROLS}y` })
    expect(JSON.parse(escapeForTerminal(json, false))).toEqual(JSON.parse(json))
  })
})
