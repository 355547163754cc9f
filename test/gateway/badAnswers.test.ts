import { gzipSync } from "node:zlib"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { type Mode, startHostileProvider } from "../support/hostileProvider.js"
import { expectNoLeak } from "../support/SecretScan.js"
import { ask, GATEWAY_TOKEN, GatewayHome, json, KEYS, startGateway } from "./harness.js"

/**
 * §8.5, §8.6: on the same-shape path the provider's answer goes on as its bytes — once it is one. An HTML page, an
 * empty 204, an event stream to a request for one answer, a body that is not a JSON object or one compressed
 * behind the gateway's back is the provider failing: a classified, shaped error (and a key it quoted stays out).
 */

const COMPLETION = '{"id":"chatcmpl-x","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}'

const answered =
  (status: number, headers: Record<string, string>, body: string | Buffer): Mode =>
  ({ res }) => {
    res.writeHead(status, headers)
    res.end(body)
  }

const BAD: ReadonlyArray<readonly [string, Mode]> = [
  ["an HTML page", answered(200, { "content-type": "text/html" }, "<html><body>Welcome to nginx!</body></html>")],
  ["an empty 204", answered(204, {}, "")],
  ["an event stream to a request for one answer, quoting the key", answered(200, { "content-type": "text/event-stream" }, `event: error\ndata: {"type":"error","error":{"message":"bad key ${KEYS.openai}"}}\n\n`)],
  ["JSON that is not an object", answered(200, { "content-type": "application/json" }, "{not json")],
  ["a gzip body the gateway did not ask for", answered(200, { "content-type": "application/json", "content-encoding": "gzip" }, gzipSync(COMPLETION))]
]

describe("gateway: a same-shape answer that is not one (§8.5, §8.6)", () => {
  it.scopedLive("each is a 502 in OpenAI's shape naming what came back, never a 200 the SDK chokes on; a good answer still passes", () =>
    Effect.gen(function* () {
      const hostile = yield* Effect.acquireRelease(Effect.promise(startHostileProvider), (h) => Effect.promise(() => h.close()))
      for (const [what, mode] of BAD) {
        const world = yield* GatewayHome.scoped({ token: true, config: { agents: { defaults: { model: { primary: "openai/gpt-4o-mini", fallbacks: [] } } }, models: { providers: { openai: { baseUrl: `${hostile.baseUrl(mode)}/v1` } } } } })
        const gw = yield* startGateway(world)
        yield* Effect.promise(async () => {
          const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
          const text = await res.text()
          expect(res.status, what).toBe(502)
          expect(JSON.parse(text).error, what).toMatchObject({ type: "unknown" })
          expect(JSON.parse(text).error.message, what).toContain("unexpected response from the provider")
          expectNoLeak([{ label: what, text }, { label: "log", text: gw.logs.join("\n") }], [KEYS.openai, GATEWAY_TOKEN], 8)
        })
      }
      // Whitespace, a UTF-8 byte-order mark and an empty content-encoding are still an answer.
      const good = yield* GatewayHome.scoped({ token: true, config: { agents: { defaults: { model: { primary: "openai/gpt-4o-mini", fallbacks: [] } } }, models: { providers: { openai: { baseUrl: `${hostile.baseUrl(answered(200, { "content-type": "application/json", "content-encoding": "" }, `\ufeff\n${COMPLETION}\n`))}/v1` } } } } })
      const gw = yield* startGateway(good)
      const res = yield* Effect.promise(() => gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) }))
      expect(res.status).toBe(200)
      expect(yield* Effect.promise(() => json(res))).toMatchObject({ choices: [{ message: { content: "hi" } }] })
    }))
})

const sse = (event: string, data: string) => `event: ${event}\ndata: ${data}\n\n`

describe("gateway: a translated answer that is not one (§8.4)", () => {
  it.scopedLive("a stream event cut short fails the stream at the SDK (no silent gap, no normal finish); a completion without a choice is a 502", () =>
    Effect.gen(function* () {
      const hostile = yield* Effect.acquireRelease(Effect.promise(startHostileProvider), (h) => Effect.promise(() => h.close()))
      const cut = answered(200, { "content-type": "text/event-stream" }, [
        sse("message_start", '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-opus-4-6","content":[],"usage":{"input_tokens":3,"output_tokens":1}}}'),
        sse("content_block_start", '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'),
        sse("content_block_delta", '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"KEPT"}}'),
        sse("content_block_delta", '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"LO'),
        sse("content_block_stop", '{"type":"content_block_stop","index":0}'),
        sse("message_delta", '{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}'),
        sse("message_stop", '{"type":"message_stop"}')
      ].join(""))
      const world = yield* GatewayHome.scoped({ token: true, config: { agents: { defaults: { model: { primary: "anthropic/claude-opus-4-6", fallbacks: [] } } }, models: { providers: { anthropic: { baseUrl: hostile.baseUrl(cut) } } } } })
      const gw = yield* startGateway(world)
      const seen: Array<string> = []
      const failure = yield* Effect.promise(async () => {
        try {
          const stream = await gw.client().chat.completions.create({ ...ask("hi"), stream: true })
          for await (const chunk of stream) seen.push(chunk.choices[0]?.delta?.content ?? "")
          return undefined
        } catch (e) {
          return e as Error
        }
      })
      expect(seen.join("")).toBe("KEPT")
      expect(failure?.message).toContain("not a JSON object")

      const empty = answered(200, { "content-type": "application/json" }, '{"id":"chatcmpl-x","object":"chat.completion","model":"m","choices":[]}')
      const other = yield* GatewayHome.scoped({ token: true, config: { agents: { defaults: { model: { primary: "openai/gpt-4o-mini", fallbacks: [] } } }, models: { providers: { openai: { baseUrl: `${hostile.baseUrl(empty)}/v1` } } } } })
      const gw2 = yield* startGateway(other)
      const res = yield* Effect.promise(() => gw2.fetch("/v1/messages", { method: "POST", body: JSON.stringify({ model: "openclaw", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }) }))
      expect(res.status).toBe(502)
      expect((yield* Effect.promise(() => json(res))).type).toBe("error")
    }))
})
