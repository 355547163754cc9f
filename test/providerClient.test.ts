import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as http from "node:http"
import type { ProviderAuth, ProviderError, ProviderTarget } from "../src/domain/Chat.js"
import { type ChatRequest, type Message, type StreamEvent, textOf } from "../src/domain/chat/Model.js"
import { classifyFailure } from "../src/domain/Failure.js"
import { maskSecret } from "../src/domain/Mask.js"
import type { ProviderId } from "../src/domain/Provider.js"
import { DEFAULT_MAX_PROVIDER_BODY_BYTES } from "../src/domain/ProviderTarget.js"
import { ProviderClient } from "../src/services/ProviderClient.js"
import { ProviderClientLive } from "../src/services/ProviderClientLive.js"
import { failure, parseRetryAfter } from "../src/services/providers/errors.js"
import { SseParser } from "../src/services/providers/sse.js"
import { scaled } from "./support/Timing.js"
import {
  ANTHROPIC_ERRORS,
  CLAUDE_CODE_ONLY_MESSAGE,
  closedPort,
  type FakeProvider,
  fakeProvider,
  OPENAI_ERRORS,
  reply
} from "./support/fakeProviders.js"

const ANT_KEY = "sk-ant-api03-FAKEkey" + "k".repeat(60) + "AK01"
const ANT_TOKEN = "sk-ant-oat01-FAKEtoken" + "t".repeat(60) + "TK01"
const OAI_KEY = "sk-proj-FAKEopenai" + "o".repeat(40) + "OK01"
const CREDENTIALS = { anthropic: { apiKeys: [ANT_KEY], tokens: [ANT_TOKEN] }, openai: { apiKeys: [OAI_KEY] } }

const anthropicAt = (fake: FakeProvider, headers: Record<string, string> = {}): ProviderTarget => ({
  provider: "anthropic" as ProviderId,
  api: "anthropic-messages",
  baseUrl: fake.url,
  headers,
  maxBodyBytes: DEFAULT_MAX_PROVIDER_BODY_BYTES
})
const openaiAt = (fake: FakeProvider, path = "/v1"): ProviderTarget => ({
  provider: "openai" as ProviderId,
  api: "openai-completions",
  baseUrl: fake.url + path,
  headers: {},
  maxBodyBytes: DEFAULT_MAX_PROVIDER_BODY_BYTES
})
const apiKey = (key: string): ProviderAuth => ({ kind: "api_key", secret: Redacted.make(key) })
const token = (value: string): ProviderAuth => ({ kind: "token", secret: Redacted.make(value) })
const NO_AUTH: ProviderAuth = { kind: "none", secret: undefined }
const say = (role: Message["role"], text: string): Message =>
  role === "assistant" ? { role, parts: [{ type: "text", text }], toolCalls: [] } : role === "tool" ? { role, toolCallId: "t", parts: [{ type: "text", text }] } : { role, parts: [{ type: "text", text }] }
const ask = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [say("user", "Hi")],
  stream: false,
  ...extra
})
const start = { type: "start", id: expect.any(String), model: expect.any(String) }
const text = (delta: string): StreamEvent => ({ type: "text", delta })
const texts = (events: ReadonlyArray<StreamEvent>) => events.flatMap((e) => (e.type === "text" ? [e.delta] : [])).join("")

const setup = Effect.gen(function* () {
  const fake = yield* fakeProvider({ credentials: CREDENTIALS })
  const client = yield* ProviderClient
  return { fake, client }
})
const run = <A, E>(self: Effect.Effect<A, E, ProviderClient | Scope.Scope>) =>
  self.pipe(Effect.provide(ProviderClientLive))

/** Everything a stream emitted, then how it ended. */
const drain = (stream: Stream.Stream<StreamEvent, ProviderError>) =>
  Effect.map(Stream.runCollect(Stream.either(stream)), (all) => {
    const items = Chunk.toReadonlyArray(all)
    const chunks = items.filter(Either.isRight).map((e) => e.right)
    const error = items.filter(Either.isLeft).map((e) => e.left)[0]
    return { chunks, error }
  })

describe("Anthropic Messages", () => {
  it.scoped("maps a non-stream answer; key in x-api-key, system at the top level, max_tokens 4096 by default", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script(ANT_KEY, [reply.ok(["Hello, ", "world"], { usage: { input: 21, output: 4 } })])
      const result = yield* client.complete(anthropicAt(fake), apiKey(ANT_KEY), {
        model: "claude-test",
        messages: [say("system", "Be brief."), say("user", "Hi"), say("system", "And kind."), say("assistant", "Hello"), say("user", "Again")],
        temperature: 0.2,
        stream: false
      }, 5000)
      expect(result).toMatchObject({ id: "msg_fake_1", model: "claude-test", toolCalls: [], finishReason: "stop", usage: { inputTokens: 21, outputTokens: 4 } })
      expect(textOf(result.parts)).toBe("Hello, world")
      const [req] = fake.requests
      expect(req?.path).toBe("/v1/messages")
      expect(req?.headers).toMatchObject({
        "x-api-key": maskSecret(ANT_KEY),
        "anthropic-version": "2023-06-01",
        "content-type": "application/json"
      })
      expect(req?.headers.authorization).toBeUndefined()
      expect(req?.headers["anthropic-beta"]).toBeUndefined()
      expect(req?.body).toEqual({
        model: "claude-test",
        max_tokens: 4096,
        // Every system message goes to the top-level prompt, one text block each.
        system: [{ type: "text", text: "Be brief." }, { type: "text", text: "And kind." }],
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: "Hello" },
          { role: "user", content: "Again" }
        ],
        temperature: 0.2
      })
    })))

  it.scoped("maps stop reasons: end_turn/stop_sequence → stop, max_tokens → length, tool_use → tool_calls", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      const reasons = ["end_turn", "stop_sequence", "max_tokens", "tool_use"]
      fake.script("*", reasons.map((stopReason) => reply.ok("x", { stopReason })))
      const got = yield* Effect.forEach(reasons, () =>
        Effect.map(client.complete(anthropicAt(fake), apiKey(ANT_KEY), ask("m", { maxTokens: 8 }), 5000), (r) => r.finishReason))
      expect(got).toEqual(["stop", "stop", "length", "tool_calls"])
      expect((fake.requests[0]?.body as { max_tokens: number }).max_tokens).toBe(8)
    })))

  it.scoped("a token travels as Bearer with the OAuth beta header; configured headers are added, betas merged", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      const target = anthropicAt(fake, { "X-Custom": "yes", "anthropic-beta": "prompt-caching-2024-07-31" })
      const result = yield* client.complete(target, token(ANT_TOKEN), ask("claude-test"), 5000)
      expect(textOf(result.parts)).toBe("Hello from the fake provider.")
      const headers = fake.requests[0]?.headers ?? {}
      expect(headers.authorization).toBe(`Bearer ${maskSecret(ANT_TOKEN)}`)
      expect(headers["anthropic-beta"]).toBe("prompt-caching-2024-07-31,oauth-2025-04-20")
      expect(headers["x-custom"]).toBe("yes")
      expect(headers["x-api-key"]).toBeUndefined()
    })))

  it.scoped("a token sent as an API key is refused with the provider's own message", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      const error = yield* Effect.flip(client.complete(anthropicAt(fake), apiKey(ANT_TOKEN), ask("m"), 5000))
      expect(error).toMatchObject({ _tag: "ProviderError", provider: "anthropic", kind: "http", status: 401, detail: "invalid x-api-key" })
    })))

  it.scoped("streams deltas in order, then the finish reason and usage (split anywhere, CRLF, pings)", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      const deltas = ["Grüße ", "aus 🌍 ", "dem Fake"]
      fake.script(ANT_KEY, [reply.ok(undefined, { chunks: deltas, stopReason: "max_tokens", usage: { input: 30, output: 9 }, fragmentBytes: 7, crlf: true })])
      const stream = yield* client.stream(anthropicAt(fake), apiKey(ANT_KEY), ask("claude-test"), 5000)
      const { chunks, error } = yield* drain(stream)
      expect(error).toBeUndefined()
      expect(chunks).toEqual([start, ...deltas.map(text), { type: "finish", reason: "length", usage: { inputTokens: 30, outputTokens: 9 } }])
      expect((fake.requests[0]?.body as { stream: boolean }).stream).toBe(true)
      expect(fake.requests[0]?.headers.accept).toBe("text/event-stream")
    })))

  it.scoped("an error event mid-stream ends the stream with a ProviderError after the chunks already sent", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script(ANT_KEY, [reply.ok(undefined, { chunks: ["a", "b", "c"], errorAfterChunks: 2 })])
      const stream = yield* client.stream(anthropicAt(fake), apiKey(ANT_KEY), ask("m"), 5000)
      const { chunks, error } = yield* drain(stream)
      expect(chunks).toEqual([start, text("a"), text("b")])
      expect(error).toMatchObject({ kind: "http", status: 529, detail: "Overloaded" })
    })))

  it.scoped("stream fails before returning a stream when the status is an error, with retryAfterMs", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script(ANT_KEY, [reply.rateLimited(12)])
      const error = yield* Effect.flip(client.stream(anthropicAt(fake), apiKey(ANT_KEY), ask("m"), 5000))
      expect(error).toMatchObject({ kind: "http", status: 429, retryAfterMs: 12_000, detail: ANTHROPIC_ERRORS[429]?.[1] })
      expect(fake.count).toBe(1)
    })))

  it.scoped("every error status becomes a ProviderError with the provider's message", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      const statuses = [401, 402, 403, 429, 500, 529]
      fake.script(ANT_KEY, statuses.map((status) => reply.error(status)))
      for (const status of statuses) {
        const error = yield* Effect.flip(client.complete(anthropicAt(fake), apiKey(ANT_KEY), ask("m"), 5000))
        expect(error).toMatchObject({ _tag: "ProviderError", kind: "http", status, detail: ANTHROPIC_ERRORS[status]?.[1] })
        expect(error.retryAfterMs).toBeUndefined()
      }
      expect(ANTHROPIC_ERRORS[529]?.[1]).toBe("Overloaded")
      const later = new Date(Date.now() + 30_000).toUTCString()
      fake.script(ANT_KEY, [reply.rateLimited(later)])
      const limited = yield* Effect.flip(client.complete(anthropicAt(fake), apiKey(ANT_KEY), ask("m"), 5000))
      expect(limited.retryAfterMs).toBeGreaterThan(27_000)
      expect(limited.retryAfterMs).toBeLessThanOrEqual(30_000)
    })))

  it.scoped("keeps the Claude-Code-only 400 detail, which classifies as auth with the hint", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script(ANT_TOKEN, [reply.claudeCodeOnly()])
      const error = yield* Effect.flip(client.complete(anthropicAt(fake), token(ANT_TOKEN), ask("m"), 5000))
      expect(error).toMatchObject({ kind: "http", status: 400, detail: CLAUDE_CODE_ONLY_MESSAGE })
      expect(classifyFailure(error).reason).toBe("auth")
    })))
})

describe("OpenAI Chat Completions", () => {
  it.scoped("maps a non-stream answer; Bearer key, messages and parameters as sent", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script(OAI_KEY, [reply.ok("Hi there", { stopReason: "length", usage: { input: 11, output: 2 } })])
      const request: ChatRequest = { model: "gpt-test", messages: [say("system", "Be brief."), say("user", "Hi")], maxTokens: 50, temperature: 0, stream: false }
      const result = yield* client.complete(openaiAt(fake), apiKey(OAI_KEY), request, 5000)
      expect(result).toMatchObject({
        id: "chatcmpl-fake-1",
        model: "gpt-test",
        parts: [{ type: "text", text: "Hi there" }],
        toolCalls: [],
        finishReason: "length",
        usage: { inputTokens: 11, outputTokens: 2 }
      })
      const [req] = fake.requests
      expect(req?.path).toBe("/v1/chat/completions")
      expect(req?.headers.authorization).toBe(`Bearer ${maskSecret(OAI_KEY)}`)
      expect(req?.headers["x-api-key"]).toBeUndefined()
      expect(req?.body).toEqual({
        model: "gpt-test",
        messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
        max_tokens: 50,
        temperature: 0,
        stream: false
      })
    })))

  it.scoped("streams deltas, finish reason and the usage chunk, over one kept-alive connection", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script(OAI_KEY, [reply.ok(undefined, { chunks: ["One ", "two ", "three"], usage: { input: 5, output: 3 }, fragmentBytes: 5 })])
      const first = yield* drain(yield* client.stream(openaiAt(fake, ""), apiKey(OAI_KEY), ask("gpt-test"), 5000))
      expect(first.error).toBeUndefined()
      expect(first.chunks).toEqual([{ ...start, created: expect.any(Number) }, text("One "), text("two "), text("three"), { type: "finish", reason: "stop", usage: { inputTokens: 5, outputTokens: 3 } }])
      const second = yield* drain(yield* client.stream(openaiAt(fake, ""), apiKey(OAI_KEY), ask("gpt-test"), 5000))
      expect(texts(second.chunks)).toBe("Hello from the fake provider.")
      yield* client.complete(openaiAt(fake, ""), apiKey(OAI_KEY), ask("gpt-test"), 5000)
      const [a] = fake.requests
      expect(a?.path).toBe("/chat/completions")
      expect(a?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } })
      // Keep-alive: the pool may open a second socket when the next request races the first one's release.
      expect(new Set(fake.requests.map((r) => r.connection)).size).toBeLessThan(3)
    })))

  it.scoped("an error object mid-stream fails the stream", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script(OAI_KEY, [reply.ok(undefined, { chunks: ["a", "b"], errorAfterChunks: 1, streamError: { type: "server_error", message: "upstream went away" } })])
      const { chunks, error } = yield* drain(yield* client.stream(openaiAt(fake), apiKey(OAI_KEY), ask("m"), 5000))
      expect(chunks).toEqual([{ ...start, created: expect.any(Number) }, text("a")])
      expect(error).toMatchObject({ kind: "http", detail: "upstream went away" })
    })))

  it.scoped("every error status becomes a ProviderError with the provider's message; Retry-After is kept", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      const wrong = yield* Effect.flip(client.complete(openaiAt(fake), apiKey("sk-proj-WRONG" + "w".repeat(40) + "BAD1"), ask("m"), 5000))
      expect(wrong).toMatchObject({ status: 401, detail: expect.stringContaining("Incorrect API key provided: sk-proj-…BAD1.") })
      const statuses = [401, 402, 403, 500]
      fake.script(OAI_KEY, [...statuses.map((status) => reply.error(status)), reply.rateLimited(20)])
      for (const status of statuses) {
        const error = yield* Effect.flip(client.complete(openaiAt(fake), apiKey(OAI_KEY), ask("m"), 5000))
        expect(error).toMatchObject({ kind: "http", status, detail: OPENAI_ERRORS[status]?.[1] })
      }
      const limited = yield* Effect.flip(client.stream(openaiAt(fake), apiKey(OAI_KEY), ask("m"), 5000))
      expect(limited).toMatchObject({ status: 429, retryAfterMs: 20_000, detail: OPENAI_ERRORS[429]?.[1] })
    })))

  it.scoped("auth kind none sends no Authorization header", () =>
    run(Effect.gen(function* () {
      const fake = yield* fakeProvider() // no credentials configured: a loopback server that needs none
      const client = yield* ProviderClient
      const result = yield* client.complete(openaiAt(fake), NO_AUTH, ask("llama"), 5000)
      expect(textOf(result.parts)).toBe("Hello from the fake provider.")
      expect(fake.requests[0]?.headers.authorization).toBeUndefined()
    })))
})

describe("transport and errors", () => {
  it.scoped("a slow answer times out after timeoutMs and the request is aborted", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script("*", [reply.slow(10_000)])
      const started = Date.now()
      const error = yield* Effect.flip(client.complete(anthropicAt(fake), apiKey(ANT_KEY), ask("m"), 150))
      expect(error).toMatchObject({ kind: "timeout", detail: "no response within 150 ms" })
      expect(Date.now() - started).toBeLessThan(scaled(2_000))
      yield* Effect.promise(() => fake.waitFor((f) => f.requests[0]?.outcome === "aborted"))
    })))

  it.scoped("a stream that stalls longer than timeoutMs between events fails with a timeout", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script("*", [reply.ok(undefined, { chunks: ["a", "b"], chunkDelayMs: 1000 })])
      const { error } = yield* drain(yield* client.stream(openaiAt(fake), apiKey(OAI_KEY), ask("m"), 200))
      expect(error).toMatchObject({ kind: "timeout", detail: "no data within 200 ms" })
    })))

  it.scoped("connection refused is a network error", () =>
    run(Effect.gen(function* () {
      const client = yield* ProviderClient
      const port = yield* Effect.promise(closedPort)
      const target: ProviderTarget = { provider: "openai" as ProviderId, api: "openai-completions", baseUrl: `http://127.0.0.1:${port}/v1`, headers: {}, maxBodyBytes: DEFAULT_MAX_PROVIDER_BODY_BYTES }
      const error = yield* Effect.flip(client.complete(target, apiKey(OAI_KEY), ask("m"), 5000))
      expect(error).toMatchObject({ kind: "network", detail: `connection refused (ECONNREFUSED 127.0.0.1:${port})` })
    })))

  it.scoped("a dropped connection is a network error, before the answer and mid-stream", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script(ANT_KEY, [reply.drop(), reply.ok(undefined, { chunks: ["a", "b", "c"], dropAfterChunks: 1 })])
      const before = yield* Effect.flip(client.complete(anthropicAt(fake), apiKey(ANT_KEY), ask("m"), 5000))
      expect(before.kind).toBe("network")
      const { chunks, error } = yield* drain(yield* client.stream(anthropicAt(fake), apiKey(ANT_KEY), ask("m"), 5000))
      expect(chunks).toEqual([start, text("a")])
      expect(error).toMatchObject({ kind: "network", detail: expect.stringContaining("connection closed by the provider") })
    })))

  it.scoped("a body that ends without the provider's end marker fails the stream; one that ignores `stream` is replayed", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script("*", [
        reply.ok(undefined, { chunks: ["a", "b"], endAfterChunks: 1 }),
        reply.ok("whole answer", { ignoreStream: true, stopReason: "length", usage: { input: 3, output: 2 } })
      ])
      const cut = yield* drain(yield* client.stream(anthropicAt(fake), apiKey(ANT_KEY), ask("m"), 5000))
      expect(cut.chunks).toEqual([start, text("a")])
      expect(cut.error).toMatchObject({ kind: "network", detail: "the provider closed the stream before it finished" })
      const replayed = yield* drain(yield* client.stream(openaiAt(fake), apiKey(OAI_KEY), ask("m"), 5000))
      expect(replayed).toEqual({
        chunks: [{ ...start, created: expect.any(Number) }, text("whole answer"), { type: "finish", reason: "length", usage: { inputTokens: 3, outputTokens: 2 } }],
        error: undefined
      })
    })))

  it.scoped("a credential that cannot travel in a header fails without echoing it", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      const bad = "sk-proj-FAKE\nsecret-with-a-newline-0000"
      const error = yield* Effect.flip(client.complete(openaiAt(fake), apiKey(bad), ask("m"), 5000))
      expect(error.kind).toBe("network")
      expect(error.detail).toContain("not allowed in an HTTP header")
      expect(JSON.stringify(error)).not.toContain("secret-with")
      expect(fake.count).toBe(0)
    })))

  it.scoped("interrupting the call aborts the request: the fake sees the connection close", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script("*", [reply.slow(10_000), reply.ok(undefined, { chunks: ["a", "b", "c"], chunkDelayMs: 10_000 })])
      const fiber = yield* Effect.fork(client.complete(anthropicAt(fake), apiKey(ANT_KEY), ask("m"), 30_000))
      yield* Effect.promise(() => fake.waitFor((f) => f.count === 1))
      yield* Fiber.interrupt(fiber)
      yield* Effect.promise(() => fake.waitFor((f) => f.requests[0]?.outcome === "aborted"))
      // A consumer that stops early (take) ends the stream, which aborts its request too.
      const stream = yield* client.stream(openaiAt(fake), apiKey(OAI_KEY), ask("m"), 30_000)
      const first = yield* Stream.runCollect(Stream.take(stream, 2))
      expect(Chunk.toReadonlyArray(first)).toEqual([{ ...start, created: expect.any(Number) }, text("a")])
      yield* Effect.promise(() => fake.waitFor((f) => f.requests[1]?.outcome === "aborted"))
    })))

  it.scoped("the secret never appears in a ProviderError, even when the provider echoes it back", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      const cases = [
        { target: anthropicAt(fake), auth: apiKey(ANT_KEY), secret: ANT_KEY },
        { target: anthropicAt(fake), auth: token(ANT_TOKEN), secret: ANT_TOKEN },
        { target: openaiAt(fake), auth: apiKey(OAI_KEY), secret: OAI_KEY }
      ]
      for (const { auth, secret, target } of cases) {
        // The cut at 500 characters falls inside the echoed secret: it is scrubbed before it is cut.
        fake.script(secret, [reply.echoCredential(401), reply.error(403, { message: `${"x".repeat(470)} {credential} tail` })])
        for (let i = 0; i < 2; i++) {
          const error = yield* Effect.flip(client.complete(target, auth, ask("m"), 5000))
          for (const text of [error.detail, error.message, String(error), JSON.stringify(error)]) {
            expect(text).not.toContain(secret)
            expect(text).not.toContain(secret.slice(0, 30))
          }
          expect(error.detail.length).toBeLessThanOrEqual(500)
          expect(error.detail).toContain("<redacted>")
        }
      }
    })))

  it.scoped("a keep-alive connection the provider closed while idle is replaced, once, without failing the call", () =>
    run(Effect.gen(function* () {
      const client = yield* ProviderClient
      // Answers the first request on each connection; the second one on a connection is met by closing it, which
      // is what a provider's idle timeout looks like to a client that just reused that connection.
      const seen: Array<{ connection: number; nth: number }> = []
      let connections = 0
      const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
        const socket = req.socket as typeof req.socket & { tag?: number; served?: number }
        socket.tag ??= ++connections
        socket.served = (socket.served ?? 0) + 1
        seen.push({ connection: socket.tag, nth: socket.served })
        req.resume()
        req.on("end", () => {
          if (socket.served! > 1) return void socket.destroy()
          res.writeHead(200, { "content-type": "application/json" })
          res.end(JSON.stringify({ id: "c", model: "m", choices: [{ message: { content: `hello ${socket.tag}` }, finish_reason: "stop" }] }))
        })
      })
      yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))),
        () => Effect.promise(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
      )
      const port = (server.address() as { port: number }).port
      const target: ProviderTarget = { provider: "openai" as ProviderId, api: "openai-completions", baseUrl: `http://127.0.0.1:${port}/v1`, headers: {}, maxBodyBytes: DEFAULT_MAX_PROVIDER_BODY_BYTES }
      const first = yield* client.complete(target, apiKey(OAI_KEY), ask("m"), 5000)
      const second = yield* client.complete(target, apiKey(OAI_KEY), ask("m"), 5000)
      expect([textOf(first.parts), textOf(second.parts)]).toEqual(["hello 1", "hello 2"])
      expect(seen).toEqual([{ connection: 1, nth: 1 }, { connection: 1, nth: 2 }, { connection: 2, nth: 1 }])
      // A fresh connection that is closed on us is not retried: that is the provider failing.
      server.removeAllListeners("request")
      server.on("request", (req: http.IncomingMessage) => req.socket.destroy())
      const error = yield* Effect.flip(client.complete({ ...target, baseUrl: `http://localhost:${port}/v1` }, apiKey(OAI_KEY), ask("m"), 5000))
      expect(error).toMatchObject({ kind: "network", detail: "connection closed by the provider" })
    })))

  it.scoped("a base URL that is not http(s) fails before anything is sent, naming the setting", () =>
    run(Effect.gen(function* () {
      const client = yield* ProviderClient
      for (const baseUrl of ["ftp://127.0.0.1:21/v1", "not a url", "file:///etc"]) {
        const target: ProviderTarget = { provider: "openai" as ProviderId, api: "openai-completions", baseUrl, headers: {}, maxBodyBytes: DEFAULT_MAX_PROVIDER_BODY_BYTES }
        const error = yield* Effect.flip(client.complete(target, apiKey(OAI_KEY), ask("m"), 5000))
        expect(error).toMatchObject({ kind: "network", detail: "the provider's base URL is not a valid URL (models.providers.<provider>.baseUrl)" })
      }
      // Credentials in the URL are neither sent nor echoed.
      const fake = yield* fakeProvider({ credentials: CREDENTIALS })
      const withPassword: ProviderTarget = { provider: "openai" as ProviderId, api: "openai-completions", baseUrl: fake.url.replace("http://", "http://user:FAKEpass-in-url-123@") + "/v1", headers: {}, maxBodyBytes: DEFAULT_MAX_PROVIDER_BODY_BYTES }
      const error = yield* Effect.flip(client.complete(withPassword, apiKey(OAI_KEY), ask("m"), 5000))
      expect(error.detail).toContain("contains a user name or password")
      expect(JSON.stringify(error)).not.toContain("FAKEpass")
      expect(fake.count).toBe(0)
    })))

  it.scoped("a body that is not the provider's JSON falls back to the status text", () =>
    run(Effect.gen(function* () {
      const { client, fake } = yield* setup
      fake.script("*", [reply.error(502, { rawBody: "<html><body>Bad gateway</body></html>" })])
      const error = yield* Effect.flip(client.complete(openaiAt(fake), apiKey(OAI_KEY), ask("m"), 5000))
      expect(error).toMatchObject({ kind: "http", status: 502, detail: "Bad Gateway" })
    })))
})

describe("SSE parsing and Retry-After", () => {
  const WIRE =
    "\uFEFF: comment\r\nevent: message_start\r\ndata: {\"a\":1}\r\n\r\n" +
    "data: line one\ndata: line two\n\n" +
    ":ping\r\revent:x\rdata:no-space\r\r" +
    "data: ünïcødé 🌍\n\n" +
    "data: [DONE]"
  const EXPECTED = [
    { event: "message_start", data: "{\"a\":1}" },
    { event: "message", data: "line one\nline two" },
    { event: "x", data: "no-space" },
    { event: "message", data: "ünïcødé 🌍" },
    { event: "message", data: "[DONE]" }
  ]

  it.prop(
    "split anywhere (bytes, mid-character, mid-CRLF) gives the same events",
    [FastCheck.uniqueArray(FastCheck.integer({ min: 1, max: 120 }), { maxLength: 12 })],
    ([cuts]) => {
      const bytes = Buffer.from(WIRE, "utf8")
      const points = [0, ...cuts.filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length]
      // The bytes as the socket delivers them (the gateway decodes only complete lines), and the same pieces as text.
      const parser = new SseParser()
      const events = []
      for (let i = 0; i + 1 < points.length; i++) events.push(...parser.push(bytes.subarray(points[i], points[i + 1])))
      events.push(...parser.end())
      expect(events).toEqual(EXPECTED)
      const textParser = new SseParser()
      const utf8 = new TextDecoder()
      const fromText = []
      for (let i = 0; i + 1 < points.length; i++) {
        fromText.push(...textParser.push(utf8.decode(bytes.subarray(points[i], points[i + 1]), { stream: true })))
      }
      fromText.push(...textParser.end(utf8.decode()))
      expect(fromText).toEqual(EXPECTED)
    }
  )

  it("reads Retry-After as seconds or an HTTP date; retry-after-ms wins", () => {
    const h = (entries: Record<string, string>) => new Headers(entries)
    const now = Date.parse("2026-01-01T00:00:00Z")
    expect(parseRetryAfter(h({ "retry-after": "7" }), now)).toBe(7000)
    expect(parseRetryAfter(h({ "retry-after": "1.5" }), now)).toBe(1500)
    expect(parseRetryAfter(h({ "retry-after": "Thu, 01 Jan 2026 00:01:00 GMT" }), now)).toBe(60_000)
    expect(parseRetryAfter(h({ "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" }), now)).toBe(0)
    expect(parseRetryAfter(h({ "retry-after": "soon" }), now)).toBeUndefined()
    expect(parseRetryAfter(h({ "retry-after": "7", "retry-after-ms": "6500" }), now)).toBe(6500)
    expect(parseRetryAfter(h({}), now)).toBeUndefined()
  })
})

describe("the gateway's own exhaustion (§8.6)", () => {
  it("each error code of exhaustion reads as local, others as network", () => {
    const ctx = { provider: "anthropic", secrets: [], timeoutMs: 1000, maxBodyBytes: 1024 } as unknown as Parameters<typeof failure>[0]
    for (const code of ["EMFILE", "ENFILE", "ENOMEM", "ENOBUFS"]) {
      const error = failure(ctx, Object.assign(new Error(`connect ${code}`), { code }), false, "answer")
      expect([code, error.kind, error.detail]).toEqual([code, "local", expect.stringContaining(`(${code})`)])
    }
    expect(failure(ctx, Object.assign(new Error("x"), { code: "ECONNREFUSED" }), false, "answer").kind).toBe("network")
  })
})
