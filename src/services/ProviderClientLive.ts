/**
 * The live ProviderClient: Node's global `fetch` (undici; keep-alive pooling by default) with one adapter per API
 * shape in ./providers. Provide it as `Effect.provide(ProviderClientLive)`. It lives in its own module, not as
 * `static readonly layer` on the `ProviderClient` tag, so the port stays free of HTTP code (and of an import cycle)
 * and the CLI can load it only on the commands that call a provider (`await import("./ProviderClientLive.js")`).
 *
 * `timeoutMs`: `complete` must have the whole answer within it; `stream` must have the response headers within it,
 * then every read of the body must make progress within it (an idle deadline). Interrupting either aborts the
 * request. A stream returned by `stream` but never run holds its connection until it is garbage-collected.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { ChatChunk, ChatRequest, ChatResult, ProviderAuth, ProviderTarget } from "../domain/Chat.js"
import { ProviderError } from "../domain/Chat.js"
import { ProviderClient, type ProviderClientShape } from "./ProviderClient.js"
import { anthropicAdapter } from "./providers/anthropic.js"
import { openaiAdapter } from "./providers/openai.js"
import { type SseEvent, SseParser } from "./providers/sse.js"

/** Reason phrases for the statuses providers answer with, when the response carries none (HTTP/2). */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  413: "Payload Too Large",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  529: "Overloaded"
}

// ---- what an adapter (./providers/*) provides ------------------------------------------------------------------

export interface HttpCall {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface StreamStep {
  readonly chunks: ReadonlyArray<ChatChunk>
  /** The provider said it is finished (or failed): nothing after this counts. */
  readonly done: boolean
  readonly error?: { readonly message: string; readonly status?: number }
}

/** Stateful per stream: turns SSE events into chunks; the last chunk carries the finish reason and usage. */
export interface StreamDecoder {
  readonly onEvent: (event: SseEvent) => StreamStep
  /** The body ended without the provider's end marker: the final step when it still told us how it finished. */
  readonly onEnd: () => StreamStep | undefined
}

export interface ProviderAdapter {
  readonly buildCall: (target: ProviderTarget, auth: ProviderAuth, request: ChatRequest, stream: boolean) => HttpCall
  readonly decodeResult: (body: unknown) => ChatResult | undefined
  readonly streamDecoder: () => StreamDecoder
}

// ---- errors ------------------------------------------------------------------------------------------------------

const MAX_DETAIL = 500

/** Every occurrence of our secret (and of long configured header values) becomes `<redacted>`, longest first. */
export const scrub = (text: string, secrets: ReadonlyArray<string>): string =>
  [...secrets].sort((a, b) => b.length - a.length).reduce((t, s) => (s === "" ? t : t.split(s).join("<redacted>")), text)

/** Scrubbed before truncation, so a cut can never leave part of a secret behind. */
export const cleanDetail = (text: string, secrets: ReadonlyArray<string>): string => {
  const clean = scrub(text.trim(), secrets)
  return clean.length > MAX_DETAIL ? `${clean.slice(0, MAX_DETAIL - 1)}…` : clean
}

/** `error.message` of Anthropic (`{type:"error",error:{type,message}}`) and OpenAI (`{error:{message,type,code}}`) bodies. */
export const providerMessage = (bodyText: string): string | undefined => {
  let json: unknown
  try {
    json = JSON.parse(bodyText)
  } catch {
    return undefined
  }
  const top = Array.isArray(json) ? json[0] : json // Google's endpoints answer with a one-element array
  if (typeof top !== "object" || top === null) return undefined
  const { error, message, detail } = top as Record<string, unknown>
  const nested = typeof error === "object" && error !== null ? (error as Record<string, unknown>).message : error
  const found = [nested, message, detail].find((m): m is string => typeof m === "string" && m.trim() !== "")
  return found
}

/** `Retry-After` as seconds or an HTTP date; OpenAI's `retry-after-ms` is more precise and wins. */
export const parseRetryAfter = (headers: { get(name: string): string | null }, nowMs: number): number | undefined => {
  const ms = headers.get("retry-after-ms")?.trim()
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Math.round(Number(ms))
  const value = headers.get("retry-after")?.trim()
  if (value === undefined || value === "") return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

interface CallContext {
  readonly provider: string
  readonly timeoutMs: number
  readonly secrets: ReadonlyArray<string>
}

const httpError = async (ctx: CallContext, response: Response): Promise<ProviderError> => {
  const body = await response.text().catch(() => "")
  // (node:http's STATUS_CODES would load the whole http module at every CLI start for this one fallback.)
  const fallback = response.statusText || STATUS_TEXT[response.status] || `HTTP ${response.status}`
  const retryAfterMs = parseRetryAfter(response.headers, Date.now())
  return new ProviderError({
    provider: ctx.provider,
    kind: "http",
    status: response.status,
    detail: cleanDetail(providerMessage(body) ?? fallback, ctx.secrets),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs })
  })
}

const NETWORK_PHRASES: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_SOCKET: "connection closed by the provider"
}
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"])

/** A short, secret-free description of why the request never got (all of) an answer. */
const failure = (ctx: CallContext, error: unknown, timedOut: boolean, during: string): ProviderError => {
  if (error instanceof ProviderError) return error
  const make = (kind: "network" | "timeout", detail: string) =>
    new ProviderError({ provider: ctx.provider, kind, detail: cleanDetail(detail, ctx.secrets) })
  if (timedOut) return make("timeout", `no ${during} within ${ctx.timeoutMs} ms`)
  // undici quotes a rejected header value in its message: say what is wrong without it.
  if (error instanceof TypeError && error.cause === undefined && /^Headers\.|ByteString/.test(error.message)) {
    return make("network", "the credential or a configured header contains characters not allowed in an HTTP header")
  }
  // fetch wraps the socket error in `cause`; happy-eyeballs connects wrap several in an AggregateError.
  let cause: unknown = (error as { cause?: unknown } | null)?.cause ?? error
  if (cause instanceof AggregateError && cause.errors.length > 0) cause = cause.errors[0]
  const c = (cause ?? {}) as { code?: unknown; message?: unknown; address?: unknown; port?: unknown }
  const code = typeof c.code === "string" ? c.code : undefined
  const where = typeof c.address === "string" ? ` ${c.address}${typeof c.port === "number" ? `:${c.port}` : ""}` : ""
  if (code !== undefined && TIMEOUT_CODES.has(code)) return make("timeout", `${code}${where}`)
  if (code !== undefined) return make("network", `${NETWORK_PHRASES[code] ?? "network error"} (${code}${where})`)
  const message = typeof c.message === "string" && c.message !== "" ? c.message : String(error)
  return make("network", message === "terminated" ? "connection closed by the provider" : message)
}

// ---- calls -------------------------------------------------------------------------------------------------------

/**
 * One request under one deadline: `consume` runs on a 2xx response before the deadline; a non-2xx fails with the
 * provider's message. Interrupting the fiber aborts the fetch (the socket is closed). The controller is handed on
 * so a stream can keep aborting the same request.
 */
const send = <A>(ctx: CallContext, call: HttpCall, consume: (response: Response) => Promise<A>) =>
  Effect.async<{ readonly value: A; readonly controller: AbortController }, ProviderError>((resume) => {
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, ctx.timeoutMs)
    const run = async () => {
      const response = await fetch(call.url, { method: "POST", headers: call.headers, body: call.body, signal: controller.signal })
      if (!response.ok) throw await httpError(ctx, response)
      return consume(response)
    }
    run().then(
      (value) => {
        clearTimeout(timer)
        resume(Effect.succeed({ value, controller }))
      },
      (error) => {
        clearTimeout(timer)
        resume(Effect.fail(failure(ctx, error, timedOut, "response")))
      }
    )
    return Effect.sync(() => {
      clearTimeout(timer)
      controller.abort()
    })
  })

const unexpected = (ctx: CallContext, status: number, what: string) =>
  new ProviderError({ provider: ctx.provider, kind: "http", status, detail: `unexpected response from the provider: ${what}` })

const decodeBody = async (ctx: CallContext, adapter: ProviderAdapter, response: Response): Promise<ChatResult> => {
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw unexpected(ctx, response.status, "not JSON")
  }
  const result = adapter.decodeResult(json)
  if (result === undefined) throw unexpected(ctx, response.status, "no completion in the body")
  return result
}

/**
 * Pulls read until they have at least one chunk; each read must make progress within `timeoutMs` (an idle
 * deadline, so a long answer is fine while a stalled one is not). Ending the stream early aborts the request.
 * The stream reads one response body, so it can be run once.
 */
const sseStream = (
  ctx: CallContext,
  body: ReadableStream<Uint8Array>,
  controller: AbortController,
  decoder: StreamDecoder
): Stream.Stream<ChatChunk, ProviderError> => {
  const reader = body.getReader()
  const parser = new SseParser()
  const utf8 = new TextDecoder()
  let finished = false
  let pending: ProviderError | undefined
  const take = (step: StreamStep, out: Array<ChatChunk>) => {
    out.push(...step.chunks)
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
  const readChunks = async (): Promise<ReadonlyArray<ChatChunk> | undefined> => {
    const out: Array<ChatChunk> = []
    while (out.length === 0 && !finished) {
      const { done, value } = await reader.read()
      const events = done ? parser.end(utf8.decode()) : parser.push(utf8.decode(value, { stream: true }))
      for (const event of events) {
        take(decoder.onEvent(event), out)
        if (finished) break
      }
      if (done && !finished) {
        const last = decoder.onEnd()
        if (last === undefined) throw failure(ctx, new Error("the provider closed the stream before it finished"), false, "")
        take(last, out)
      }
      // Read to the end after the provider's end marker so the connection goes back to the keep-alive pool.
      if (finished && pending === undefined && !done) {
        await (async () => {
          while (!(await reader.read()).done);
        })().catch(() => undefined)
      }
    }
    if (out.length > 0) return out
    if (pending !== undefined) throw pending
    return undefined
  }
  const pull = Effect.async<Chunk.Chunk<ChatChunk>, Option.Option<ProviderError>>((resume) => {
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, ctx.timeoutMs)
    readChunks().then(
      (chunks) => {
        clearTimeout(timer)
        resume(chunks === undefined ? Effect.fail(Option.none()) : Effect.succeed(Chunk.unsafeFromArray(chunks)))
      },
      (error) => {
        clearTimeout(timer)
        resume(Effect.fail(Option.some(failure(ctx, error, timedOut, "data"))))
      }
    )
    return Effect.sync(() => {
      clearTimeout(timer)
      controller.abort()
    })
  })
  return Stream.repeatEffectChunkOption(pull).pipe(Stream.ensuring(Effect.sync(() => controller.abort())))
}

const adapterFor = (target: ProviderTarget): ProviderAdapter =>
  target.api === "anthropic-messages" ? anthropicAdapter : openaiAdapter

const contextFor = (target: ProviderTarget, auth: ProviderAuth, timeoutMs: number): CallContext => ({
  provider: target.provider,
  timeoutMs,
  secrets: [
    ...(auth.secret === undefined ? [] : [Redacted.value(auth.secret)]),
    // Configured headers may carry credentials of their own; short values ("1", "true") are not secrets.
    ...Object.values(target.headers).filter((v) => v.length >= 8)
  ]
})

export const makeProviderClient = (): ProviderClientShape => ({
  complete: Effect.fn("ProviderClient.complete")(function* (target, auth, request, timeoutMs) {
    const adapter = adapterFor(target)
    const ctx = contextFor(target, auth, timeoutMs)
    const { value } = yield* send(ctx, adapter.buildCall(target, auth, request, false), (r) => decodeBody(ctx, adapter, r))
    return value
  }),
  stream: Effect.fn("ProviderClient.stream")(function* (target, auth, request, timeoutMs) {
    const adapter = adapterFor(target)
    const ctx = contextFor(target, auth, timeoutMs)
    const { value, controller } = yield* send(ctx, adapter.buildCall(target, auth, request, true), async (response) =>
      // A server that ignores `stream: true` answers with one JSON completion: replay it as a stream.
      (response.headers.get("content-type") ?? "").includes("application/json")
        ? { _tag: "json" as const, result: await decodeBody(ctx, adapter, response) }
        : { _tag: "sse" as const, body: response.body }
    )
    if (value._tag === "json") {
      const { content, finishReason, usage } = value.result
      const chunks: Array<ChatChunk> = content === "" ? [] : [{ delta: content }]
      return Stream.fromIterable([...chunks, { delta: "", finishReason, usage }])
    }
    if (value.body === null) return yield* unexpected(ctx, 200, "empty body")
    return sseStream(ctx, value.body, controller, adapter.streamDecoder())
  })
})

/** `Effect.provide(ProviderClientLive)`; the port itself (`ProviderClient`) stays free of HTTP code. */
export const ProviderClientLive: Layer.Layer<ProviderClient> = Layer.sync(ProviderClient, makeProviderClient)
