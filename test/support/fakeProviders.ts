/**
 * A fake model provider on 127.0.0.1 that speaks both API shapes the gateway calls: Anthropic Messages
 * (`POST /v1/messages`) and OpenAI Chat Completions (`POST /chat/completions`, `POST /v1/chat/completions`).
 * It checks credentials the way the real APIs do, records every request (secrets masked), and answers from a
 * per-credential script: success (JSON or SSE in the provider's real event format), any error status with bodies
 * shaped like the real APIs', slow answers, errors mid-stream and dropped connections.
 *
 *   const fake = await startFakeProvider({ credentials: { anthropic: { apiKeys: [KEY], tokens: [TOKEN] } } })
 *   fake.script(KEY, [reply.rateLimited(30), reply.ok("hi")])   // or fake.script("*", …) for every credential
 *   … call `${fake.url}` …; fake.requests; fake.count; await fake.close()
 *
 * In Effect tests: `const fake = yield* fakeProvider(options)` (closed with the test's scope).
 */
import * as Effect from "effect/Effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { maskSecret } from "../../src/domain/Mask.js"
import { scaled } from "./Timing.js"

export type Shape = "anthropic" | "openai"

export interface FakeCredentials {
  /** Absent: any credential (or none) is accepted for Anthropic requests. */
  readonly anthropic?: {
    /** Valid in `x-api-key`. */
    readonly apiKeys?: ReadonlyArray<string>
    /** Valid as `Authorization: Bearer` together with `anthropic-beta: oauth-2025-04-20`. */
    readonly tokens?: ReadonlyArray<string>
  }
  /** Absent: any credential (or none) is accepted for OpenAI requests. Valid as `Authorization: Bearer`. */
  readonly openai?: { readonly apiKeys?: ReadonlyArray<string> }
}

export interface FakeProviderOptions {
  readonly credentials?: FakeCredentials
  /** The text of a default 200 answer. */
  readonly text?: string
}

interface Timing {
  /** Wait this long before answering (the client's timeout or interruption can strike meanwhile). */
  readonly delayMs?: number
}

export interface OkReply extends Timing {
  readonly kind: "ok"
  /** Answer text; an array becomes several text blocks (Anthropic) / is joined (OpenAI). */
  readonly text?: string | ReadonlyArray<string>
  /** Streaming: the deltas, or how many pieces to cut the text into (default 3). */
  readonly chunks?: number | ReadonlyArray<string>
  /** The provider's own value (`end_turn`, `max_tokens`, `tool_use`… / `stop`, `length`, `tool_calls`…). */
  readonly stopReason?: string
  readonly usage?: { readonly input: number; readonly output: number }
  /** Streaming: after this many deltas send the provider's error event and end the body. */
  readonly errorAfterChunks?: number
  readonly streamError?: { readonly type: string; readonly message: string }
  /** Streaming: after this many deltas destroy the socket. */
  readonly dropAfterChunks?: number
  /** Streaming: after this many deltas end the body cleanly, without the provider's end marker. */
  readonly endAfterChunks?: number
  /** Answer with one JSON completion even when the request asked for a stream (as some servers do). */
  readonly ignoreStream?: boolean
  /** Streaming: pause after each delta event. */
  readonly chunkDelayMs?: number
  /** Streaming: CRLF line ends instead of LF. */
  readonly crlf?: boolean
  /** Streaming: write the body in pieces of this many bytes (splitting lines, and UTF-8 characters, anywhere). */
  readonly fragmentBytes?: number
}

export interface ErrorReply extends Timing {
  readonly kind: "error"
  readonly status: number
  /** Default: what the real API says for this status. `{credential}` is replaced by the raw credential received. */
  readonly message?: string
  /** The error type (Anthropic `error.type`, OpenAI `error.type`); default per status. */
  readonly type?: string
  /** `Retry-After` header value: seconds or an HTTP date. */
  readonly retryAfter?: string | number
  /** A raw body instead of the provider-shaped JSON (an HTML error page from a proxy, say). */
  readonly rawBody?: string
}

export interface DropReply extends Timing {
  readonly kind: "drop"
}

export type FakeReply = OkReply | ErrorReply | DropReply

export const CLAUDE_CODE_ONLY_MESSAGE =
  "This credential is only authorized for use with Claude Code and cannot be used for other API requests."

export const reply = {
  ok: (text?: string | ReadonlyArray<string>, options: Omit<OkReply, "kind" | "text"> = {}): OkReply => ({
    kind: "ok",
    ...(text === undefined ? {} : { text }),
    ...options
  }),
  error: (status: number, options: Omit<ErrorReply, "kind" | "status"> = {}): ErrorReply => ({ kind: "error", status, ...options }),
  rateLimited: (retryAfter: string | number = 30): ErrorReply => ({ kind: "error", status: 429, retryAfter }),
  overloaded: (): ErrorReply => ({ kind: "error", status: 529 }),
  claudeCodeOnly: (): ErrorReply => ({ kind: "error", status: 400, message: CLAUDE_CODE_ONLY_MESSAGE }),
  /** An error body that echoes the credential back, as a careless provider or proxy might. */
  echoCredential: (status = 401): ErrorReply => ({ kind: "error", status, message: "Invalid credential {credential} for this endpoint" }),
  slow: (delayMs: number, then: FakeReply = { kind: "ok" }): FakeReply => ({ ...then, delayMs }),
  drop: (): DropReply => ({ kind: "drop" })
} as const

export interface RecordedRequest {
  /** 1-based arrival order. */
  readonly n: number
  readonly method: string
  readonly path: string
  readonly shape: Shape | undefined
  /** Lower-case names; `x-api-key` and `authorization` values masked (`Bearer sk-ant-oat01-…wxyz`). */
  readonly headers: Readonly<Record<string, string>>
  /** Parsed JSON, or the raw text when it is not JSON. */
  readonly body: unknown
  /** The credential received, masked; undefined when none was sent. */
  readonly credential: string | undefined
  /** Which TCP connection carried it: keep-alive reuse shows as the same number. */
  readonly connection: number
  /** `aborted`: the client closed the connection before the answer was complete. */
  outcome: "pending" | "answered" | "aborted" | "dropped"
  status: number | undefined
}

export interface FakeProvider {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string
  /** Queue answers for requests made with this raw credential, or `"*"` for any; used before the default 200. */
  readonly script: (credential: string, replies: ReadonlyArray<FakeReply>) => void
  readonly requests: ReadonlyArray<RecordedRequest>
  readonly count: number
  /** Requests made with this raw credential. */
  readonly countFor: (credential: string) => number
  /** Resolves once `predicate` holds (checked after every request event); rejects after `timeoutMs`. */
  readonly waitFor: (predicate: (fake: FakeProvider) => boolean, timeoutMs?: number) => Promise<void>
  /** Forget scripts and recorded requests. */
  readonly reset: () => void
  /** Stops listening and destroys every open connection. */
  readonly close: () => Promise<void>
}

// ---- the real APIs' error bodies ----------------------------------------------------------------------------------

export const ANTHROPIC_ERRORS: Readonly<Record<number, readonly [string, string]>> = {
  400: ["invalid_request_error", "messages: at least one message is required"],
  401: ["authentication_error", "invalid x-api-key"],
  402: ["billing_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."],
  403: ["permission_error", "Your API key does not have permission to use the specified resource."],
  404: ["not_found_error", "Not found"],
  413: ["request_too_large", "Request exceeds the maximum allowed number of bytes."],
  429: ["rate_limit_error", "This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits."],
  500: ["api_error", "Internal server error"],
  529: ["overloaded_error", "Overloaded"]
}

export const OPENAI_ERRORS: Readonly<Record<number, readonly [string, string, string | number | null]>> = {
  400: ["invalid_request_error", "Invalid request: 'messages' is a required property.", null],
  401: ["invalid_request_error", "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_api_key"],
  402: ["insufficient_credits", "Insufficient credits. Add more using https://openrouter.ai/settings/credits", 402],
  403: ["invalid_request_error", "You are not allowed to sample from this model", null],
  404: ["invalid_request_error", "The model does not exist or you do not have access to it.", "model_not_found"],
  429: ["requests", "Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.", "rate_limit_exceeded"],
  500: ["server_error", "The server had an error while processing your request. Sorry about that!", null],
  503: ["server_error", "The engine is currently overloaded, please try again later", null],
  529: ["server_error", "The engine is currently overloaded, please try again later", null]
}

const errorBody = (shape: Shape, status: number, message?: string, type?: string): string => {
  if (shape === "anthropic") {
    const [t, m] = ANTHROPIC_ERRORS[status] ?? ["api_error", "Internal server error"]
    return JSON.stringify({ type: "error", error: { type: type ?? t, message: message ?? m }, request_id: "req_fake" })
  }
  const [t, m, code] = OPENAI_ERRORS[status] ?? ["server_error", "Internal server error", null]
  return JSON.stringify({ error: { message: message ?? m, type: type ?? t, param: null, code } })
}

// ---- success bodies and event streams ------------------------------------------------------------------------------

const DEFAULT_TEXT = "Hello from the fake provider."

const deltasOf = (r: OkReply, text: string): ReadonlyArray<string> => {
  if (Array.isArray(r.chunks)) return r.chunks as ReadonlyArray<string>
  const n = Math.max(1, typeof r.chunks === "number" ? r.chunks : 3)
  const size = Math.ceil(text.length / n)
  return Array.from({ length: n }, (_, i) => text.slice(i * size, (i + 1) * size))
}

const okJson = (shape: Shape, r: OkReply, model: string, n: number, defaultText: string): string => {
  const parts = typeof r.text === "string" ? [r.text] : (r.text ?? [defaultText])
  const usage = r.usage ?? { input: 12, output: 7 }
  if (shape === "anthropic") {
    return JSON.stringify({
      id: `msg_fake_${n}`,
      type: "message",
      role: "assistant",
      model,
      content: parts.map((text) => ({ type: "text", text })),
      stop_reason: r.stopReason ?? "end_turn",
      stop_sequence: null,
      usage: { input_tokens: usage.input, output_tokens: usage.output }
    })
  }
  return JSON.stringify({
    id: `chatcmpl-fake-${n}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: parts.join(""), refusal: null }, logprobs: null, finish_reason: r.stopReason ?? "stop" }],
    usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output }
  })
}

/** An event as framed on the wire; `delta` events are followed by `chunkDelayMs`. */
type Sse = { readonly text: string; readonly delta?: true } | { readonly drop: true }

/** The events of a streamed answer, exactly as the provider frames them. */
const okEvents = (shape: Shape, r: OkReply, model: string, n: number, defaultText: string, includeUsage: boolean): Array<Sse> => {
  const text = typeof r.text === "string" ? r.text : (r.text ?? [defaultText]).join("")
  const deltas = deltasOf(r, text)
  const usage = r.usage ?? { input: 12, output: 7 }
  const out: Array<Sse> = []
  const push = (text: string) => out.push({ text })
  const ev = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
  const cut = (i: number): boolean => {
    if (r.dropAfterChunks === i) out.push({ drop: true })
    else if (r.endAfterChunks === i) return true
    else if (r.errorAfterChunks === i) {
      const e = r.streamError ?? { type: shape === "anthropic" ? "overloaded_error" : "server_error", message: "Overloaded" }
      out.push({ text: shape === "anthropic" ? ev("error", { type: "error", error: e }) : `data: ${JSON.stringify({ error: { ...e, param: null, code: null } })}\n\n` })
    } else return false
    return true
  }
  if (shape === "anthropic") {
    push(ev("message_start", {
      type: "message_start",
      message: { id: `msg_fake_${n}`, type: "message", role: "assistant", content: [], model, stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input, output_tokens: 1 } }
    }))
    push(ev("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }))
    push(ev("ping", { type: "ping" }))
    for (let i = 0; i < deltas.length; i++) {
      if (cut(i)) return out
      out.push({ text: ev("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: deltas[i] } }), delta: true })
    }
    if (cut(deltas.length)) return out
    push(ev("content_block_stop", { type: "content_block_stop", index: 0 }))
    push(ev("message_delta", { type: "message_delta", delta: { stop_reason: r.stopReason ?? "end_turn", stop_sequence: null }, usage: { output_tokens: usage.output } }))
    push(ev("message_stop", { type: "message_stop" }))
    return out
  }
  const base = { id: `chatcmpl-fake-${n}`, object: "chat.completion.chunk", created: 1_700_000_000, model, system_fingerprint: "fp_fake" }
  const chunk = (delta: unknown, finish: string | null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) })}\n\n`
  push(chunk({ role: "assistant", content: "", refusal: null }, null))
  push(": keep-alive\n\n") // OpenRouter sends comments while it waits
  for (let i = 0; i < deltas.length; i++) {
    if (cut(i)) return out
    out.push({ text: chunk({ content: deltas[i] }, null), delta: true })
  }
  if (cut(deltas.length)) return out
  push(chunk({}, r.stopReason ?? "stop"))
  if (includeUsage) {
    const u = { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output }
    push(`data: ${JSON.stringify({ ...base, choices: [], usage: u })}\n\n`)
  }
  push("data: [DONE]\n\n")
  return out
}

// ---- the server ----------------------------------------------------------------------------------------------------

const shapeOf = (method: string, path: string): Shape | undefined => {
  if (method !== "POST") return undefined
  if (path === "/v1/messages") return "anthropic"
  if (path === "/chat/completions" || path === "/v1/chat/completions") return "openai"
  return undefined
}

const bearer = (value: string | undefined): string | undefined => /^Bearer\s+(.+)$/i.exec(value ?? "")?.[1]?.trim()

/** What the real API answers when the credential is not good: undefined when it is. */
const authFailure = (shape: Shape, req: IncomingMessage, credentials: FakeCredentials): ErrorReply | undefined => {
  const h = req.headers
  if (shape === "anthropic") {
    if (h["anthropic-version"] === undefined) return reply.error(400, { message: "anthropic-version: header is required" })
    const valid = credentials.anthropic
    if (valid === undefined) return undefined
    const key = typeof h["x-api-key"] === "string" ? h["x-api-key"] : undefined
    const token = bearer(h.authorization)
    if (key !== undefined) return valid.apiKeys?.includes(key) ? undefined : reply.error(401, { message: "invalid x-api-key" })
    if (token !== undefined) {
      if (!valid.tokens?.includes(token)) return reply.error(401, { message: "Invalid bearer token" })
      const betas = String(h["anthropic-beta"] ?? "").split(",").map((b) => b.trim())
      return betas.includes("oauth-2025-04-20") ? undefined : reply.error(401, { message: "OAuth authentication is currently not supported." })
    }
    return reply.error(401, { message: "x-api-key header is required" })
  }
  const valid = credentials.openai
  if (valid === undefined) return undefined
  const key = bearer(h.authorization)
  if (key === undefined) {
    return reply.error(401, {
      message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      type: "invalid_request_error"
    })
  }
  if (valid.apiKeys?.includes(key)) return undefined
  return reply.error(401, {
    message: `Incorrect API key provided: ${maskSecret(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`
  })
}

const credentialOf = (req: IncomingMessage): string | undefined => {
  const key = req.headers["x-api-key"]
  return typeof key === "string" ? key : bearer(req.headers.authorization)
}

const maskHeaders = (req: IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    const v = Array.isArray(value) ? value.join(", ") : (value ?? "")
    if (name === "x-api-key") out[name] = maskSecret(v)
    else if (name === "authorization") out[name] = v.replace(/^(Bearer\s+)?(.*)$/i, (_, b: string | undefined, s: string) => `${b ?? ""}${maskSecret(s)}`)
    else out[name] = v
  }
  return out
}

export const startFakeProvider = async (options: FakeProviderOptions = {}): Promise<FakeProvider> => {
  const credentials = options.credentials ?? {}
  const defaultText = options.text ?? DEFAULT_TEXT
  const scripts = new Map<string, Array<FakeReply>>()
  const countByCredential = new Map<string, number>()
  let requests: Array<RecordedRequest> = []
  const sockets = new Set<Socket>()
  const connectionIds = new WeakMap<Socket, number>()
  let connections = 0
  const timers = new Set<NodeJS.Timeout>()
  const waiters = new Set<{ check: () => boolean; done: () => void }>()
  const notify = () => {
    for (const w of waiters) if (w.check()) w.done()
  }

  const pause = (ms: number, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return void setImmediate(resolve)
      const finish = () => {
        clearTimeout(timer)
        timers.delete(timer)
        res.off("close", finish)
        resolve()
      }
      const timer = setTimeout(finish, ms)
      timers.add(timer)
      res.once("close", finish)
    })

  const nextReply = (credential: string | undefined): FakeReply => {
    const own = credential === undefined ? undefined : scripts.get(credential)
    return own?.shift() ?? scripts.get("*")?.shift() ?? { kind: "ok" }
  }

  const serve = async (req: IncomingMessage, res: ServerResponse, record: RecordedRequest, raw: string | undefined) => {
    const shape = record.shape
    const send = (status: number, headers: Record<string, string>, body: string) => {
      record.status = status
      res.writeHead(status, { "content-type": "application/json", ...headers })
      res.end(body)
    }
    if (shape === undefined) return send(404, {}, JSON.stringify({ error: { message: `Unknown request URL: ${req.method} ${record.path}`, type: "invalid_request_error" } }))
    const body = record.body as { model?: unknown; stream?: unknown; stream_options?: { include_usage?: unknown } } | string
    if (typeof body !== "object" || body === null) return send(400, {}, errorBody(shape, 400, "There was an error parsing the body"))
    const denied = authFailure(shape, req, credentials)
    const r = denied ?? nextReply(raw)
    if (r.delayMs !== undefined && r.delayMs > 0) await pause(r.delayMs, res)
    if (res.destroyed) return
    const requestId = shape === "anthropic" ? { "request-id": `req_fake_${record.n}` } : { "x-request-id": `req_fake_${record.n}` }
    if (r.kind === "drop") {
      record.outcome = "dropped"
      req.socket.destroy()
      return
    }
    if (r.kind === "error") {
      const retry = r.retryAfter === undefined ? {} : { "retry-after": String(r.retryAfter) }
      const message = r.message?.split("{credential}").join(raw ?? "")
      if (r.rawBody !== undefined) return send(r.status, { ...requestId, ...retry, "content-type": "text/html" }, r.rawBody)
      return send(r.status, { ...requestId, ...retry }, errorBody(shape, r.status, message, r.type))
    }
    const model = typeof body.model === "string" ? body.model : "fake-model"
    if (body.stream !== true || r.ignoreStream === true) return send(200, requestId, okJson(shape, r, model, record.n, defaultText))
    record.status = 200
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...requestId })
    const events = okEvents(shape, r, model, record.n, defaultText, body.stream_options?.include_usage === true)
    for (const event of events) {
      if (res.destroyed) return
      if (!("text" in event)) {
        // Let what was written reach the client first: a drop, not a lost write.
        await new Promise<void>((resolve) => res.write("", () => resolve()))
        await pause(20, res)
        record.outcome = "dropped"
        req.socket.destroy()
        return
      }
      const bytes = Buffer.from(r.crlf === true ? event.text.replace(/\n/g, "\r\n") : event.text, "utf8")
      const size = r.fragmentBytes ?? bytes.length
      for (let i = 0; i < bytes.length; i += size) {
        res.write(bytes.subarray(i, i + size))
        if (r.fragmentBytes !== undefined) await pause(0, res)
      }
      if (event.delta === true && r.chunkDelayMs !== undefined) await pause(r.chunkDelayMs, res)
    }
    res.end()
  }

  const server = createServer((req, res) => {
    const pieces: Array<Buffer> = []
    req.on("data", (b: Buffer) => pieces.push(b))
    req.on("end", () => {
      const text = Buffer.concat(pieces).toString("utf8")
      let body: unknown = text
      try {
        body = JSON.parse(text)
      } catch {
        // recorded as text
      }
      const path = (req.url ?? "/").split("?")[0] ?? "/"
      const raw = credentialOf(req)
      if (raw !== undefined) countByCredential.set(raw, (countByCredential.get(raw) ?? 0) + 1)
      const record: RecordedRequest = {
        n: requests.length + 1,
        method: req.method ?? "",
        path,
        shape: shapeOf(req.method ?? "", path),
        headers: maskHeaders(req),
        body,
        credential: raw === undefined ? undefined : maskSecret(raw),
        connection: connectionIds.get(req.socket) ?? 0,
        outcome: "pending",
        status: undefined
      }
      requests.push(record)
      res.on("close", () => {
        if (record.outcome === "pending") record.outcome = res.writableFinished ? "answered" : "aborted"
        notify()
      })
      notify()
      serve(req, res, record, raw).catch(() => res.destroy())
    })
  })
  server.on("connection", (socket) => {
    connectionIds.set(socket, ++connections)
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const { port } = server.address() as AddressInfo

  const fake: FakeProvider = {
    url: `http://127.0.0.1:${port}`,
    script: (credential, replies) => scripts.set(credential, [...(scripts.get(credential) ?? []), ...replies]),
    get requests() {
      return requests
    },
    get count() {
      return requests.length
    },
    countFor: (credential) => countByCredential.get(credential) ?? 0,
    waitFor: (predicate, timeoutMs = scaled(5_000)) =>
      new Promise<void>((resolve, reject) => {
        if (predicate(fake)) return resolve()
        const waiter = {
          check: () => predicate(fake),
          done: () => {
            clearTimeout(timer)
            waiters.delete(waiter)
            resolve()
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`fake provider: condition not met within ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.add(waiter)
      }),
    reset: () => {
      scripts.clear()
      countByCredential.clear()
      requests = []
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t)
        timers.clear()
        server.close(() => resolve())
        server.closeAllConnections()
        for (const s of sockets) s.destroy()
      })
  }
  return fake
}

/** The fake for the length of an Effect scope. */
export const fakeProvider = (options: FakeProviderOptions = {}) =>
  Effect.acquireRelease(Effect.promise(() => startFakeProvider(options)), (fake) => Effect.promise(() => fake.close()))

/** A port on 127.0.0.1 with nothing listening (bound once, then released). */
export const closedPort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
