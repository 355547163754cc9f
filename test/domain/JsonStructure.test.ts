import { describe, expect, it } from "@effect/vitest"
import json5 from "json5"
import { firstUnsafeNumber, isPrototypeKey, jsonStructureProblem, MAX_JSON_DEPTH } from "../../src/domain/JsonStructure.js"

/**
 * Every case must first be accepted by the parser that reads it: the check is about what parsers let through. Given
 * the parsed value too, the pass finds duplicates by counting keys: it must answer exactly the same.
 */
const check = (text: string, format: "JSON" | "JSON5" = "JSON") => {
  const parsed: unknown = format === "JSON" ? JSON.parse(text) : json5.parse(text)
  const byName = jsonStructureProblem(text)
  expect(jsonStructureProblem(text, { parsed }), `counted: ${text.slice(0, 80)}`).toEqual(byName)
  return byName
}

describe("JSON structure checks (§11)", () => {
  it("passes ordinary stores and configs, comments, escapes and strings that look like keys", () => {
    expect(check('{"version":1,"profiles":{"a:b":{"type":"api_key","key":"x\\"y","expires":1798761600000}},"x":[1,-2.5,0,1e3,{}]}')).toBeUndefined()
    expect(check(`// c\n{ a: 'x', "b": [1, 2,], /* "a": 1 */ c: { a: 1 }, d: "a", e: 0x1F, f: +1, g: .5, h: 'it\\'s', }`, "JSON5")).toBeUndefined()
    expect(check('{"a":"{\\"a\\":1}","b":"a"}')).toBeUndefined()
    expect(check(`{"deep":${"[".repeat(MAX_JSON_DEPTH - 1)}${"]".repeat(MAX_JSON_DEPTH - 1)}}`)).toBeUndefined()
  })

  it("duplicate keys, however spelled, with both positions", () => {
    expect(check('{"profiles":{"openai:a":1,\n  "openai:a":2}}')).toMatchObject({
      kind: "duplicate-key",
      line: 2,
      column: 3,
      detail: 'duplicate key "openai:a" (also at 1:14); openclaw cannot tell which one is meant'
    })
    expect(check('{"a":1,"\\u0061":2}')?.kind).toBe("duplicate-key")
    expect(check("{a: 1, 'a': 2}", "JSON5")?.kind).toBe("duplicate-key")
    // The same key in sibling objects is fine.
    expect(check('{"x":{"a":1},"y":{"a":1}}')).toBeUndefined()
    // Counted, a duplicate in one object is not hidden by a missing key elsewhere, nor found in arrays of objects.
    expect(check('[{"a":1,"a":2},{"b":1}]')?.kind).toBe("duplicate-key")
    expect(check('{"l":[{"a":1},{"a":2}],"m":[[{"x":[]}]]}')).toBeUndefined()
    expect(check('{"a":{"k":1},"b":[1,{"k":2,"j":{"k":3,"k":4}}]}')).toMatchObject({ kind: "duplicate-key", column: 39 })
    // A key that could be anything is not quoted back.
    expect(check('{"sk live\\u001b":1,"sk live\\u001b":2}')?.detail).toBe("duplicate key (also at 1:2); openclaw cannot tell which one is meant")
  })

  it("prototype keys, quoted, unquoted or escaped, unless the caller allows them", () => {
    for (const [text, format] of [
      ['{"profiles":{"__proto__":{}}}', "JSON"],
      ['{"constructor":1}', "JSON"],
      ["{prototype: 1}", "JSON5"],
      ['{"\\u005f_proto__":1}', "JSON"]
    ] as const) {
      expect(check(text, format)?.kind, text).toBe("prototype-key")
    }
    expect(jsonStructureProblem('{"tools":[{"constructor":1}]}', { allowPrototypeKeys: true })).toBeUndefined()
    expect(check('{"a":"constructor"}')).toBeUndefined()
    expect(isPrototypeKey("__proto__") && isPrototypeKey("constructor") && !isPrototypeKey("toString")).toBe(true)
  })

  it("numbers a double cannot hold, or that a rewrite would change", () => {
    for (const [text, format] of [
      ['{"expires":1e309}', "JSON"],
      ['{"expires":-1e309}', "JSON"],
      ['{"n":12345678901234567890}', "JSON"],
      ['{"n":1e-400}', "JSON"],
      ["{n: Infinity}", "JSON5"],
      ["{n: -Infinity}", "JSON5"],
      ["{n: NaN}", "JSON5"],
      ["{n: 0xFFFFFFFFFFFFFFFFFF}", "JSON5"]
    ] as const) {
      expect(check(text, format)?.kind, text).toBe("unsafe-number")
    }
    expect(check('{"a":9007199254740991,"b":-9007199254740991,"c":0.1,"d":0e10,"e":1.5e-300}')).toBeUndefined()
    expect(check('{"expires":1e309}')?.detail).toBe("the number 1e309 cannot be kept exactly (outside ±9007199254740991)")
    // -0 parses, and a rewrite writes it as 0.
    for (const text of ['{"n":-0}', '{"n": -0 }', '{"n":-0.0}', '{"n":-0e5}', "[-0]"]) expect(check(text)?.detail, text).toMatch(/^the number -0[.e\d]* would be written back as 0$/)
    expect(check('{"a":0,"b":-1,"c":-10,"d":-0.5}')).toBeUndefined()
  })

  it("nesting deeper than the limit stops the pass at once, whatever the size, without recursion", () => {
    const depth = 10_000
    const text = `{"x":${"[".repeat(depth)}${"]".repeat(depth)}}`
    const started = performance.now()
    expect(check(text)).toMatchObject({ kind: "depth", line: 1, column: 5 + MAX_JSON_DEPTH, detail: `nested deeper than ${MAX_JSON_DEPTH} levels` })
    expect(check(`{a:${"{a:".repeat(depth)}1${"}".repeat(depth)}}`, "JSON5")?.kind).toBe("depth")
    expect(performance.now() - started).toBeLessThan(5_000)
  })

  it("is linear: a 20,000-profile store (3.5 MB) is checked in about the time it takes to parse", () => {
    const profiles: Record<string, unknown> = {}
    for (let i = 0; i < 20_000; i++) profiles[`openai:p${i}`] = { type: "api_key", provider: "openai", key: `sk-${"x".repeat(40)}${i}`, email: `u${i}@x.y` }
    const text = JSON.stringify({ version: 1, profiles }, null, 2)
    const started = performance.now()
    expect(jsonStructureProblem(text)).toBeUndefined()
    // ~50 ms on an idle machine; a pass that rescanned (quadratic) would take minutes. Generous for a busy box.
    expect(performance.now() - started).toBeLessThan(5_000)
    const parsed: unknown = JSON.parse(text)
    const counted = performance.now()
    expect(jsonStructureProblem(text, { parsed })).toBeUndefined()
    expect(performance.now() - counted).toBeLessThan(5_000)
  })
})

describe("firstUnsafeNumber (the last net before a file)", () => {
  it("finds a number JSON cannot keep exactly, by its path; safe values pass", () => {
    expect(firstUnsafeNumber({ version: 1, profiles: { "a:b": { expires: 1_800_000_000_000, n: [1, 2.5, -3] } } })).toBeUndefined()
    expect(firstUnsafeNumber({ profiles: { "a:b": { expires: 1.0000000000179603e23 } } })).toEqual({ path: "profiles.a:b.expires", value: 1.0000000000179603e23 })
    expect(firstUnsafeNumber({ x: [0, Infinity] })).toEqual({ path: "x[1]", value: Infinity })
    expect(firstUnsafeNumber({ x: Number.NaN })?.path).toBe("x")
    expect(firstUnsafeNumber({ x: -0 })).toBeUndefined()
  })
})
