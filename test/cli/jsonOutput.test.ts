import { describe, expect, it } from "@effect/vitest"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { printJson } from "../../src/cli/render/JsonOutput.js"

/** What printJson hands the console, one entry per Console.log call. */
const printed = (value: unknown): Array<string> => {
  const calls: Array<string> = []
  const capture = Effect.map(Effect.console, (c): Console.Console => ({ ...c, log: (...args) => Effect.sync(() => void calls.push(args.map(String).join(" "))) }))
  Effect.runSync(Effect.flatMap(capture, (console) => Effect.withConsole(printJson(value), console)))
  return calls
}

const profiles = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    profileId: `anthropic:p${i}`,
    secret: `sk-ant-api03-…${String(i).padStart(4, "0")}`,
    email: i % 3 === 0 ? null : `user${i}@example.invalid`,
    note: i % 7 === 0 ? 'a "quoted"\nline\u2028and \\ more' : undefined,
    fn: i % 11 === 0 ? () => 1 : undefined,
    unavailable: i % 5 === 0 ? { reason: "cooldown", until: 1_796_000_000_000 + i } : null,
    labels: i % 13 === 0 ? [] : ["x"],
    nested: i % 17 === 0 ? {} : { deep: { deeper: [1, { a: [null, true] }] } }
  }))

describe("printJson (--json output in pieces)", () => {
  it.each([
    ["small object", { a: 1, b: [1, 2], c: {} }],
    ["top-level primitives", "text"],
    ["null", null],
    ["empty array", []],
    ["20,000 profiles under a small object", { agentId: "main", now: 1, profiles: profiles(20_000), skipped: [] }],
    ["large arrays at several depths", { auth: { providers: Array.from({ length: 70 }, (_, i) => ({ provider: `p${i}`, labels: profiles(80).map((p) => p.profileId) })) }, oauth: { profiles: profiles(3_000) } }],
    ["members JSON leaves out or writes as null", { keep: 1, gone: undefined, f: () => 1, list: Array.from({ length: 100 }, (_, i) => (i % 2 ? undefined : () => i)) }],
    ["toJSON", { when: new Date(0), many: Array.from({ length: 100 }, (_, i) => new Date(i)) }],
    ["an array mixing small members with large ones", [1, { big: Array.from({ length: 70 }, (_, i) => i) }, "s", null, [Array.from({ length: 100 }, (_, i) => ({ i }))], undefined, () => 0, 2]],
    ["small members in batches at every depth", { a: { b: { c: [{ d: Array.from({ length: 130 }, (_, i) => ({ i, s: `v${i}`, n: null, l: [i] })) }] } } }],
    ["an object of many keys", Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, { v: i, s: "…" }]))],
    // Over a piece's size, but no container large enough to be written member by member: one emit, never a pause.
    ["a report over 48 KB with no container over 64 members", { profiles: Object.fromEntries(profiles(64).map((p) => [p.profileId, { ...p, pad: "x".repeat(800) }])) }],
    ["a report over 48 KB whose last member tips it over", { small: 1, tail: { profiles: profiles(64).map((p) => ({ ...p, pad: "y".repeat(800) })) } }]
  ])("%s: byte for byte what JSON.stringify(value, null, 2) gives", (_, value) => {
    const calls = printed(value)
    expect(calls.join("\n")).toBe(JSON.stringify(value, null, 2))
  })

  it("a large report goes out in pieces of whole lines, each well under a megabyte", () => {
    const value = { profiles: profiles(20_000) }
    const calls = printed(value)
    expect(calls.length).toBeGreaterThan(50)
    for (const piece of calls) expect(piece.length).toBeLessThan(256 * 1024)
    // Every piece ends where JSON.stringify's text has a line end: no JSON string is ever cut.
    const text = JSON.stringify(value, null, 2)
    let at = 0
    for (const piece of calls.slice(0, -1)) {
      at += piece.length
      expect(text[at]).toBe("\n")
      at += 1
    }
  })
})
