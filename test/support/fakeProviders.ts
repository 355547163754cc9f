/**
 * A fake model provider on 127.0.0.1 that speaks both API shapes the gateway calls: Anthropic Messages
 * (`POST /v1/messages`, `POST /v1/messages/count_tokens`) and OpenAI Chat Completions (`POST /chat/completions`,
 * `POST /v1/chat/completions`). It checks credentials the way the real APIs do, records every request (the body's
 * exact bytes; credentials masked in the recorded headers), and answers from a per-credential script: text or tool
 * calls (JSON or SSE in the provider's real event format, fakeProviderWire.ts), any error status with bodies shaped
 * like the real APIs', slow answers, errors mid-stream and dropped connections.
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
import { DEFAULT_TEXT, type ErrorReply, type FakeReply, errorBody, okEvents, okJson, reply, type Shape } from "./fakeProviderWire.js"
import { scaled } from "./Timing.js"

export {
  ANTHROPIC_ERRORS,
  CLAUDE_CODE_ONLY_MESSAGE,
  type DropReply,
  type ErrorReply,
  type FakeReply,
  type FakeToolCall,
  type OkReply,
  OPENAI_ERRORS,
  reply,
  type Shape
} from "./fakeProviderWire.js"

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

export interface RecordedRequest {
  /** 1-based arrival order. */
  readonly n: number
  readonly method: string
  /** Without the query string. */
  readonly path: string
  /** As requested, query string included (Claude Code asks for `/v1/messages?beta=true`). */
  readonly url: string
  readonly shape: Shape | undefined
  readonly endpoint: Endpoint | undefined
  /** Lower-case names; `x-api-key` and `authorization` values masked (`Bearer sk-ant-oat01-…wxyz`). */
  readonly headers: Readonly<Record<string, string>>
  /** Parsed JSON, or the raw text when it is not JSON. */
  readonly body: unknown
  /** The body's bytes exactly as received. */
  readonly raw: Buffer
  /** The credential received, masked; undefined when none was sent. */
  readonly credential: string | undefined
  /** Which TCP connection carried it: keep-alive reuse shows as the same number. */
  readonly connection: number
  /** `aborted`: the client closed the connection before the answer was complete. */
  outcome: "pending" | "answered" | "aborted" | "dropped"
  status: number | undefined
  /** The response body as written so far (every byte of a stream, in order). */
  answer: string
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

// ---- the server ----------------------------------------------------------------------------------------------------

export type Endpoint = "messages" | "count_tokens" | "chat_completions"

const endpointOf = (method: string, path: string): Endpoint | undefined => {
  if (method !== "POST") return undefined
  if (path === "/v1/messages") return "messages"
  if (path === "/v1/messages/count_tokens") return "count_tokens"
  if (path === "/chat/completions" || path === "/v1/chat/completions") return "chat_completions"
  return undefined
}

const shapeOf = (endpoint: Endpoint | undefined): Shape | undefined =>
  endpoint === undefined ? undefined : endpoint === "chat_completions" ? "openai" : "anthropic"

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
      record.answer = body
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
    if (record.endpoint === "count_tokens") return send(200, requestId, JSON.stringify({ input_tokens: r.usage?.input ?? 12 }))
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
      record.answer += bytes.toString("utf8")
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
      const bytes = Buffer.concat(pieces)
      const text = bytes.toString("utf8")
      let body: unknown = text
      try {
        body = JSON.parse(text)
      } catch {
        // recorded as text
      }
      const url = req.url ?? "/"
      const path = url.split("?")[0] ?? "/"
      const endpoint = endpointOf(req.method ?? "", path)
      const raw = credentialOf(req)
      if (raw !== undefined) countByCredential.set(raw, (countByCredential.get(raw) ?? 0) + 1)
      const record: RecordedRequest = {
        n: requests.length + 1,
        method: req.method ?? "",
        path,
        url,
        shape: shapeOf(endpoint),
        endpoint,
        headers: maskHeaders(req),
        body,
        raw: bytes,
        credential: raw === undefined ? undefined : maskSecret(raw),
        connection: connectionIds.get(req.socket) ?? 0,
        outcome: "pending",
        status: undefined,
        answer: ""
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
