import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { reply } from "../support/fakeProviders.js"
import { expectNoLeak } from "../support/SecretScan.js"
import { GATEWAY_TOKEN, GatewayHome, KEYS, startGateway } from "./harness.js"

/**
 * §11: the scrubber is no oracle. A client that holds only the gateway token chooses text the gateway echoes back
 * (`/model <id>`, `x-openclaw-model`, the session's model) or sends on to a provider that quotes it. If the scrub
 * turned the 8+ characters of a key it found there into `<redacted>`, each answer would say whether a guess held
 * part of the key, and a key could be read back a few characters per request. So a guess that holds a piece of a
 * key and one that does not get the same answer, but for the guess itself.
 */

const ALL = [...Object.values(KEYS), GATEWAY_TOKEN]
/** 12 characters of the OpenAI profile's key, and a guess as long that shares no 8 of them. */
const PIECE = KEYS.openai.slice(12, 24)
const guess = (hit: boolean) => `openai/q9${hit ? PIECE : "Zx4Wv7Ty2Ua5"}k3`
/** An answer with the guess taken out, to compare a hit with a miss. */
const without = (text: string, g: string) => text.split(g).join("<guess>").split(g.slice("openai/".length)).join("<guess-id>")

const world = Effect.gen(function* () {
  const home = yield* GatewayHome.scoped({ token: true })
  // No allow-list: any `provider/model` is taken (as OpenClaw's /model does without agents.defaults.models).
  yield* Effect.promise(async () => {
    const config = await home.readJson(home.config)
    await home.writeJson(home.config, { ...config, agents: { defaults: { model: { primary: "openai/gpt-4o-mini", fallbacks: [] } } } })
  })
  const gw = yield* startGateway(home)
  return { home, gw }
})

/** The text as a client may send it: every character a JSON escape. */
const escaped = (text: string) => [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")

describe("gateway: the scrubber answers no guess (§11)", () => {
  it.scopedLive("/model <id>, the session's model in /model status and x-openclaw-model go back as sent, hit or miss", () =>
    Effect.gen(function* () {
      const seen: Record<string, Array<string>> = { true: [], false: [] }
      // Each in a gateway of its own: the first answers must not change what the second sees (lastGood, usage).
      for (const hit of [true, false]) {
        const { gw } = yield* world
        yield* Effect.promise(async () => {
          const g = guess(hit)
          const session = { "x-openclaw-session-key": `oracle-${hit}` }
          const chat = (content: string) =>
            gw.fetch("/v1/chat/completions", { method: "POST", headers: session, body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content }] }) })
          const set = await (await chat(`/model ${g}`)).json()
          const served = await chat("hi")
          expect(served.status).toBe(200)
          const status = await (await chat("/model status")).json()
          const header = await gw.fetch("/v1/chat/completions", { method: "POST", headers: { "x-openclaw-model": g }, body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "hi" }] }) })
          for (const text of [JSON.stringify(set), served.headers.get("x-openclaw-model")!, JSON.stringify(status), header.headers.get("x-openclaw-model")!]) {
            expect(text).toContain(g)
            expect(text).not.toContain("<redacted>")
            seen[String(hit)]!.push(without(text.replace(/"(id|created)":("[^"]*"|\d+)/g, "").replace(/\/tmp\/[^/]+\//g, "/tmp/<home>/").replace(/127\.0\.0\.1:\d+/g, "<fake>"), g))
          }
        })
      }
      expect(seen.true).toEqual(seen.false)
      // What is not the guess holds no piece of any key.
      expectNoLeak(seen.true!.map((text, i) => ({ label: `answer ${i}`, text })), ALL, 8)
    }))

  it.scopedLive("spelled with JSON escapes, or quoted back by a provider from a body field or a header passed on: hit or miss, the same answer", () =>
    Effect.gen(function* () {
      const seen: Record<string, Array<string>> = { true: [], false: [] }
      for (const hit of [true, false]) {
        const { home, gw } = yield* world
        yield* Effect.promise(async () => {
          const g = guess(hit)
          const id = g.slice("openai/".length)
          const chat = (body: string, headers: Record<string, string> = {}) => gw.fetch("/v1/chat/completions", { method: "POST", headers, body })
          // /model with the id escaped: the reply shows it decoded, as the client meant it.
          const set = await (await chat(`{"model":"openclaw","messages":[{"role":"user","content":"/model openai/${escaped(id)}"}]}`, { "x-openclaw-session-key": `esc-${hit}` })).text()
          // A provider quoting a body field the client escaped.
          home.fake.script(KEYS.openai, [reply.error(400, { message: `Invalid value: '${id}'. Supported values are: 'auto'.`, type: "invalid_request_error" })])
          const field = await (await chat(`{"model":"openclaw","messages":[{"role":"user","content":"hi"}],"service_tier":"${escaped(id)}"}`)).text()
          // Anthropic quoting an anthropic-beta header the client passed on.
          home.fake.script("*", [reply.error(400, { message: `Unexpected value(s) \`${id}\` for the \`anthropic-beta\` header.`, type: "invalid_request_error" })])
          const beta = await (await gw.fetch("/v1/messages", { method: "POST", headers: { "anthropic-version": "2023-06-01", "anthropic-beta": id }, body: JSON.stringify({ model: "claude-opus-4-6", max_tokens: 4, messages: [{ role: "user", content: "hi" }] }) })).text()
          for (const text of [set, field, beta]) {
            expect(text).not.toContain("<redacted>")
            seen[String(hit)]!.push(without(text.replace(/"(id|created)":("[^"]*"|\d+)/g, ""), g))
          }
        })
      }
      expect(seen.true).toEqual(seen.false)
    }))

  it.scopedLive("a provider's message the client quoted in its prompt is still classified by its words (billing stays billing)", () =>
    Effect.gen(function* () {
      const { home, gw } = yield* world
      yield* Effect.promise(async () => {
        const words = "Your credit balance is too low to access the API. Please go to Plans & Billing to upgrade or purchase credits."
        home.fake.script(KEYS.openai, [reply.error(400, { message: words, type: "invalid_request_error" })])
        const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: `Why does it say: ${words}` }] }) })
        expect(res.status).toBe(402)
        expect(((await res.json()) as { error: { type: string } }).error.type).toBe("billing")
      })
    }))

  it.scopedLive("a provider quoting the model id it was sent in its error: the quote is taken out, hit or miss, and nothing is redacted in its place", () =>
    Effect.gen(function* () {
      const seen: Record<string, string> = {}
      const logs: Array<string> = []
      for (const hit of [true, false]) {
        const { home, gw } = yield* world
        yield* Effect.promise(async () => {
          const g = guess(hit)
          const id = g.slice("openai/".length)
          home.fake.script(KEYS.openai, [reply.error(404, { message: `The model \`${id}\` does not exist or you do not have access to it.`, type: "invalid_request_error" })])
          const res = await gw.fetch("/v1/chat/completions", { method: "POST", headers: { "x-openclaw-model": g }, body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "hi" }] }) })
          const text = await res.text()
          expect(res.status).toBeGreaterThanOrEqual(400)
          expect(text).toContain("The model `‹from the request›` does not exist")
          expect(text).not.toContain("<redacted>")
          seen[String(hit)] = without(text, g)
          logs.push(gw.logs.join("\n"))
        })
      }
      expect(seen.true).toBe(seen.false)
      expectNoLeak([{ label: "the error", text: seen.true! }, ...logs.map((text) => ({ label: "the log", text }))], ALL, 8)
    }))
})
