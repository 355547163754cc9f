/**
 * The HTTP listener (edge): @effect/platform-node's server over a node:http server we keep a hand on, so that
 * shutdown can stop accepting, let in-flight requests (streams included) finish, and only then close.
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
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

/** Servers still draining: a second signal closes their connections at once. */
const draining = new Set<Http.Server>()
export const forceCloseConnections = (): void => {
  for (const server of draining) server.closeAllConnections()
}

export const listen = <R>(app: HttpApp.Default<never, R>, options: ListenOptions) =>
  Effect.gen(function* () {
    const node = Http.createServer({ keepAliveTimeout: 5_000 })
    let active = 0
    let closing = false
    const idle = new Set<() => void>()
    // Registered before the platform's handler, so it sees every request first.
    node.on("request", (_req: Http.IncomingMessage, res: Http.ServerResponse) => {
      active++
      if (closing) res.setHeader("connection", "close")
      res.on("close", () => {
        active--
        if (active === 0) idle.forEach((f) => f())
      })
    })
    const server = yield* NodeHttpServer.make(() => node, { host: options.host, port: options.port })
    // No tracer is installed, so a span per request (the platform's, and Effect.fn's in the programs) is pure cost
    // on the hot path: the handlers' fibers inherit these settings from here.
    yield* server.serve(app).pipe(HttpMiddleware.withTracerDisabledWhenEffect(() => true), Effect.withTracerEnabled(false))
    // Finalizers run last-added first: this drain runs before the platform removes its handler and closes.
    yield* Effect.addFinalizer(() =>
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
