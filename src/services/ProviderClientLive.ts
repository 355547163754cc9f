/**
 * The live ProviderClient: node:http(s) with keep-alive agents (./providers/http.ts) and one adapter per API shape
 * in ./providers (their contract: ./providers/Adapter.ts). Provide it as `Effect.provide(ProviderClientLive)`. It lives in its own module, not as
 * `static readonly layer` on the `ProviderClient` tag, so the port stays free of HTTP code (and of an import cycle)
 * and the CLI can load it only on the commands that call a provider (`await import("./ProviderClientLive.js")`).
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
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Either from "effect/Either"
import type { ProviderAuth, ProviderTarget } from "../domain/Chat.js"
import { ProviderError } from "../domain/Chat.js"
import { answerEvents } from "../domain/chat/Events.js"
import type { ChatAnswer, ChatRequest } from "../domain/chat/Model.js"
import { type Forwarded, ProviderClient, type ProviderClientShape } from "./ProviderClient.js"
import type { StreamDecoder, StreamStep } from "../domain/chat/Codec.js"
import type { HttpCall, ProviderAdapter } from "./providers/Adapter.js"
import { anthropicAdapter } from "./providers/anthropic.js"
import { openaiAdapter } from "./providers/openai.js"
import { forwardCall, forwardWatch } from "./providers/passthrough.js"
import { ERROR_BODY_BYTES, readBounded } from "./providers/body.js"
import { type CallContext, cleanDetail, failure, httpError } from "./providers/errors.js"
import { type Answer, loadNet, netLoaded, post, type Sent } from "./providers/http.js"
import { SseRelay } from "./providers/relay.js"
import { pullStream } from "./PullStream.js"
import { type SseEvent, SseParser, SseTooLarge } from "./providers/sse.js"

/** §8.6: the attempt fails as `format`; what to change is the classified failure's hint. */
const tooLarge = (ctx: CallContext, what: string) =>
  new ProviderError({
    provider: ctx.provider,
    kind: "format",
    detail: `${what} is larger than the limit of ${ctx.maxBodyBytes} bytes (gateway.limits.maxProviderBodyBytes); the connection was closed`
  })

// ---- calls -------------------------------------------------------------------------------------------------------

/** What to do with a 2xx answer: call `ok` with the value or `fail` with why not, once. */
type Consume<A> = (answer: Answer, ok: (value: A) => void, fail: (error: unknown) => void) => void

/**
 * One request under one deadline: `consume` runs on a 2xx answer before the deadline; a non-2xx fails with the
 * provider's message (from the first ERROR_BODY_BYTES of its body). Interrupting the fiber closes the connection.
 * `abort` is handed on so a stream can keep closing the same request.
 *
 * Interruptible even where its caller is not: @effect/platform runs every HTTP handler uninterruptibly (only
 * HttpRouter routes opt back in), so without this a client that hangs up would leave its provider request running
 * to the end (§8.6). A caller's own critical sections (store writes, an OAuth refresh) stay as they are.
 */
const send = <A>(ctx: CallContext, call: HttpCall, consume: Consume<A>) =>
  Effect.flatMap(net, (n) =>
    Effect.async<{ readonly value: A; readonly abort: () => void }, ProviderError>((resume) => {
      let settled = false
      let sent: Sent | undefined
      const finish = (outcome: Effect.Effect<{ readonly value: A; readonly abort: () => void }, ProviderError>) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resume(outcome)
      }
      const fail = (timedOut: boolean) => (error: unknown) => {
        sent?.abort()
        finish(Effect.fail(failure(ctx, error, timedOut, "response")))
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
            consume(answer, (value) => finish(Effect.succeed({ value, abort: () => sent?.abort() })), fail(false))
          }
        },
        fail(false)
      )
      return Effect.sync(() => {
        settled = true
        clearTimeout(timer)
        sent?.abort()
      })
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
 * What becomes of the provider's bytes: the stream's chunks, and whether the provider said it is finished (an
 * `end` that is not `done`: it closed the stream early). Throws SseTooLarge past the event size limit.
 */
interface BodyReader<T> {
  readonly push: (bytes: Buffer) => ReaderStep<T>
  readonly end: () => ReaderStep<T>
}

/** `progress`: an event ended in these bytes (what the idle deadline counts). */
type ReaderStep<T> = StreamStep<T> & { readonly progress: boolean }

/** Events through the parser and a decoder (the provider's shape → canonical events, or → the client's frames). */
const decodedBody = <T>(maxEventBytes: number, decoder: StreamDecoder<T>): BodyReader<T> => {
  const parser = new SseParser(maxEventBytes)
  const run = (events: ReadonlyArray<SseEvent>): ReaderStep<T> => {
    const out: Array<T> = []
    let error: StreamStep<T>["error"]
    for (const event of events) {
      const step = decoder.onEvent(event)
      for (const chunk of step.events) out.push(chunk)
      if (step.error !== undefined) error = step.error
      if (step.done) return { events: out, done: true, progress: out.length > 0, ...(error === undefined ? {} : { error }) }
    }
    return { events: out, done: false, progress: out.length > 0, ...(error === undefined ? {} : { error }) }
  }
  return {
    push: (bytes) => run(parser.push(bytes)),
    end: () => {
      const step = run(parser.end())
      if (step.done) return step
      const last = decoder.onEnd()
      if (last === undefined) return step
      const events = [...step.events, ...last.events]
      return { events, done: true, progress: events.length > 0, ...((last.error ?? step.error) === undefined ? {} : { error: last.error ?? step.error }) }
    }
  }
}

/**
 * The body flows ('data' events, each chunk as the socket delivered it) into the parser and the decoder; chunks
 * wait in `ready` for the next pull, and the body is paused while they do (a slow client slows the provider). Not
 * the body's async iterator: its read() concatenates whatever is buffered into a new Buffer, a copy per read that
 * was a large part of the gateway's CPU while a provider streamed megabytes without an event (bench/README.md,
 * Hostile provider). Each pull must have a chunk within `timeoutMs` (an idle deadline: a long answer is fine, while
 * a stalled one, or one that drips bytes that never make an event, is cut; a chunk without an event's end in it
 * does not restart the deadline). One event larger than the body limit
 * fails the stream as `format`. After the provider's end marker the rest of the body is read and dropped, so the
 * connection goes back to the keep-alive pool; ending the stream early aborts the request. Run once.
 */
const sseStream = <T>(
  ctx: CallContext,
  body: IncomingMessage,
  abort: () => void,
  reader: BodyReader<T>
): Stream.Stream<T, ProviderError> => {
  let ready: Array<T> = []
  /** Nothing more will be added to `ready`: the decoder's end, the body's end, or `broken`. */
  let finished = false
  /** Why the stream broke (thrown after `ready` is delivered): a ProviderError, or a transport error to classify. */
  let broken: unknown
  /** The provider's own error event, thrown after the chunks before it. */
  let pending: ProviderError | undefined
  /** The pull waiting for a chunk. */
  let waiting: (() => void) | undefined
  /**
   * Since when the stream has waited for an event: kept across deliveries that held none (a same-shape stream's
   * lines go on before their event ends), so bytes that never make an event cannot hold off the idle deadline.
   */
  let waitingSince: number | undefined
  /** An event ended since the last delivery. */
  let progressed = false
  const wake = () => {
    const w = waiting
    waiting = undefined
    w?.()
  }
  const take = (step: ReaderStep<T>) => {
    for (const chunk of step.events) ready.push(chunk)
    if (step.progress) progressed = true
    if (step.error !== undefined) {
      const { message, status } = step.error
      pending = new ProviderError({
        provider: ctx.provider,
        kind: "http",
        detail: cleanDetail(message, ctx.secrets),
        ...(status === undefined ? {} : { status })
      })
    }
    if (step.done) finished = true
  }
  const breakWith = (error: unknown) => {
    if (finished) return
    finished = true
    broken = error
    wake()
  }
  body.on("data", (bytes: Buffer) => {
    if (finished) return // past the end marker: read to the end for the keep-alive pool
    try {
      take(reader.push(bytes))
    } catch (error) {
      return breakWith(error instanceof SseTooLarge ? tooLarge(ctx, "one event of the stream") : error)
    }
    if (waiting !== undefined) {
      if (ready.length > 0 || finished) wake()
    } else if (ready.length > 0 && !finished) body.pause()
  })
  body.on("end", () => {
    if (!finished) {
      let last: ReaderStep<T>
      try {
        last = reader.end()
      } catch (error) {
        return breakWith(error instanceof SseTooLarge ? tooLarge(ctx, "one event of the stream") : error)
      }
      take(last)
      if (!last.done) return breakWith(failure(ctx, new Error("the provider closed the stream before it finished"), false, ""))
    }
    wake()
  })
  // Also after `finished`: an 'error' event without a listener would be thrown.
  body.on("error", breakWith)
  body.on("close", () => breakWith(Object.assign(new Error("aborted"), { code: "ECONNRESET" })))
  const pull = Effect.async<Chunk.Chunk<T>, Option.Option<ProviderError>>((resume) => {
    const now = Date.now()
    const since = waitingSince ?? now
    const deliver = () => {
      clearTimeout(timer)
      if (ready.length > 0) {
        const chunks = ready
        ready = []
        waitingSince = progressed ? undefined : since
        progressed = false
        return resume(Effect.succeed(Chunk.unsafeFromArray(chunks)))
      }
      const error = broken ?? pending
      resume(Effect.fail(error === undefined ? Option.none() : Option.some(failure(ctx, error, false, "data"))))
    }
    const timer = setTimeout(() => {
      waiting = undefined
      abort()
      resume(Effect.fail(Option.some(failure(ctx, new Error("timeout"), true, "data"))))
    }, Math.max(0, ctx.timeoutMs - (now - since)))
    if (ready.length > 0 || finished) deliver()
    else {
      waiting = deliver
      if (body.isPaused()) body.resume()
    }
    return Effect.sync(() => {
      clearTimeout(timer)
      waiting = undefined
      abort()
    })
  })
  // Ending the stream for any reason closes a connection still in use; one read to the end is already back in the pool.
  // A pullStream: the gateway writes it with a loop over `pull` (../PullStream.ts).
  return pullStream(pull, () => void (body.complete || abort()))
}

const adapterFor = (target: ProviderTarget): ProviderAdapter =>
  target.api === "anthropic-messages" ? anthropicAdapter : openaiAdapter

/**
 * The request in the provider's shape. The gateway refuses what a shape cannot carry before it calls (§8.4), so an
 * Unsupported here is a request the caller did not check: a `format` failure naming the field.
 */
const callFor = (ctx: CallContext, adapter: ProviderAdapter, target: ProviderTarget, auth: ProviderAuth, request: ChatRequest) =>
  Either.mapLeft(adapter.buildCall(target, auth, request), (u) => new ProviderError({ provider: ctx.provider, kind: "format", status: 400, detail: u.message }))

const contextFor = (target: ProviderTarget, auth: ProviderAuth, timeoutMs: number): CallContext => ({
  provider: target.provider,
  timeoutMs,
  maxBodyBytes: target.maxBodyBytes,
  secrets: [
    ...(auth.secret === undefined ? [] : [Redacted.value(auth.secret)]),
    // Configured headers may carry credentials of their own; short values ("1", "true") are not secrets.
    ...Object.values(target.headers).filter((v) => v.length >= 8)
  ]
})

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
    const ctx = contextFor(target, auth, timeoutMs)
    type Opened = Extract<Forwarded, { _tag: "body" }> | { readonly _tag: "sse"; readonly body: IncomingMessage }
    const { value, abort } = yield* send<Opened>(ctx, forwardCall(target, auth, request), (answer, ok, fail) => {
      const contentType = answer.header("content-type") ?? "application/json"
      if (request.stream && contentType.includes("text/event-stream")) return ok({ _tag: "sse", body: answer.body })
      // A whole answer (or one JSON answer to a stream request, as some servers send): its bytes, as they came.
      if (Number(answer.header("content-length")) > ctx.maxBodyBytes) return fail(tooLarge(ctx, "the answer"))
      readBounded(
        answer.body,
        ctx.maxBodyBytes,
        ({ bytes, complete }) => (complete ? ok({ _tag: "body", status: answer.status, contentType, body: bytes() }) : fail(tooLarge(ctx, "the answer"))),
        fail
      )
    })
    if (value._tag === "body") return value
    const body = value.body
    yield* Effect.addFinalizer(() => Effect.sync(() => body.complete || abort()))
    // Translated: event by event into the client's frames. Same shape: the provider's own bytes, as they arrive.
    const events: Stream.Stream<string | Uint8Array, ProviderError> = request.translate
      ? sseStream(ctx, body, abort, decodedBody(ctx.maxBodyBytes, request.translate()))
      : sseStream(ctx, body, abort, new SseRelay(forwardWatch(target), ctx.maxBodyBytes))
    return { _tag: "events", events } satisfies Forwarded
  })
})

/** `Effect.provide(ProviderClientLive)`; the port itself (`ProviderClient`) stays free of HTTP code. */
export const ProviderClientLive: Layer.Layer<ProviderClient> = Layer.sync(ProviderClient, makeProviderClient)
