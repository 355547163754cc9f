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
