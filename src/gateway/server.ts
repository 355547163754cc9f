/**
 * The HTTP listener (edge): a bare node:http server. Each request goes straight to the gateway's handler
 * (./Http.ts), which runs it as one fiber on the runtime the gateway was built with. Not @effect/platform's
 * HttpServer: its request and response objects, middleware, pre-response handlers and response writer cost ~50 µs
 * of CPU on a `GET /health` and ~300 µs on a POST (bench/README.md, Gateway, "Lean path"). Shutdown stops
 * accepting, lets in-flight requests (streams included) finish, and only then closes.
 */
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as Http from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { type Entry, InFlight } from "./InFlight.js"

export interface ListenOptions {
  readonly host: string
  readonly port: number
  /** How long shutdown waits for in-flight requests before closing their connections. */
  readonly drainTimeoutMs: number
  /** Client connections held at once; node closes any beyond at once (default: connectionCap()). */
  readonly maxConnections?: number | undefined
  /**
   * How long a connection may take to send a request's headers (default HEADERS_TIMEOUT_MS), and a new one to send its
   * first byte: connections that never send one would otherwise hold their place (under the cap) for good (§8.6).
   */
  readonly headersTimeoutMs?: number | undefined
}

const HEADERS_TIMEOUT_MS = 20_000

/**
 * The default for ListenOptions.maxConnections: half of what the process's open-file limit leaves after a reserve
 * (a tenth, at least 64: stores, logs, Redis, node's own), since every client connection may hold a provider
 * connection too. So a flood of idle connections costs a bounded number of descriptors, and a provider call never
 * fails for want of one (EMFILE) — which would have looked like the provider's failure (§8.6). Linux says the
 * limit in /proc; where it does not, or it is unlimited, no cap is set.
 */
export const connectionCap = (limitsText?: string): number | undefined => {
  let text = limitsText
  if (text === undefined) {
    try {
      text = fs.readFileSync("/proc/self/limits", "latin1")
    } catch {
      return undefined
    }
  }
  const soft = /^Max open files\s+(\d+)/m.exec(text)
  if (soft === null) return undefined
  const limit = Number(soft[1])
  return Math.max(8, Math.floor((limit - Math.max(64, Math.floor(limit / 10))) / 2))
}

export interface Listening {
  readonly host: string
  readonly port: number
}

/**
 * Serves one request. `stop` is called if the response is closed before it ended (the client hung up): it stops the
 * request's work (the provider call with it, §8.6). `lastWords`, when the drain at shutdown runs out of time: for a
 * stream, the error event in the client's shape that ends it — never a silent cut (§8.4); nothing for the rest.
 */
export type RequestHandler = (
  req: Http.IncomingMessage,
  res: Http.ServerResponse
) => { readonly stop: () => void; readonly lastWords: () => string | undefined }

/** What is still streaming when the drain's time is up gets its error event, then the request is stopped. */
const GRACE_MS = 250

/** The address could not be bound; `cause` is node's error (its `code`: EADDRINUSE, EACCES …). */
export class ListenError {
  readonly _tag = "ListenError"
  constructor(readonly cause: unknown) {}
}

/** Servers still draining: a second signal closes their connections at once. */
const draining = new Set<Http.Server>()
export const forceCloseConnections = (): void => {
  for (const server of draining) server.closeAllConnections()
}

/**
 * What to do for each request of a connection when it closes. A response's own "close" is not enough: requests a
 * client pipelined behind the one being answered are served at once, but their responses are queued until it is
 * their turn and never hear the socket go — their provider calls would run on for nobody (§8.6), and the drain
 * would wait for them. One listener per connection, however many requests it carries.
 */
const onSocketClose = new WeakMap<Socket, InFlight<() => void>>()
const whenClosed = (socket: Socket, f: () => void): Entry<() => void> => {
  let waiting = onSocketClose.get(socket)
  if (waiting === undefined) {
    const list = new InFlight<() => void>()
    waiting = list
    onSocketClose.set(socket, list)
    socket.once("close", () => list.forEach((g) => g()))
  }
  return waiting.add(f)
}

export const listen = (handler: RequestHandler, options: ListenOptions) =>
  Effect.gen(function* () {
    let closing = false
    const idle = new Set<() => void>()
    /** The requests being served (their count is what the drain waits on). */
    const inFlight = new InFlight<{ readonly res: Http.ServerResponse; readonly served: ReturnType<RequestHandler> }>()
    const headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS
    const untilFirstRequest = new WeakMap<Socket, ReturnType<typeof setTimeout>>()
    const node = Http.createServer({ keepAliveTimeout: 5_000, headersTimeout, connectionsCheckingInterval: Math.min(5_000, Math.ceil(headersTimeout / 4)) }, (req, res) => {
      if (closing) res.setHeader("connection", "close")
      const silent = untilFirstRequest.get(req.socket)
      if (silent !== undefined) {
        clearTimeout(silent)
        untilFirstRequest.delete(req.socket)
      }
      const served = handler(req, res)
      const entry = inFlight.add({ res, served })
      const socket = req.socket
      // Once, from whichever comes first: the response closed, or its connection did (the client hung up).
      const done = () => {
        if (!inFlight.remove(entry)) return
        onSocketClose.get(socket)?.remove(onClose)
        if (!res.writableEnded) served.stop()
        if (inFlight.size === 0) idle.forEach((f) => f())
      }
      const onClose = whenClosed(socket, done)
      res.on("close", done)
    })
    /** A stream still open when the drain's time is up: its error event (after any half-sent event), then stopped. */
    const endStreams = () => {
      inFlight.forEach(({ res, served }) => {
        const words = res.writableEnded ? undefined : served.lastWords()
        if (words === undefined) return
        res.write(`\n${words}`)
        served.stop()
      })
    }
    // Node's headersTimeout counts from a request's first byte: a connection that never sends one would stay until
    // the client drops it. Such a connection gets the same time to bring its first request. (Not a "data" listener:
    // one takes node's parser off its native read path for the connection's whole life.)
    node.on("connection", (socket: Socket) => {
      const silent = setTimeout(() => socket.destroy(), headersTimeout)
      silent.unref()
      untilFirstRequest.set(socket, silent)
      socket.once("close", () => clearTimeout(silent))
    })
    const cap = options.maxConnections ?? connectionCap()
    if (cap !== undefined) node.maxConnections = cap
    yield* Effect.acquireRelease(
      Effect.async<void, ListenError>((resume) => {
        const onError = (error: Error) => resume(Effect.fail(new ListenError(error)))
        node.once("error", onError)
        node.listen(options.port, options.host, () => {
          node.off("error", onError)
          resume(Effect.void)
        })
      }),
      () =>
        Effect.async<void>((resume) => {
          closing = true
          draining.add(node)
          node.close() // stop accepting; idle keep-alive connections are closed
          let grace: ReturnType<typeof setTimeout> | undefined
          const done = () => {
            clearInterval(sweep)
            clearTimeout(deadline)
            clearTimeout(grace)
            idle.clear()
            draining.delete(node)
            node.closeAllConnections()
            resume(Effect.void)
          }
          // A keep-alive connection becomes idle when its last response ends: close those as they appear.
          const sweep = setInterval(() => node.closeIdleConnections(), 50)
          // Time is up: streams get their error event and a moment to send it, then every connection is closed.
          const deadline = setTimeout(() => {
            endStreams()
            grace = setTimeout(done, GRACE_MS)
          }, options.drainTimeoutMs)
          if (inFlight.size === 0) return done()
          idle.add(done)
        })
    )
    const address = node.address() as AddressInfo
    return { host: options.host, port: address.port } satisfies Listening
  })
