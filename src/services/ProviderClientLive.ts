/**
 * The live ProviderClient: node:http(s) with keep-alive agents (./providers/http.ts), stream bodies read by
 * ./providers/eventStream.ts, and one adapter per API shape in ./providers (their contract: ./providers/Adapter.ts).
 * Provide it as `Effect.provide(ProviderClientLive)`. It lives in its own module, not as `static readonly layer` on
 * the `ProviderClient` tag, so the port stays free of HTTP code (and of an import cycle) and the CLI can load it only
 * on the commands that call a provider (`await import("./ProviderClientLive.js")`).
 *
 * `timeoutMs`: `complete` must have the whole answer within it; `stream` must have the response headers within it,
 * then each pull must produce a chunk within it (an idle deadline: bytes that never make an event do not count).
 * Interrupting either aborts the request, even from inside an uninterruptible region (see `send`). A stream's
 * request is also closed with the scope `stream` ran in, so one returned but never run does not linger.
 *
 * Bodies are read up to `target.maxBodyBytes` (one event, for a stream), error bodies up to ERROR_BODY_BYTES
 * (./providers/body.ts): past that the call fails as `format` and the connection is closed (§8.6).
 */
import type { IncomingMessage } from "node:http"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Either from "effect/Either"
import type { ProviderAuth, ProviderTarget } from "../domain/Chat.js"
import { ProviderError } from "../domain/Chat.js"
import { answerEvents } from "../domain/chat/Events.js"
import type { ChatAnswer, ChatRequest } from "../domain/chat/Model.js"
import { type Forwarded, type ForwardRequest, ProviderClient, type ProviderClientShape } from "./ProviderClient.js"
import type { HttpCall, ProviderAdapter } from "./providers/Adapter.js"
import { anthropicAdapter } from "./providers/anthropic.js"
import { openaiAdapter } from "./providers/openai.js"
import { forwardCall, forwardWatch } from "./providers/passthrough.js"
import { ERROR_BODY_BYTES, readBounded } from "./providers/body.js"
import { type CallContext, failure, httpError, tooLarge } from "./providers/errors.js"
import { type Answer, loadNet, type Net, netLoaded, post, type Sent } from "./providers/http.js"
import { decodedBody, sseStream } from "./providers/eventStream.js"
import { jsonStrings } from "../domain/JsonStrings.js"
import { SseRelay } from "./providers/relay.js"
import { pumpBody } from "./providers/pump.js"

// ---- calls -------------------------------------------------------------------------------------------------------

/** What to do with a 2xx answer: call `ok` with the value or `fail` with why not, once. */
type Consume<A> = (answer: Answer, ok: (value: A) => void, fail: (error: unknown) => void) => void

/**
 * One request under one deadline: `consume` runs on a 2xx answer before the deadline; a non-2xx fails with the
 * provider's message (from the first ERROR_BODY_BYTES of its body). `done` is called once, with the value (and the
 * `abort` a stream keeps to close the same request) or the ProviderError; never after the returned abort.
 * Callbacks: the Effect `send` below and the gateway's lane (`forwardNow`) share it.
 */
const sendNow = <A>(
  n: Net,
  ctx: CallContext,
  call: HttpCall,
  consume: Consume<A>,
  done: (outcome: Either.Either<{ readonly value: A; readonly abort: () => void }, ProviderError>) => void
): (() => void) => {
  let settled = false
  let sent: Sent | undefined
  const finish = (outcome: Either.Either<{ readonly value: A; readonly abort: () => void }, ProviderError>) => {
    if (settled) return
    settled = true
    clearTimeout(timer)
    done(outcome)
  }
  const fail = (timedOut: boolean) => (error: unknown) => {
    sent?.abort()
    finish(Either.left(failure(ctx, error, timedOut, "response")))
  }
  const timer = setTimeout(() => fail(true)(new Error("timeout")), ctx.timeoutMs)
  // post may fail at once (a header node:http refuses), before `sent` is assigned: `fail` copes.
  sent = post(
    n,
    call,
    (answer) => {
      if (answer.status < 200 || answer.status > 299) {
        readBounded(answer.body, ERROR_BODY_BYTES, ({ text }) => fail(false)(httpError(ctx, answer, text())), () => fail(false)(httpError(ctx, answer, "")))
      } else {
        consume(answer, (value) => finish(Either.right({ value, abort: () => sent?.abort() })), fail(false))
      }
    },
    fail(false)
  )
  return () => {
    settled = true
    clearTimeout(timer)
    sent?.abort()
  }
}

/**
 * `sendNow` as an Effect. Interrupting the fiber closes the connection. Interruptible even where its caller is not:
 * the gateway runs each request uninterruptibly, so without this a client that hangs up would leave its provider
 * request running to the end (§8.6). A caller's own critical sections (store writes, an OAuth refresh) stay as they are.
 */
const send = <A>(ctx: CallContext, call: HttpCall, consume: Consume<A>) =>
  Effect.flatMap(net, (n) =>
    Effect.async<{ readonly value: A; readonly abort: () => void }, ProviderError>((resume) => {
      const abort = sendNow(n, ctx, call, consume, (outcome) => resume(Either.isRight(outcome) ? Effect.succeed(outcome.right) : Effect.fail(outcome.left)))
      return Effect.sync(abort)
    }).pipe(Effect.interruptible)
  )

/** node:http(s) once per process, on the first call (the CLI mostly never calls a provider). */
const net = Effect.suspend(() => {
  const loaded = netLoaded()
  return loaded === undefined ? Effect.promise(loadNet) : Effect.succeed(loaded)
})

const unexpected = (ctx: CallContext, status: number, what: string) =>
  new ProviderError({ provider: ctx.provider, kind: "http", status, detail: `unexpected response from the provider: ${what}` })

/** The answer's body, up to the limit, as the adapter's completion. */
const decodeBody = (ctx: CallContext, adapter: ProviderAdapter): Consume<ChatAnswer> => (answer, ok, fail) => {
  const tooBig = () => fail(tooLarge(ctx, "the answer"))
  if (Number(answer.header("content-length")) > ctx.maxBodyBytes) return tooBig()
  readBounded(
    answer.body,
    ctx.maxBodyBytes,
    ({ text, complete }) => {
      if (!complete) return tooBig()
      let json: unknown
      try {
        json = JSON.parse(text())
      } catch {
        return fail(unexpected(ctx, answer.status, "not JSON"))
      }
      const result = adapter.decodeResult(json)
      if (result === undefined) fail(unexpected(ctx, answer.status, "no completion in the body"))
      else ok(result)
    },
    fail
  )
}

/**
 * What a forwarded request put before the provider, as the provider may quote it: the body, its strings decoded
 * (a client may spell its text with JSON escapes), the headers passed on (domain/Echo, on error paths only).
 */
const sentTexts = (request: { readonly body: string; readonly headers: Readonly<Record<string, string>> }): Array<string> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(request.body)
  } catch {
    parsed = undefined
  }
  return [request.body, ...Object.values(request.headers), ...jsonStrings(parsed)]
}

/** `content-encoding` values that mean the body is as it is (an empty one and a non-standard `none` included). */
const IDENTITY: ReadonlySet<string> = new Set(["identity", "", "none"])

const isSpace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09

/** `{` … `}` around optional whitespace: the shape of every answer, checked without parsing it (the hot path). */
const isJsonObject = (body: Uint8Array): boolean => {
  // A UTF-8 byte-order mark before it is tolerated, as JSON readers do.
  let start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0
  let end = body.length - 1
  while (start <= end && isSpace(body[start]!)) start++
  while (end > start && isSpace(body[end]!)) end--
  return end > start && body[start] === 0x7b && body[end] === 0x7d
}

const adapterFor = (target: ProviderTarget): ProviderAdapter =>
  target.api === "anthropic-messages" ? anthropicAdapter : openaiAdapter

/**
 * The request in the provider's shape. The gateway refuses what a shape cannot carry before it calls (§8.4), so an
 * Unsupported here is a request the caller did not check: a `format` failure naming the field.
 */
const callFor = (ctx: CallContext, adapter: ProviderAdapter, target: ProviderTarget, auth: ProviderAuth, request: ChatRequest) =>
  Either.mapLeft(adapter.buildCall(target, auth, request), (u) => new ProviderError({ provider: ctx.provider, kind: "format", status: 400, detail: u.message }))

/** With `sent` for a forwarded request's call. One literal, not a spread of another context (domain/Headers.ts). */
const contextFor = (target: ProviderTarget, auth: ProviderAuth, timeoutMs: number, sent?: () => Iterable<string>): CallContext => {
  const secrets = auth.secret === undefined ? [] : [Redacted.value(auth.secret)]
  // Configured headers may carry credentials of their own; short values ("1", "true") are not secrets.
  for (const v of Object.values(target.headers)) if (v.length >= 8) secrets.push(v)
  const { provider, maxBodyBytes } = target
  return sent === undefined ? { provider, timeoutMs, maxBodyBytes, secrets } : { provider, timeoutMs, maxBodyBytes, secrets, sent }
}

// Untraced: once per provider call on the gateway's hot path (see chatCompletion in src/gateway/ChatCompletions.ts).
export const makeProviderClient = (): ProviderClientShape => ({
  complete: Effect.fnUntraced(function* (target, auth, request, timeoutMs) {
    const adapter = adapterFor(target)
    const ctx = contextFor(target, auth, timeoutMs)
    const { value } = yield* send(ctx, yield* callFor(ctx, adapter, target, auth, { ...request, stream: false }), decodeBody(ctx, adapter))
    return value
  }),
  stream: Effect.fnUntraced(function* (target, auth, request, timeoutMs) {
    const adapter = adapterFor(target)
    const ctx = contextFor(target, auth, timeoutMs)
    type Opened = { readonly _tag: "json"; readonly result: ChatAnswer } | { readonly _tag: "sse"; readonly body: IncomingMessage }
    const call = yield* callFor(ctx, adapter, target, auth, { ...request, stream: true })
    const { value, abort } = yield* send<Opened>(ctx, call, (answer, ok, fail) =>
      // A server that ignores `stream: true` answers with one JSON completion: replay it as a stream.
      (answer.header("content-type") ?? "").includes("application/json")
        ? decodeBody(ctx, adapter)(answer, (result) => ok({ _tag: "json", result }), fail)
        : ok({ _tag: "sse", body: answer.body })
    )
    if (value._tag === "json") return Stream.fromIterable(answerEvents(value.result))
    // However the request ends (the stream run to its end, failed, interrupted, or never run at all), the scope
    // it ran in closes the connection; a body read to its end is already back in the keep-alive pool.
    const body = value.body
    yield* Effect.addFinalizer(() => Effect.sync(() => body.complete || abort()))
    return sseStream(ctx, body, abort, decodedBody(ctx.maxBodyBytes, adapter.streamDecoder()))
  }),
  forward: Effect.fnUntraced(function* (target, auth, request, timeoutMs) {
    const ctx = forwardContext(target, auth, request, timeoutMs)
    const { value, abort } = yield* send<Opened>(ctx, forwardCall(target, auth, request), forwardedAnswer(ctx, request))
    if (value._tag === "body") return value
    const body = value.body
    yield* Effect.addFinalizer(() => Effect.sync(() => body.complete || abort()))
    // Translated: event by event into the client's frames. Same shape: the provider's own bytes, as they arrive.
    const events: Stream.Stream<string | Uint8Array, ProviderError> = request.translate
      ? sseStream(ctx, body, abort, decodedBody(ctx.maxBodyBytes, request.translate()))
      : sseStream(ctx, body, abort, new SseRelay(forwardWatch(target), ctx.maxBodyBytes))
    return { _tag: "events", events } satisfies Forwarded
  }),
  forwardNow: (target, auth, request, timeoutMs, done) => {
    const n = netLoaded()
    if (n === undefined || request.translate !== undefined) return undefined
    const ctx = forwardContext(target, auth, request, timeoutMs)
    return sendNow(n, ctx, forwardCall(target, auth, request), forwardedAnswer(ctx, request), (outcome) => {
      if (Either.isLeft(outcome)) return done(Either.left(outcome.left))
      const { value, abort } = outcome.right
      if (value._tag === "body") return done(Either.right(value))
      const body = value.body
      done(Either.right({ _tag: "push", start: (sink) => pumpBody(ctx, body, abort, new SseRelay(forwardWatch(target), ctx.maxBodyBytes), sink) }))
    })
  }
})

type Opened = Extract<Forwarded, { _tag: "body" }> | { readonly _tag: "sse"; readonly body: IncomingMessage }

const forwardContext = (target: ProviderTarget, auth: ProviderAuth, request: ForwardRequest, timeoutMs: number): CallContext =>
  contextFor(target, auth, timeoutMs, () => sentTexts(request))

/** A forwarded request's 2xx answer: a stream's body to relay, or a whole answer's bytes as they came, checked. */
const forwardedAnswer =
  (ctx: CallContext, request: ForwardRequest): Consume<Opened> =>
  (answer, ok, fail) => {
    const encoding = answer.header("content-encoding")
    // Passed on as bytes without its headers, a compressed body would reach the client as garbage.
    if (encoding !== undefined && !IDENTITY.has(encoding.trim().toLowerCase())) return fail(unexpected(ctx, answer.status, "a compressed body (content-encoding), which the gateway asks not to get"))
    const contentType = answer.header("content-type") ?? "application/json"
    if (request.stream && contentType.includes("text/event-stream")) return ok({ _tag: "sse", body: answer.body })
    // A whole answer (or one JSON answer to a stream request, as some servers send): its bytes, as they came —
    // once they look like the one JSON object every shape answers with (an HTML page, an empty 204, an event
    // stream to a request for one answer are the provider failing, not an answer to hand on).
    if (Number(answer.header("content-length")) > ctx.maxBodyBytes) return fail(tooLarge(ctx, "the answer"))
    readBounded(
      answer.body,
      ctx.maxBodyBytes,
      ({ bytes, complete }) => {
        if (!complete) return fail(tooLarge(ctx, "the answer"))
        const body = bytes()
        if (!isJsonObject(body)) return fail(unexpected(ctx, answer.status, request.stream ? "neither an event stream nor a JSON answer" : "not a JSON answer"))
        ok({ _tag: "body", status: answer.status, contentType, body })
      },
      fail
    )
  }

/** `Effect.provide(ProviderClientLive)`; the port itself (`ProviderClient`) stays free of HTTP code. */
export const ProviderClientLive: Layer.Layer<ProviderClient> = Layer.sync(ProviderClient, makeProviderClient)
