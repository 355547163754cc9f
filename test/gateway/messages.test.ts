import { describe, expect, it } from "@effect/vitest"
import { DEFAULT_TEXT, okEvents, okJson, type OkReply, reply } from "../support/fakeProviderWire.js"
import { FALLBACK, GATEWAY_TOKEN, json, KEYS, type RunningGateway, withGateway } from "./harness.js"

/**
 * `POST /v1/messages` and `/v1/messages/count_tokens` (§8.2) with the Anthropic provider behind: same-shape
 * passthrough (§8.4), access with `x-api-key`, the client's anthropic-version/beta, failover, commands, errors.
 */

const BODY = `{"model":"claude-sonnet-4-5","max_tokens":1024,
  "system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],
  "messages":[
    {"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},
    {"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"sig"},{"type":"tool_use","id":"toolu_1","name":"look","input":{"x":1.0}}]},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"a cat","cache_control":{"type":"ephemeral"}}]}
  ],
  "tools":[{"name":"look","input_schema":{"type":"object"}}],"tool_choice":{"type":"auto"},
  "thinking":{"type":"enabled","budget_tokens":1024},"metadata":{"user_id":"user_abc_session_1"},
  "stop_sequences":["\\n\\nHuman:"],"top_k":5,"x_future":{"a":[1e2]},"stream":false}`

const HEADERS = { "x-api-key": GATEWAY_TOKEN, "anthropic-version": "2023-06-01" }

const send = (gw: RunningGateway, body: string, headers: Record<string, string> = {}, route = "/v1/messages") =>
  gw.fetch(route, { method: "POST", body, token: null, headers: { ...HEADERS, ...headers } })

const ask = (text: string, extra: Record<string, unknown> = {}) => JSON.stringify({ model: "openclaw", max_tokens: 100, messages: [{ role: "user", content: text }], ...extra })

/** The frames the fake sends for a streamed reply (Anthropic's stream has no comments: every event passes). */
const expectedFrames = (r: OkReply, model: string, n: number): string =>
  okEvents("anthropic", r, model, n, DEFAULT_TEXT, false)
    .flatMap((e) => ("text" in e ? [e.text] : []))
    .join("")

describe("gateway: POST /v1/messages (§8.2, §8.4)", () => {
  it.scopedLive("the provider gets the client's bytes but `model`, with the chosen profile's key; the client gets the provider's bytes", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const answer = reply.ok("A cat.", { id: "msg_provider_own", usage: { input: 40, output: 3, cacheRead: 30, cacheWrite: 5 } })
      world.fake.script(KEYS.a, [answer])
      const body = BODY.replace(`"claude-sonnet-4-5"`, `"sonnet"`)
      const res = await send(gw, body)
      expect(res.status).toBe(200)
      const sent = world.fake.requests.at(-1)!
      expect(sent.path).toBe("/v1/messages")
      expect(sent.raw.toString("utf8")).toBe(body.replace(`"sonnet"`, `"claude-sonnet-4-5"`))
      expect(sent.credential).toBe("sk-ant-api03-…AK01")
      expect(sent.headers["anthropic-version"]).toBe("2023-06-01")
      expect(sent.headers.authorization).toBeUndefined()
      expect(res.headers.get("x-openclaw-model")).toBe("anthropic/claude-sonnet-4-5")
      expect(res.headers.get("x-openclaw-profile")).toBe("anthropic:a")
      expect(await res.text()).toBe(okJson("anthropic", answer, "claude-sonnet-4-5", sent.n, DEFAULT_TEXT))
    }))

  it.scopedLive("a stream passes every event as the provider sent it, ping included", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const answer = reply.ok("One two three", { chunks: ["One ", "two ", "three"] })
      world.fake.script(KEYS.a, [answer])
      const body = BODY.replace(`"stream":false`, `"stream":true`)
      const res = await send(gw, body, { authorization: `Bearer ${GATEWAY_TOKEN}`, "x-api-key": "" })
      expect(res.status).toBe(200)
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/)
      const sent = world.fake.requests.at(-1)!
      expect(sent.raw.toString("utf8")).toBe(body)
      const text = await res.text()
      expect(text).toBe(expectedFrames(answer, "claude-sonnet-4-5", sent.n))
      expect(text).toContain("event: ping")
    }))

  it.scopedLive("an error event mid-stream ends the stream with an Anthropic error event", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.ok("One two three", { chunks: ["One ", "two ", "three"], errorAfterChunks: 1 })])
      const text = await (await send(gw, ask("count", { stream: true }))).text()
      const events = text.split("\n\n").filter((e) => e !== "")
      expect(events.filter((e) => e.startsWith("event: content_block_delta"))).toHaveLength(1)
      const last = events.at(-1)!
      expect(last.split("\n")[0]).toBe("event: error")
      expect(JSON.parse(last.split("\n")[1]!.slice("data: ".length))).toMatchObject({ type: "error", error: { type: expect.any(String), message: expect.stringContaining("Overloaded") } })
      expect(text).not.toContain("message_stop")
    }))

  it.scopedLive("anthropic-version and anthropic-beta pass through; for a token profile the beta is merged with the OAuth one", () =>
    withGateway({ token: true, store: { version: 1, profiles: { "anthropic:work": { type: "token", provider: "anthropic", token: KEYS.work } } } }, async ({ world, gw }) => {
      const res = await send(gw, ask("hi"), { "anthropic-version": "2099-01-01", "anthropic-beta": "prompt-caching-2024-07-31, fine-grained-tool-streaming-2025-05-14" })
      expect(res.status).toBe(200)
      const sent = world.fake.requests.at(-1)!
      expect(sent.headers["anthropic-version"]).toBe("2099-01-01")
      expect(sent.headers["anthropic-beta"]).toBe("prompt-caching-2024-07-31,fine-grained-tool-streaming-2025-05-14,oauth-2025-04-20")
      expect(sent.headers.authorization).toBe("Bearer sk-ant-oat01-…WT03")
      expect(sent.headers["x-api-key"]).toBeUndefined()
    }))

  it.scopedLive("the beta endpoint (`?beta=true`, as Claude Code and the SDK's beta client call it) is called on the provider too", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      expect((await send(gw, ask("hi"), {}, "/v1/messages?beta=true")).status).toBe(200)
      expect(world.fake.requests.at(-1)!.url).toBe("/v1/messages?beta=true")
      expect((await send(gw, ask("hi"))).status).toBe(200)
      expect(world.fake.requests.at(-1)!.url).toBe("/v1/messages")
      // Any other query is the gateway's business only, never handed on.
      expect((await send(gw, ask("hi"), {}, "/v1/messages?beta=false&key=x")).status).toBe(200)
      expect(world.fake.requests.at(-1)!.url).toBe("/v1/messages")
    }))

  it.scopedLive("fails over across profiles: a 429 cools the first down, the second serves the same bytes", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.rateLimited(30)])
      const res = await send(gw, ask("hi", { stream: true }))
      expect(res.status).toBe(200)
      expect(res.headers.get("x-openclaw-profile")).toBe("anthropic:b")
      expect(await res.text()).toContain("event: message_stop")
      expect(world.fake.requests.map((r) => `${r.credential} ${r.status}`)).toEqual(["sk-ant-api03-…AK01 429", "sk-ant-api03-…BK02 200"])
      expect(world.fake.requests[1]!.raw.equals(world.fake.requests[0]!.raw)).toBe(true)
      const status = await json(gw.fetch("/v1/auth/status"))
      expect(JSON.stringify(status.auth.unusableProfiles)).toContain("anthropic:a")
    }))

  it.scopedLive("nothing left: the failure in Anthropic's error shape, with the reason and no secret", () =>
    withGateway({ token: true, config: { agents: { defaults: { model: { primary: "anthropic/claude-opus-4-6", fallbacks: [] } } } } }, async ({ world, gw }) => {
      world.fake.script("*", [reply.error(401), reply.error(401), reply.error(401)])
      const res = await send(gw, ask("hi"))
      expect(res.status).toBeGreaterThanOrEqual(400)
      const body = await json(res)
      expect(body.type).toBe("error")
      expect(body.error.type).toMatch(/_error$/)
      expect(body.error.message).toContain("anthropic")
      expect(JSON.stringify(body)).not.toContain(KEYS.a.slice(10, 30))
    }))

  it.scopedLive("access: x-api-key or bearer; missing or wrong is a 401 in Anthropic's shape; x-api-key is not a token on chat completions", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const missing = await gw.fetch("/v1/messages", { method: "POST", body: ask("hi"), token: null })
      expect(missing.status).toBe(401)
      expect(await json(missing)).toMatchObject({ type: "error", error: { type: "authentication_error", message: expect.stringContaining("x-api-key") } })
      const wrong = await send(gw, ask("hi"), { "x-api-key": "wrong-token" })
      expect(wrong.status).toBe(401)
      expect((await json(wrong)).error.type).toBe("authentication_error")
      const openai = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content: "hi" }] }), token: null, headers: { "x-api-key": GATEWAY_TOKEN } })
      expect(openai.status).toBe(401)
      expect((await json(openai)).error.code).toBe("missing_gateway_token")
      const notJson = await gw.fetch("/v1/messages", { method: "POST", body: ask("hi"), token: null, headers: { ...HEADERS, "content-type": "text/plain" } })
      expect(notJson.status).toBe(415)
      expect((await json(notJson)).type).toBe("error")
      const foreign = await send(gw, ask("hi"), { origin: "https://evil.example" })
      expect(foreign.status).toBe(403)
      expect((await json(foreign)).error.type).toBe("permission_error")
      expect(world.fake.count).toBe(0)
      expect((await send(gw, ask("hi"))).status).toBe(200)
      // The SDK with both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN set sends both headers: the token in either one is let in.
      expect((await send(gw, ask("hi"), { authorization: "Bearer sk-ant-api03-some-other-key" })).status).toBe(200)
      expect((await send(gw, ask("hi"), { "x-api-key": "sk-ant-api03-some-other-key", authorization: `Bearer ${GATEWAY_TOKEN}` })).status).toBe(200)
      expect((await send(gw, ask("hi"), { "x-api-key": "wrong-one", authorization: "Bearer wrong-two" })).status).toBe(401)
    }))

  it.scopedLive("model: a bare id means anthropic/<id>, aliases and agent targets work; an unknown agent is a 404", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const bare = await send(gw, JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }))
      expect(bare.headers.get("x-openclaw-model")).toBe("anthropic/claude-haiku-4-5")
      expect(world.fake.requests.at(-1)!.body).toMatchObject({ model: "claude-haiku-4-5" })
      const shown = await json(send(gw, JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 10, messages: [{ role: "user", content: "/model" }] })))
      expect(shown.content[0].text).toContain("anthropic/claude-haiku-4-5 (named by the request)")
      const agent = await send(gw, ask("hi"))
      expect(agent.headers.get("x-openclaw-model")).toBe("anthropic/claude-opus-4-6")
      const unknown = await send(gw, ask("hi", { model: "openclaw/nobody" }))
      expect(unknown.status).toBe(404)
      expect((await json(unknown)).error.type).toBe("not_found_error")
    }))

  it.scopedLive("chat commands are answered in Anthropic's shape, whole and streamed; metadata.user_id names the session", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const session = { metadata: { user_id: "user_1_session_x" } }
      const set = await json(send(gw, ask("/model sonnet", session)))
      expect(set).toMatchObject({ type: "message", role: "assistant", stop_reason: "end_turn", content: [{ type: "text", text: expect.stringContaining("claude-sonnet-4-5") }] })
      const streamed = await (await send(gw, ask("/model", { ...session, stream: true }))).text()
      const names = streamed.split("\n\n").filter((e) => e !== "").map((e) => e.split("\n")[0])
      expect(names).toEqual(["event: message_start", "event: content_block_start", "event: content_block_delta", "event: content_block_stop", "event: message_delta", "event: message_stop"])
      expect(world.fake.count).toBe(0)
      const next = await send(gw, ask("hi", session))
      expect(next.headers.get("x-openclaw-model")).toBe("anthropic/claude-sonnet-4-5")
      expect(world.fake.requests.at(-1)!.body).toMatchObject({ model: "claude-sonnet-4-5", metadata: { user_id: "user_1_session_x" } })
    }))

  it.scopedLive("across shapes: an OpenAI-shaped model gets the request translated, the answer comes back as an Anthropic message", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.openai, [reply.ok("Bonjour.", { usage: { input: 21, output: 3 } })])
      const body = JSON.stringify({ model: FALLBACK, max_tokens: 50, system: "Be brief.", messages: [{ role: "user", content: [{ type: "text", text: "Say hello" }] }], stop_sequences: ["END"] })
      const res = await send(gw, body)
      expect(res.status).toBe(200)
      const sent = world.fake.requests.at(-1)!
      expect(sent.path).toBe("/v1/chat/completions")
      expect(sent.body).toMatchObject({ model: "gpt-4o-mini", max_tokens: 50, stop: ["END"], messages: [{ role: "system" }, { role: "user" }] })
      expect(JSON.stringify(sent.body)).toContain("Say hello")
      const message = await json(res)
      expect(message).toMatchObject({ type: "message", role: "assistant", model: FALLBACK, content: [{ type: "text", text: "Bonjour." }], stop_reason: "end_turn" })
      expect(message.id).toMatch(/^msg_[0-9a-f]{24}$/)
      expect(message.usage).toMatchObject({ output_tokens: 3 })
    }))

  it.scopedLive("across shapes, streamed: OpenAI chunks become Anthropic events, message_start to message_stop", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.openai, [reply.ok("One two three", { chunks: ["One ", "two ", "three"] })])
      const text = await (await send(gw, ask("count", { model: FALLBACK, stream: true }))).text()
      const events = text.split("\n\n").filter((e) => e !== "")
      const names = [...new Set(events.map((e) => e.split("\n")[0]))]
      expect(names).toEqual(["event: message_start", "event: content_block_start", "event: content_block_delta", "event: content_block_stop", "event: message_delta", "event: message_stop"])
      const deltas = events.filter((e) => e.startsWith("event: content_block_delta")).map((e) => JSON.parse(e.split("\n")[1]!.slice(6)).delta.text)
      expect(deltas.join("")).toBe("One two three")
      expect(world.fake.requests.at(-1)!.body).toMatchObject({ stream: true })
    }))

  it.scopedLive("what the translation cannot carry is a 400 naming the field; a fallback that cannot take it is not tried", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const refused = await send(gw, ask("hi", { model: FALLBACK, top_k: 5 }))
      expect(refused.status).toBe(400)
      expect((await json(refused)).error).toMatchObject({ type: "invalid_request_error", message: expect.stringContaining("top_k") })
      expect(world.fake.count).toBe(0)
      // Anthropic primary, OpenAI fallback: with top_k only the primary's profiles are tried.
      world.fake.script("*", [reply.error(500), reply.error(500), reply.error(500)])
      const failed = await send(gw, ask("hi", { top_k: 5 }))
      expect(failed.status).toBeGreaterThanOrEqual(500)
      expect(world.fake.requests.every((r) => r.path === "/v1/messages")).toBe(true)
      expect(world.fake.count).toBeGreaterThan(0)
    }))
})

describe("gateway: POST /v1/messages/count_tokens (§8.2)", () => {
  it.scopedLive("goes to the Anthropic provider's count_tokens as the client sent it", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.ok("", { usage: { input: 321, output: 0 } })])
      const body = `{"model":"openclaw","messages":[{"role":"user","content":"/model list"}],"tools":[{"name":"t","input_schema":{"type":"object"}}]}`
      const res = await send(gw, body, { "anthropic-beta": "token-counting-2024-11-01" }, "/v1/messages/count_tokens")
      expect(res.status).toBe(200)
      expect(await json(res)).toEqual({ input_tokens: 321 })
      const sent = world.fake.requests.at(-1)!
      expect(sent.path).toBe("/v1/messages/count_tokens")
      expect(sent.raw.toString("utf8")).toBe(body.replace(`"openclaw"`, `"claude-opus-4-6"`))
      expect(sent.headers["anthropic-beta"]).toBe("token-counting-2024-11-01")
    }))

  it.scopedLive("an OpenAI-shaped model has no token counting: a 404 in Anthropic's shape saying why", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const res = await send(gw, JSON.stringify({ model: FALLBACK, messages: [{ role: "user", content: "hi" }] }), {}, "/v1/messages/count_tokens")
      expect(res.status).toBe(404)
      expect(await json(res)).toMatchObject({ type: "error", error: { type: "not_found_error", message: expect.stringContaining("no count_tokens endpoint") } })
      expect(world.fake.count).toBe(0)
    }))
})
