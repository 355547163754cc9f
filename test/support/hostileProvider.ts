/**
 * A hostile model provider on 127.0.0.1 (port 0): it answers the way a broken or malicious provider might (bodies of
 * hundreds of MB, a stream without a newline, bytes dripped forever, no answer at all) and counts the requests still
 * open, so a test can prove that the gateway let go of them (§8.6, §11).
 *
 *   const hostile = await startHostileProvider()
 *   const baseUrl = hostile.baseUrl(modes.hugeBody({ bytes: 1 << 30 }))   // models.providers.<p>.baseUrl
 *   … hostile.open, hostile.received, await hostile.waitFor((h) => h.open === 0); await hostile.close()
 *
 * A behaviour is a `Mode`; `baseUrl(mode)` registers it under a fresh first path segment, and every request below
 * that base (`/v1/messages`, `/chat/completions`, …) is answered by it, so one server can play several providers at
 * once. To add a behaviour, add a function to `modes` that writes to `ctx.res`; `ctx.shape` says which API the
 * request was for and `ctx.json` is its parsed body.
 *
 * Bodies are produced lazily: `pump` writes pieces taken one at a time from a generator and waits for 'drain', so
 * a 1 GB answer never exists in this server's memory, and it stops as soon as the client goes away.
 */
import * as Effect from "effect/Effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { scaled } from "./Timing.js"

export type Shape = "anthropic" | "openai"

export interface ModeContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** The request path below the mode's base, e.g. `/v1/messages`. */
  readonly path: string
  readonly shape: Shape
  /** The request body as JSON (undefined when it is not JSON). */
  readonly json: any
}

export type Mode = (ctx: ModeContext) => void

export interface HostileProvider {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** A base URL whose requests `mode` answers. */
  readonly baseUrl: (mode: Mode) => string
  /** Requests received so far. */
  readonly received: number
  /** Requests whose connection is still open (neither answered in full nor closed by the client). */
  readonly open: number
  /** Resolves once `predicate` holds (checked every 10 ms); rejects after `timeoutMs` (default 10 s, scaled to the machine). */
  readonly waitFor: (predicate: (h: HostileProvider) => boolean, timeoutMs?: number, what?: string) => Promise<void>
  /** Stops listening and destroys every connection. */
  readonly close: () => Promise<void>
}

// ---- lazy bodies ------------------------------------------------------------------------------------------------------

const PIECE = 64 * 1024
const FILL = Buffer.alloc(PIECE, "a")

/** `bytes` bytes of `fill` (64 KiB of `a` by default), one shared piece at a time. */
export function* repeated(bytes: number, fill: Buffer = FILL): Generator<Buffer> {
  for (let left = bytes; left > 0; left -= fill.length) yield left >= fill.length ? fill : fill.subarray(0, left)
}

/** `head`, then `bytes` of filler, then `tail`. */
export function* framed(head: string, bytes: number, tail = "", fill?: Buffer): Generator<Buffer | string> {
  yield head
  yield* repeated(bytes, fill)
  if (tail !== "") yield tail
}

/** Writes what `pieces` yields, honouring backpressure; ends the response when they run out; stops when the client goes. */
export const pump = (res: ServerResponse, pieces: Iterator<Buffer | string>): void => {
  const write = (): void => {
    while (!res.destroyed) {
      const next = pieces.next()
      if (next.done === true) return void res.end()
      if (!res.write(next.value)) return void res.once("drain", write)
    }
  }
  write()
}

// ---- modes --------------------------------------------------------------------------------------------------------------

/** The start and end of a completion whose text is the filler, in the API shape asked for. */
const completionFrame = (shape: Shape): readonly [string, string] =>
  shape === "anthropic"
    ? ['{"id":"msg_hostile","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"', '"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}']
    : ['{"id":"chatcmpl-hostile","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"', '"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}']

const errorFrame = (shape: Shape): readonly [string, string] =>
  shape === "anthropic" ? ['{"type":"error","error":{"type":"api_error","message":"', '"}}'] : ['{"error":{"type":"server_error","message":"', '"}}']

const sseHeaders = (res: ServerResponse): void => {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
  res.flushHeaders()
}

export const modes = {
  /**
   * A JSON body of about `bytes` bytes (a completion for 2xx, the API's error object otherwise) whose text is the
   * filler; complete and well-formed if anyone reads it all. `declareLength` sends Content-Length.
   */
  hugeBody:
    (options: { readonly bytes: number; readonly status?: number; readonly declareLength?: boolean }): Mode =>
    ({ res, shape }) => {
      const status = options.status ?? 200
      const [head, tail] = status >= 200 && status < 300 ? completionFrame(shape) : errorFrame(shape)
      const fill = Math.max(0, options.bytes - head.length - tail.length)
      res.writeHead(status, {
        "content-type": "application/json",
        ...(options.declareLength === true ? { "content-length": String(head.length + fill + tail.length) } : {})
      })
      pump(res, framed(head, fill, tail))
    },

  /** An event stream that is one `data:` line of `bytes` bytes with no newline, then the end of the body. */
  noNewlines:
    (options: { readonly bytes: number }): Mode =>
    ({ res }) => {
      sseHeaders(res)
      pump(res, framed("data: ", options.bytes))
    },

  /** An event stream that sends `piece` (no newline by default) every `intervalMs`, forever. */
  drip:
    (options: { readonly intervalMs?: number; readonly piece?: string } = {}): Mode =>
    ({ res }) => {
      sseHeaders(res)
      const timer = setInterval(() => res.write(options.piece ?? "x"), options.intervalMs ?? 50)
      res.on("close", () => clearInterval(timer))
    },

  /** Never answers; a streaming request gets its event-stream headers first, then nothing. */
  hold: (): Mode => ({ res, json }) => {
    if (json?.stream === true) sseHeaders(res)
  }
} as const

// ---- the server ---------------------------------------------------------------------------------------------------------

const MAX_REQUEST_BODY = 1024 * 1024

export const startHostileProvider = async (): Promise<HostileProvider> => {
  const registered = new Map<string, Mode>()
  const sockets = new Set<Socket>()
  let received = 0
  let open = 0

  const server = createServer((req, res) => {
    received++
    open++
    res.once("close", () => open--)
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (b: Buffer) => {
      size += b.length
      if (size <= MAX_REQUEST_BODY) chunks.push(b)
    })
    req.on("end", () => {
      const url = req.url ?? "/"
      const slash = url.indexOf("/", 1)
      const mode = registered.get(slash === -1 ? url.slice(1) : url.slice(1, slash))
      if (mode === undefined) return void res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"no such mode"}}')
      const path = slash === -1 ? "/" : url.slice(slash)
      let json: unknown
      try {
        json = JSON.parse(Buffer.concat(chunks).toString("utf8"))
      } catch {
        json = undefined
      }
      mode({ req, res, path, shape: path.endsWith("/messages") ? "anthropic" : "openai", json })
    })
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const self: HostileProvider = {
    url,
    baseUrl: (mode) => {
      const id = `m${registered.size + 1}`
      registered.set(id, mode)
      return `${url}/${id}`
    },
    get received() {
      return received
    },
    get open() {
      return open
    },
    waitFor: async (predicate, timeoutMs = scaled(10_000), what = "the hostile provider's condition") => {
      const until = Date.now() + timeoutMs
      while (!predicate(self)) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what} (received ${received}, open ${open})`)
        await new Promise((r) => setTimeout(r, 10))
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
  }
  return self
}

/** In Effect tests: closed with the test's scope. */
export const hostileProvider = Effect.acquireRelease(Effect.promise(startHostileProvider), (h) => Effect.promise(() => h.close()))
