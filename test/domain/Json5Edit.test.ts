import { describe, expect, it } from "@effect/vitest"
import JSON5 from "json5"
import { editJson5 } from "../../src/domain/Json5Edit.js"

/** Edits `text` with `f` applied to its parsed value; the result must parse back to exactly what `f` returned. */
const edit = (text: string, f: (v: any) => unknown): string => {
  const before = JSON5.parse(text)
  const after = f(JSON5.parse(text))
  const out = editJson5(text, before, after)
  expect(JSON5.parse(out)).toEqual(after)
  return out
}

describe("editJson5: only the changed values differ", () => {
  it("replaces a nested scalar, keeping comments, quotes and the trailing comma", () => {
    const text = `{\n  // the model\n  agents: { defaults: { model: 'a/b', }, }, /* end */\n}\n`
    expect(edit(text, (v) => ({ ...v, agents: { defaults: { model: "c/d" } } }))).toBe(`{\n  // the model\n  agents: { defaults: { model: 'c/d', }, }, /* end */\n}\n`)
  })

  it("adds a member after the last one, in its indentation and key style, past its line comment", () => {
    const text = `{\n    a: 1, // one\n    b: 2 // two\n}`
    expect(edit(text, (v) => ({ ...v, c: { "x-y": [1], z: true } }))).toBe(`{\n    a: 1, // one\n    b: 2, // two\n    c: { "x-y": [1], z: true }\n}`)
    // below a multi-line sibling, one member a line, in the file's indentation unit
    const deep = `{\n    a: {\n        x: 1\n    }\n}`
    expect(edit(deep, (v) => ({ ...v, c: { "x-y": [1], z: true } }))).toBe(
      `{\n    a: {\n        x: 1\n    },\n    c: {\n        "x-y": [\n            1\n        ],\n        z: true\n    }\n}`
    )
    const trailing = `{\n  "a": 1,\n}`
    expect(edit(trailing, (v) => ({ ...v, b: "s" }))).toBe(`{\n  "a": 1,\n  "b": "s",\n}`)
    expect(edit(`{a: 1}`, (v) => ({ ...v, b: 2 }))).toBe(`{a: 1, b: 2}`)
    expect(edit(`{a: [1, 2,]}`, (v) => ({ a: [...v.a, 3] }))).toBe(`{a: [1, 2, 3,]}`)
  })

  it("appends to a multi-line array and removes items from it, line by line", () => {
    const text = `{\n  order: [\n    'x', // first\n    'y',\n    'z'\n  ],\n}`
    expect(edit(text, (v) => ({ order: [...v.order, "w"] }))).toBe(`{\n  order: [\n    'x', // first\n    'y',\n    'z',\n    'w'\n  ],\n}`)
    expect(edit(text, () => ({ order: ["x", "z"] }))).toBe(`{\n  order: [\n    'x', // first\n    'z'\n  ],\n}`)
    expect(edit(text, () => ({ order: ["x", "y"] }))).toBe(`{\n  order: [\n    'x', // first\n    'y'\n  ],\n}`)
    expect(edit(`{o: ['x', 'y']}`, () => ({ o: ["x"] }))).toBe(`{o: ['x']}`)
    expect(edit(`{o: ['x', 'y']}`, () => ({ o: ["y"] }))).toBe(`{o: ['y']}`)
  })

  it("removes a member with its own lines, and an inline one", () => {
    const text = `{\n  keep: 1,\n  /* about gone */\n  gone: { a: 1 }, // bye\n  last: 2\n}`
    expect(edit(text, ({ gone: _, ...rest }) => rest)).toBe(`{\n  keep: 1,\n  /* about gone */\n  last: 2\n}`)
    expect(edit(text, ({ last: _, ...rest }) => rest)).toBe(`{\n  keep: 1,\n  /* about gone */\n  gone: { a: 1 } // bye\n}`)
    expect(edit(`{a: 1, b: 2, c: 3}`, ({ b: _, ...rest }) => rest)).toBe(`{a: 1, c: 3}`)
  })

  it("fills an empty object, escapes keys and strings, leaves unchanged text byte for byte", () => {
    expect(edit(`{x: {}}`, () => ({ x: { "it's": "a\"b" } }))).toBe(`{x: { "it's": "a\\"b" }}`)
    expect(edit(`{\n  x: {\n  },\n}`, () => ({ x: { a: [] } }))).toBe(`{\n  x: {\n    a: []\n  },\n}`)
    expect(edit(`{s: 'q'}`, () => ({ s: "it's" }))).toBe(`{s: 'it\\'s'}`)
    const odd = `\uFEFF{ a : +1, b: 0x10, c: Infinity, d: .5, e: 'x\\\ny' }`
    expect(edit(odd, (v) => v)).toBe(odd)
    expect(edit(odd, (v) => ({ ...v, e: "z" }))).toBe(`\uFEFF{ a : +1, b: 0x10, c: Infinity, d: .5, e: 'z' }`)
  })
})
