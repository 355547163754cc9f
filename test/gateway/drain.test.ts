import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { modes, startHostileProvider } from "../support/hostileProvider.js"
import { scaled } from "../support/Timing.js"
import { ask, GatewayHome, startGateway } from "./harness.js"

/**
 * §8.4: a stream still running when the gateway's drain at shutdown runs out of time ends with an error event in the
 * client's shape — the SDK raises it — never a silent cut that a reader could take for a finished answer.
 */
const CHUNK = 'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"."},"finish_reason":null}]}\n\n'
const DELTA = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"."}}\n\n'

describe("gateway: shutdown with a stream that will not finish (§8.4)", () => {
  it.scopedLive("the drain's time runs out: the OpenAI SDK raises the error event; an Anthropic stream ends with event: error", () =>
    Effect.gen(function* () {
      const hostile = yield* Effect.acquireRelease(Effect.promise(startHostileProvider), (h) => Effect.promise(() => h.close()))
      const world = yield* GatewayHome.scoped({
        token: true,
        config: {
          agents: { defaults: { model: { primary: "openai/gpt-4o-mini", fallbacks: [] } } },
          models: { providers: { openai: { baseUrl: `${hostile.baseUrl(modes.drip({ intervalMs: 40, piece: CHUNK }))}/v1` }, anthropic: { baseUrl: hostile.baseUrl(modes.drip({ intervalMs: 40, piece: DELTA })) } } }
        }
      })
      const scope = yield* Scope.make()
      const gw = yield* Scope.extend(startGateway(world, { drainTimeoutMs: 300 }), scope)
      const openai = Effect.promise(async () => {
        const seen: Array<string> = []
        try {
          const stream = await gw.client().chat.completions.create({ ...ask("hi"), stream: true })
          for await (const chunk of stream) seen.push(chunk.choices[0]?.delta?.content ?? "")
          return { seen, error: undefined }
        } catch (e) {
          return { seen, error: e as Error }
        }
      })
      const anthropic = Effect.promise(async () => {
        const res = await gw.fetch("/v1/messages", { method: "POST", body: JSON.stringify({ model: "claude-opus-4-6", max_tokens: 16, stream: true, messages: [{ role: "user", content: "hi" }] }) })
        return res.text().catch((e) => `read failed: ${String(e)}`)
      })
      const [a, b] = yield* Effect.all(
        [openai, anthropic, Effect.delay(Scope.close(scope, Exit.void), "400 millis").pipe(Effect.as(undefined))],
        { concurrency: "unbounded" }
      )
      expect(a.seen.length).toBeGreaterThan(0)
      expect(a.error?.message).toContain("The gateway is shutting down and could not finish this answer")
      expect(b).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"[a-z_]+","message":"The gateway is shutting down/)
    }), scaled(30_000))
})
