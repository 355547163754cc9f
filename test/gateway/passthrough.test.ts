import { describe, expect, it } from "@effect/vitest"
import { DEFAULT_TEXT, okEvents, okJson, type OkReply, reply } from "../support/fakeProviderWire.js"
import { FALLBACK, json, KEYS, withGateway } from "./harness.js"

/**
 * §8.4, same shape: an OpenAI client on an OpenAI-shaped provider. The provider gets the client's bytes but for
 * `model`; the client gets the provider's bytes (its id, model, system_fingerprint, usage, every event).
 */

const openaiPrimary = { token: true, config: { agents: { defaults: { model: { primary: FALLBACK, fallbacks: [] } } } } } as const

/** A body as an SDK would never write it: spaces, `1.0`, escapes, every field the translation could lose. */
const BODY = `{ "model" : "openclaw",
  "messages": [
    {"role": "developer", "content": "Be brief.\\u00e9"},
    {"role": "user", "content": [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}}]},
    {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "look", "arguments": "{\\"x\\": 1}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "a cat"}
  ],
  "tools": [{"type": "function", "function": {"name": "look", "parameters": {"type": "object", "properties": {"x": {"type": "number"}}}}}],
  "tool_choice": "auto", "response_format": {"type": "json_object"}, "stop": ["\\n\\n"], "top_p": 1.0, "n": 2,
  "seed": 7, "logprobs": true, "top_logprobs": 2, "temperature": 0.50, "x_vendor_field": {"deep": [1e2, true, null]},
  "stream": false }`

const splicedModel = (body: string, model: string) => body.replace(`"model" : "openclaw"`, `"model" : ${JSON.stringify(model)}`)

const post = (gw: { fetch: (route: string, init?: RequestInit & { token?: string | null }) => Promise<Response> }, body: string, headers: Record<string, string> = {}) =>
  gw.fetch("/v1/chat/completions", { method: "POST", body, headers })

/** What the fake sends for a streamed reply: every frame but its keep-alive comments. */
const expectedFrames = (r: OkReply, model: string, n: number, includeUsage: boolean): string =>
  okEvents("openai", r, model, n, DEFAULT_TEXT, includeUsage)
    .flatMap((e) => ("text" in e && !e.text.startsWith(":") ? [e.text] : []))
    .join("")

describe("gateway: same-shape passthrough, OpenAI (§8.4)", () => {
  it.scopedLive("the provider gets the client's bytes but `model`; the client gets the provider's bytes and x-openclaw-* headers", () =>
    withGateway(openaiPrimary, async ({ world, gw }) => {
      const answer = reply.ok("A cat.", { id: "chatcmpl-provider-own", systemFingerprint: "fp_provider", usage: { input: 30, output: 2, cacheRead: 16 } })
      world.fake.script(KEYS.openai, [answer])
      const res = await post(gw, BODY)
      expect(res.status).toBe(200)
      const sent = world.fake.requests.at(-1)!
      expect(sent.path).toBe("/v1/chat/completions")
      expect(sent.raw.toString("utf8")).toBe(splicedModel(BODY, "gpt-4o-mini"))
      expect(sent.credential).toBe("sk-proj-…OK04")
      expect(res.headers.get("x-openclaw-model")).toBe(FALLBACK)
      expect(res.headers.get("x-openclaw-profile")).toBe("openai:default")
      expect(await res.text()).toBe(okJson("openai", answer, "gpt-4o-mini", sent.n, DEFAULT_TEXT))
    }))

  it.scopedLive("a stream passes event by event: the provider's id, fingerprint, usage chunk and [DONE]", () =>
    withGateway(openaiPrimary, async ({ world, gw }) => {
      const answer = reply.ok("One two three", { chunks: ["One ", "two ", "three"], usage: { input: 5, output: 3 } })
      world.fake.script(KEYS.openai, [answer])
      const body = BODY.replace(`"stream": false`, `"stream": true, "stream_options": {"include_usage": true}`)
      const res = await post(gw, body)
      expect(res.status).toBe(200)
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/)
      expect(res.headers.get("x-openclaw-model")).toBe(FALLBACK)
      const sent = world.fake.requests.at(-1)!
      expect(sent.raw.toString("utf8")).toBe(splicedModel(body, "gpt-4o-mini"))
      const text = await res.text()
      expect(text).toBe(expectedFrames(answer, "gpt-4o-mini", sent.n, true))
      expect(text).toContain(`"system_fingerprint":"fp_fake"`)
      expect(text.endsWith("data: [DONE]\n\n")).toBe(true)
    }))

  it.scopedLive("an error event mid-stream ends the stream with an OpenAI error event, no [DONE]", () =>
    withGateway(openaiPrimary, async ({ world, gw }) => {
      world.fake.script(KEYS.openai, [reply.ok("One two three", { chunks: ["One ", "two ", "three"], errorAfterChunks: 2, streamError: { type: "server_error", message: "The server had an error" } })])
      const res = await post(gw, JSON.stringify({ model: "openclaw", stream: true, messages: [{ role: "user", content: "count" }] }))
      const events = (await res.text()).split("\n\n").filter((e) => e !== "")
      const deltas = events.slice(0, -1).map((e) => JSON.parse(e.slice("data: ".length)).choices[0].delta.content ?? "")
      expect(deltas.join("")).toBe("One two ")
      const last = JSON.parse(events.at(-1)!.slice("data: ".length))
      expect(last.error.message).toContain("The server had an error")
      expect(events).not.toContain("data: [DONE]")
    }))

  it.scopedLive("earlier chat commands and their answers are left out; then the body is rewritten, nothing else lost", () =>
    withGateway(openaiPrimary, async ({ world, gw }) => {
      const body = {
        model: "openclaw",
        messages: [
          { role: "user", content: "/model list" },
          { role: "assistant", content: "Current model: …" },
          { role: "user", content: [{ type: "text", text: "hi" }, { type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }
        ],
        top_p: 0.3,
        vendor: { a: 1 }
      }
      expect((await post(gw, JSON.stringify(body))).status).toBe(200)
      expect(world.fake.requests.at(-1)!.body).toEqual({ ...body, model: "gpt-4o-mini", messages: [body.messages[2]] })
    }))

  it.scopedLive("a chat command in the last user message is answered by the gateway, never sent", () =>
    withGateway(openaiPrimary, async ({ world, gw }) => {
      const res = await json(post(gw, JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: [{ type: "text", text: "/model" }] }] })))
      expect(res.choices[0].message.content).toContain(FALLBACK)
      expect(world.fake.count).toBe(0)
    }))

  it.scopedLive("a failing profile is failed over before the first byte: the next one gets the same bytes", () =>
    withGateway(
      {
        ...openaiPrimary,
        store: {
          version: 1,
          profiles: {
            "openai:old": { type: "api_key", provider: "openai", key: "sk-proj-FAKEgatewayRevokedKey-" + "r".repeat(40) },
            "openai:default": { type: "api_key", provider: "openai", key: KEYS.openai }
          },
          order: { openai: ["openai:old", "openai:default"] }
        }
      },
      async ({ world, gw }) => {
        const res = await post(gw, BODY.replace(`"stream": false`, `"stream": true`))
        expect(res.status).toBe(200)
        expect(res.headers.get("x-openclaw-profile")).toBe("openai:default")
        expect(world.fake.requests.map((r) => r.status)).toEqual([401, 200])
        const [first, second] = world.fake.requests
        expect(second!.raw.equals(first!.raw)).toBe(true)
        expect((await res.text()).endsWith("data: [DONE]\n\n")).toBe(true)
        const status = await json(gw.fetch("/v1/auth/status"))
        expect(JSON.stringify(status)).toContain("openai:old")
      }
    ))
})
