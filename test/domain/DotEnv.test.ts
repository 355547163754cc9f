import { describe, expect, it } from "@effect/vitest"
import { parse } from "dotenv"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import { dotEnvValue, formatDotEnvValue, upsertDotEnv, validateEnvName, ignoredDotEnvLines } from "../../src/domain/DotEnv.js"

const KEY = "sk-proj-FAKE0123456789abcdefghijKEY7"

const upsert = (text: string, key: string, value: string) => Either.getOrThrow(upsertDotEnv(text, key, value))

describe("upsertDotEnv", () => {
  it("appends to an empty or missing file, and to a file without a final newline", () => {
    expect(upsert("", "OPENAI_API_KEY", KEY)).toEqual({ text: `OPENAI_API_KEY=${KEY}\n`, change: "added", removedDuplicates: 0 })
    expect(upsert("# keys\nA=1", "B", "2").text).toBe("# keys\nA=1\nB=2\n")
  })

  it("replaces the assignment in place, keeping every other line, comment, export and trailing comment", () => {
    const before = [
      "# daemon env",
      "",
      "A=1",
      "export OPENAI_API_KEY=old-value-123 # work account",
      "  # indented comment",
      "B='two words'",
      ""
    ].join("\n")
    const r = upsert(before, "OPENAI_API_KEY", KEY)
    expect(r.change).toBe("replaced")
    expect(r.text).toBe(
      ["# daemon env", "", "A=1", `export OPENAI_API_KEY=${KEY} # work account`, "  # indented comment", "B='two words'", ""].join("\n")
    )
  })

  it("never duplicates a key: later assignments (which dotenv would let win) are removed", () => {
    const r = upsert("K=1\nA=x\nK=2\nexport K=3\n", "K", "new")
    expect(r).toEqual({ text: "K=new\nA=x\n", change: "replaced", removedDuplicates: 2 })
  })

  it("replaces a multi-line quoted value whole and does not mistake its inner lines for assignments", () => {
    const before = 'CERT="line1\nK=inside\nline3"\nK=real\nZ=1\n'
    const r = upsert(before, "K", "v")
    expect(r.text).toBe('CERT="line1\nK=inside\nline3"\nK=v\nZ=1\n')
    expect(parse(r.text)).toEqual({ CERT: "line1\nK=inside\nline3", K: "v", Z: "1" })
    const multi = upsert("A=1\nK=`x\ny`\nB=2\n", "K", "v")
    expect(multi.text).toBe("A=1\nK=v\nB=2\n")
  })

  it("keeps CRLF line endings", () => {
    expect(upsert("A=1\r\nK=old\r\n", "K", "new").text).toBe("A=1\r\nK=new\r\n")
    expect(upsert("A=1\r\n", "K", "new").text).toBe("A=1\r\nK=new\r\n")
  })

  it("reports unchanged when the file already says exactly this", () => {
    const once = upsert("A=1\n", "K", KEY)
    expect(upsert(once.text, "K", KEY)).toEqual({ text: once.text, change: "unchanged", removedDuplicates: 0 })
  })

  it("accepts `KEY: value` (dotenv's YAML-ish form) as an assignment", () => {
    expect(upsert("K: old\n", "K", "new").text).toBe("K=new\n")
  })

  it("refuses bad names and values it cannot represent", () => {
    expect(Either.isLeft(upsertDotEnv("", "1BAD", "x"))).toBe(true)
    expect(Either.isLeft(upsertDotEnv("", "K", "'\"`\\\n"))).toBe(true)
    expect(Either.isLeft(upsertDotEnv("", "K", "#\\"))).toBe(true)
  })
})

describe("formatDotEnvValue", () => {
  it.each([
    [KEY, KEY],
    ["", "''"],
    ["two words", "'two words'"],
    ["has#hash", "'has#hash'"],
    ["it's", `"it's"`],
    ["multi\nline", '"multi\\nline"'],
    ["a\\b", "'a\\b'"],
    ["ends\\", "ends\\"],
    ["'\"\n", "`'\"\n`"]
  ])("%j is written as %s", (value, written) => {
    expect(formatDotEnvValue(value)).toEqual(Either.right(written))
  })
})

describe("validateEnvName", () => {
  it("accepts shell names only", () => {
    expect(Either.isRight(validateEnvName("OPENAI_API_KEY"))).toBe(true)
    expect(Either.isRight(validateEnvName("_x1"))).toBe(true)
    for (const bad of ["", "1A", "A-B", "A.B", "A B", "Ä"]) expect(Either.isLeft(validateEnvName(bad))).toBe(true)
  })
})

/** Lines a person writes in a .env file (never a bare line starting with a quote, which dotenv reads oddly). */
const lineArb = FastCheck.oneof(
  FastCheck.constantFrom("", "# comment", "  # indented = comment", "export PATHISH=/usr/bin:/bin", "EMPTY=", "SPACED = x y "),
  FastCheck.tuple(
    FastCheck.constantFrom("A", "B", "OPENAI_API_KEY", "K"),
    FastCheck.constantFrom("", "export "),
    FastCheck.constantFrom("v1", "'single q'", '"double q"', '"multi\nline"', "`tick`", "v # trailing", "'x' # c")
  ).map(([k, exp, v]) => `${exp}${k}=${v}`)
)
/** Values of other keys written by us, so files also hold every quoting this module produces. */
const writtenArb = FastCheck.tuple(FastCheck.constantFrom("A", "B", "K"), FastCheck.string({ unit: FastCheck.constantFrom("a", " ", "#", "'", '"', "`", "\\", "\n") }))
  .map(([k, v]) => Either.map(formatDotEnvValue(v), (f) => `${k}=${f}`))
  .filter(Either.isRight)
  .map((e) => e.right)
const fileArb = FastCheck.tuple(FastCheck.array(FastCheck.oneof(lineArb, writtenArb), { maxLength: 8 }), FastCheck.boolean()).map(
  ([lines, finalNewline]) => lines.join("\n") + (finalNewline && lines.length > 0 ? "\n" : "")
)
const valueArb = FastCheck.oneof(
  FastCheck.string({ unit: "grapheme-ascii" }),
  FastCheck.string({ unit: FastCheck.constantFrom("a", " ", "#", "'", '"', "`", "\\", "\n", "=", "$") }),
  FastCheck.constant(KEY)
)

describe("properties", () => {
  it.prop("dotenv reads back what was written; other keys keep their values; idempotent", [fileArb, valueArb], ([file, value]) => {
    const result = upsertDotEnv(file, "K", value)
    if (Either.isLeft(result)) {
      // Refused only when no quoting works: each kind of quote is blocked by what the value holds.
      expect(/['\r\n]/.test(value) || value.endsWith("\\")).toBe(true)
      expect(/["\\]/.test(value)).toBe(true)
      expect(/[`\r]/.test(value) || value.endsWith("\\")).toBe(true)
      return
    }
    const before = parse(file)
    const after = parse(result.right.text)
    expect(after.K).toBe(value)
    expect(dotEnvValue(result.right.text, "K")).toBe(value)
    expect({ ...after, K: undefined }).toEqual({ ...before, K: undefined })
    expect(upsertDotEnv(result.right.text, "K", value)).toEqual(Either.right({ text: result.right.text, change: "unchanged", removedDuplicates: 0 }))
  })

  it.prop("lines that do not assign the key are kept in order", [fileArb], ([file]) => {
    const text = Either.getOrThrow(upsertDotEnv(file, "NEW_KEY", "x")).text
    expect(text.startsWith(file)).toBe(true)
    expect(dotEnvValue(file, "A")).toBe(parse(file).A)
  })
})

describe("ignoredDotEnvLines (what dotenv passes over without a word)", () => {
  it("numbers the lines that are neither blank, a comment nor part of an assignment dotenv reads", async () => {
    const { parse } = await import("dotenv")
    const text = "# c\nA=1\nnovalue line\n=x\nexport B=2\nC=\"multi\nline\"\n\nD 5\nE=a\rb\nF: yes\n  # indented comment\n"
    expect(ignoredDotEnvLines(text)).toEqual([3, 4, 9, 11])
    // The lines it keeps are exactly those dotenv reads.
    expect(Object.keys(parse(text))).toEqual(["A", "B", "C", "E", "F"])
    expect(ignoredDotEnvLines("A=1\r\nB=2\r\n")).toEqual([])
    expect(ignoredDotEnvLines("")).toEqual([])
    // A name alone on a line takes the next line's `=`: dotenv reads `TEXT=value`, neither line as written.
    expect(ignoredDotEnvLines("A=1\nsome text\n=value\nB=2\n")).toEqual([2, 3])
    expect(Object.keys(parse("A=1\nsometext\n=value\nB=2\n"))).toEqual(["A", "sometext", "B"])
  })
})
