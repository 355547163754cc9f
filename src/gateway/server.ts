/**
 * The HTTP listener (edge): a bare node:http server. Each request goes straight to the gateway's handler
 * (./Http.ts), which runs it as one fiber on the runtime the gateway was built with. Not @effect/platform's
 * HttpServer: its request and response objects, middleware, pre-response handlers and response writer cost ~50 µs
 * of CPU on a `GET /health` and ~300 µs on a POST (bench/README.md, Gateway, "Lean path"). Shutdown stops
 * accepting, lets in-flight requests (streams included) finish, and only then closes.
 */
import * as Effect from "effect/Effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

export interface ListenOptions {
  readonly host: string
  readonly port: number
  /** How long shutdown waits for in-flight requests before closing their connections. */
  readonly drainTimeoutMs: number
}

export interface Listening {
  readonly host: string
  readonly port: number
}

/**
 * Serves one request; what it returns is called if the response is closed before it ended (the client hung up):
 * it stops the request's work (the provider call with it, §8.6).
 */
export type RequestHandler = (req: Http.IncomingMessage, res: Http.ServerResponse) => () => void

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

export const listen = (handler: RequestHandler, options: ListenOptions) =>
  Effect.gen(function* () {
    let active = 0
    let closing = false
    const idle = new Set<() => void>()
    const node = Http.createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
      active++
      if (closing) res.setHeader("connection", "close")
      const stop = handler(req, res)
      // One listener per response for both: the drain's count, and a client that hung up mid-request.
      res.on("close", () => {
        if (!res.writableEnded) stop()
        active--
        if (active === 0) idle.forEach((f) => f())
      })
    })
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
          const done = () => {
            clearInterval(sweep)
            clearTimeout(deadline)
            idle.clear()
            draining.delete(node)
            node.closeAllConnections()
            resume(Effect.void)
          }
          // A keep-alive connection becomes idle when its last response ends: close those as they appear.
          const sweep = setInterval(() => node.closeIdleConnections(), 50)
          const deadline = setTimeout(done, options.drainTimeoutMs)
          if (active === 0) return done()
          idle.add(done)
        })
    )
    const address = node.address() as AddressInfo
    return { host: options.host, port: address.port } satisfies Listening
  })
