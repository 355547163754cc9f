/**
 * The wire under the provider client: one POST over node:http(s) with keep-alive agents. Not `fetch`: on Node 20
 * undici's fetch costs ~0.5 ms of CPU per call in WHATWG streams and spec bookkeeping, which was the largest
 * part of what the gateway added to a request (bench/README.md, Gateway).
 *
 * The OAuth token endpoint (../OAuthHttp.ts) is called over it as well.
 *
 * node:http and node:https load on the first call, so a CLI command that never calls a provider never loads them.
 */
import type * as NodeHttp from "node:http"
import type * as NodeHttps from "node:https"
import { urlToHttpOptions } from "node:url"
import { putHeaders } from "../../domain/Headers.js"

export interface Post {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A response whose headers arrived; `body` is still to be read (or `abort`ed). */
export interface Answer {
  readonly status: number
  /** The reason phrase the server sent, else Node's for the status; empty for one Node does not know (529). */
  readonly statusText: string
  readonly header: (name: string) => string | undefined
  readonly body: NodeHttp.IncomingMessage
}

export interface Sent {
  /** Closes the connection, whatever the request is doing; idempotent. */
  readonly abort: () => void
}

export interface Net {
  readonly http: typeof NodeHttp
  readonly https: typeof NodeHttps
  readonly agents: { readonly "http:": NodeHttp.Agent; readonly "https:": NodeHttps.Agent }
}

let net: Net | undefined
let loading: Promise<Net> | undefined

/** Loads node:http(s) and makes the keep-alive agents, once per process. */
export const loadNet = (): Promise<Net> =>
  (loading ??= Promise.all([import("node:http"), import("node:https")]).then(([http, https]) => {
    const options = { keepAlive: true, scheduling: "lifo" as const, maxFreeSockets: 256 }
    net = { http, https, agents: { "http:": new http.Agent(options), "https:": new https.Agent(options) } }
    return net
  }))

/** Ready when `loadNet` has resolved; the client awaits that once before its first call. */
export const netLoaded = (): Net | undefined => net

/** The request options of a URL but its headers: a gateway calls a handful of URLs over and over, parse each once. */
type Base = NodeHttp.RequestOptions & { readonly secure: boolean }
const bases = new Map<string, Base>()
const baseOf = (n: Net, url: string): Base => {
  let base = bases.get(url)
  if (base === undefined) {
    const { protocol, hostname, port, path, auth } = urlToHttpOptions(new URL(url))
    if (protocol !== "http:" && protocol !== "https:") throw Object.assign(new TypeError("not an http(s) URL"), { code: "ERR_INVALID_URL" })
    // Never sent, and never quoted: a password in a base URL is a secret in the config.
    if (auth) throw Object.assign(new TypeError("credentials in the URL"), { code: "ERR_URL_CREDENTIALS" })
    const secure = protocol === "https:"
    base = { secure, protocol: secure ? "https:" : "http:", hostname, port, path, method: "POST", agent: n.agents[secure ? "https:" : "http:"] }
    if (bases.size >= 256) bases.clear()
    bases.set(url, base)
  }
  return base
}

const isStaleSocket = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code
  return code === "ECONNRESET" || code === "EPIPE"
}

/**
 * POSTs `call`: `onAnswer` when the headers are in, `onError` when it fails (also after an answer, if the
 * connection breaks mid-body: the caller settles once); nothing after `abort`. Callbacks rather than promises:
 * this runs once per proxied request. A keep-alive socket the server closed while it sat idle fails with
 * ECONNRESET before any answer; that request never reached the server, so it is sent once more on a new
 * connection (what Node's documentation advises with `request.reusedSocket`). Anything else is the caller's to
 * classify.
 */
export const post = (n: Net, call: Post, onAnswer: (answer: Answer) => void, onError: (error: unknown) => void): Sent => {
  let current: NodeHttp.ClientRequest | undefined
  let aborted = false
  const attempt = (retried: boolean): void => {
    let req: NodeHttp.ClientRequest
    try {
      const base = baseOf(n, call.url)
      const headers: Record<string, string> = {}
      putHeaders(headers, call.headers)
      headers["content-length"] = String(Buffer.byteLength(call.body))
      const options = { protocol: base.protocol, hostname: base.hostname, port: base.port, path: base.path, method: "POST", agent: base.agent, headers }
      req = base.secure ? n.https.request(options) : n.http.request(options)
    } catch (error) {
      // An invalid URL, or a header value node:http refuses to send.
      return onError(error)
    }
    current = req
    req.on("response", (res) =>
      onAnswer({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage || n.http.STATUS_CODES[res.statusCode ?? 0] || "",
        header: (name) => {
          const v = res.headers[name]
          return Array.isArray(v) ? v[0] : v
        },
        body: res
      })
    )
    req.on("error", (error) => {
      if (aborted) return
      if (!retried && req.reusedSocket && isStaleSocket(error)) attempt(true)
      else onError(error)
    })
    req.end(call.body)
  }
  attempt(false)
  return {
    abort: () => {
      if (aborted) return
      aborted = true
      current?.destroy()
    }
  }
}
