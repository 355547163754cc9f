import { describe, expect, it } from "@effect/vitest"
import { withoutEcho } from "../../src/domain/Echo.js"

describe("withoutEcho (a provider's quotes of the request taken out, §11)", () => {
  const sent = JSON.stringify({ model: "gpt-4o-mini-2024-07-18", messages: [{ role: "user", content: "tell me about Zx4Wv7Ty2Ua5k3" }], tool_choice: "sometimes" })

  it("replaces every run of 8 or more characters the request holds, and keeps the rest of the message", () => {
    expect(withoutEcho("The model `gpt-4o-mini-2024-07-18` does not exist or you do not have access to it.", [sent], "‹q›")).toBe(
      "The model `‹q›` does not exist or you do not have access to it."
    )
    // A quote at the very end goes; quotes of fewer than 8 characters stay ("user", "model"), and so do quotes no
    // secret piece could be in (one character class throughout: "sometimes"). The space before a quote is part of it
    // when the request has it too.
    expect(withoutEcho("'sometimes' is not one of ['none', 'auto'] for user model Zx4Wv7Ty2Ua5k3", [sent], "‹q›")).toBe("'sometimes' is not one of ['none', 'auto'] for user model‹q›")
  })

  it("gives the message unchanged when it quotes nothing, or when either is too short to", () => {
    const message = "Rate limit reached for requests. Please try again in 20s."
    expect(withoutEcho(message, [sent])).toBe(message)
    expect(withoutEcho("short", [sent])).toBe("short")
    expect(withoutEcho(message, ["tiny"])).toBe(message)
  })

  it("is the same whatever secret the quote holds: it depends on the message and the request only", () => {
    const a = withoutEcho("bad model q9FAKEgatewayOpk3 given", ['{"model":"q9FAKEgatewayOpk3"}'], "‹q›")
    const b = withoutEcho("bad model q9Zx4Wv7Ty2Uak3 given", ['{"model":"q9Zx4Wv7Ty2Uak3"}'], "‹q›")
    expect(a).toBe("bad model ‹q› given")
    expect(b).toBe(a)
  })

  it("reads a request of a megabyte once: a quote at its end is found", () => {
    const big = `{"messages":[{"content":"${"x".repeat(1_000_000)}"}],"model":"tail-model-id-x9z"}`
    expect(withoutEcho("no such model: tail-model-id-x9z", [big], "‹q›")).toBe("no such model: ‹q›")
  })

  it("a message that repeats itself against a request that does too: each distinct window is looked for once", () => {
    // 64 KB of one window against 1 MB of it, with a random tail: the whole quote goes, in one placeholder.
    const message = `${"ab12".repeat(16_384)} end`
    expect(withoutEcho(message, [`{"c":"${"ab12".repeat(262_144)}"}`], "‹q›")).toBe("‹q› end")
  })

  it("reads every source: a header passed on, a decoded string", () => {
    expect(withoutEcho("Unexpected value `beta-9x7Qw2` for anthropic-beta", ['{"model":"m"}', "beta-9x7Qw2"], "‹q›")).toBe("Unexpected value `‹q›` for anthropic-beta")
  })
})
