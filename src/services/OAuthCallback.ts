import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import { CallbackPortError } from "../domain/OAuthErrors.js"
import { type CallbackParams, checkCallback } from "../domain/OAuthLogin.js"
import { serviceLayer } from "./LayerInOrder.js"

export interface CallbackListener {
  /** The port actually bound (the requested one, or the one the OS chose for port 0). */
  readonly port: number
  /** The query parameters of the first request on the callback path. */
  readonly next: Effect.Effect<CallbackParams>
}

/** The local end of the authorization-code redirect: a one-shot HTTP server on 127.0.0.1 (§7). */
export interface OAuthCallbackShape {
  /** Listens until the scope closes; `port` 0 lets the OS choose. Fails when the port is taken. */
  readonly listen: (options: {
    readonly port: number
    readonly path: string
    readonly expectedState: string
  }) => Effect.Effect<CallbackListener, CallbackPortError, Scope.Scope>
}

export class OAuthCallback extends Context.Tag("openclaw/OAuthCallback")<OAuthCallback, OAuthCallbackShape>() {
  static readonly layer = serviceLayer(OAuthCallback, Effect.succeed({ listen: (options) => listenNode(options) }))
}

const page = (title: string, text: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;line-height:1.5">` +
  `<h1 style="font-size:1.4rem">${title}</h1><p>${text}</p></body></html>`

/** What the browser shows; the terminal says the rest. Nothing from the request is echoed into the page. */
const pageFor = (params: CallbackParams, expectedState: string): { readonly status: number; readonly html: string } =>
  Either.match(checkCallback(params, expectedState), {
    onRight: () => ({ status: 200, html: page("Signed in", "openclaw received the sign-in. You can close this tab and return to the terminal.") }),
    onLeft: (r) => ({
      status: r.kind === "denied" ? 200 : 400,
      html:
        r.kind === "denied"
          ? page("Access denied", "Authorization was denied; nothing was stored. You can close this tab.")
          : r.kind === "state-mismatch"
            ? page("Sign-in rejected", "This link does not belong to the sign-in openclaw is waiting for. You can close this tab and start again in the terminal.")
            : page("Sign-in failed", "The sign-in did not complete; the terminal says why. You can close this tab.")
    })
  })

const listenNode = (options: { readonly port: number; readonly path: string; readonly expectedState: string }) =>
  Effect.gen(function* () {
    const http = yield* Effect.promise(() => import("node:http"))
    const received = yield* Deferred.make<CallbackParams>()
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1")
      if (req.method !== "GET" || url.pathname !== options.path) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\n")
        return
      }
      const params: CallbackParams = Object.fromEntries(url.searchParams)
      const { status, html } = pageFor(params, options.expectedState)
      res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", connection: "close" }).end(html)
      Deferred.unsafeDone(received, Effect.succeed(params))
    })
    const port = yield* Effect.acquireRelease(
      Effect.async<number, CallbackPortError>((resume) => {
        server.once("error", (e: NodeJS.ErrnoException) =>
          resume(Effect.fail(new CallbackPortError({ port: options.port, code: e.code ?? "error" })))
        )
        server.listen(options.port, "127.0.0.1", () => {
          const address = server.address()
          resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : options.port))
        })
      }),
      // Let the page already sent reach the browser; a connection still open a second later is cut.
      () =>
        Effect.async<void>((resume) => {
          const cut = setTimeout(() => server.closeAllConnections(), 1_000)
          cut.unref()
          server.close(() => {
            clearTimeout(cut)
            resume(Effect.void)
          })
          server.closeIdleConnections()
        })
    )
    return { port, next: Deferred.await(received) } satisfies CallbackListener
  })
