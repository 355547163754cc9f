/**
 * The wire under the provider client: one POST over node:http(s) with keep-alive agents. Not `fetch`: on Node 20
 * undici's fetch costs ~0.5 ms of CPU per call in WHATWG streams and spec bookkeeping, which was the largest
 * part of what the gateway added to a request (bench/README.md, Gateway).
 *
 * node:http and node:https load on the first call, so a CLI command that never calls a provider never loads them.
 */
import type * as NodeHttp from "node:http"
import type * as NodeHttps from "node:https"
import { urlToHttpOptions } from "node:url"

export interface Post {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A response whose headers arrived; `body` is still to be read (or `abort`ed). */
export interface Answer {
  readonly status: number
  readonly statusText: string
  readonly header: (name: string) => string | undefined
  readonly body: NodeHttp.IncomingMessage
}

export interface Sent {
  /** Headers in, or the request failed (the error is the socket's, untouched: see `failure` in ProviderClientLive). */
  readonly answer: Promise<Answer>
  /** Closes the connection, whatever the request is doing; idempotent. */
  readonly abort: (reason?: Error) => void
}

interface Net {
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

/** A gateway calls a handful of URLs over and over: parse each once. */
const urls = new Map<string, ReturnType<typeof urlToHttpOptions>>()
const parsed = (url: string): ReturnType<typeof urlToHttpOptions> => {
  let options = urls.get(url)
  if (options === undefined) {
    options = urlToHttpOptions(new URL(url))
    if (urls.size >= 256) urls.clear()
    urls.set(url, options)
  }
  return options
}

const isStaleSocket = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code
  return code === "ECONNRESET" || code === "EPIPE"
}

/**
 * POSTs `call`. A keep-alive socket the server closed while it sat idle fails with ECONNRESET before any answer;
 * that request never reached the server, so it is sent once more on a new connection (what Node's documentation
 * advises with `request.reusedSocket`). Anything else is the caller's to classify.
 */
export const post = (n: Net, call: Post): Sent => {
  let current: NodeHttp.ClientRequest | undefined
  let aborted: Error | undefined
  const attempt = (retried: boolean): Promise<Answer> =>
    new Promise<Answer>((resolve, reject) => {
      const target = parsed(call.url)
      const protocol = target.protocol === "https:" ? "https:" : "http:"
      const send = protocol === "https:" ? n.https.request : n.http.request
      const req = send({
        ...target,
        method: "POST",
        agent: n.agents[protocol],
        headers: { ...call.headers, "content-length": String(Buffer.byteLength(call.body)) }
      })
      current = req
      req.on("response", (res) => {
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          header: (name) => {
            const v = res.headers[name]
            return Array.isArray(v) ? v[0] : v
          },
          body: res
        })
      })
      req.on("error", (error) => {
        if (!retried && aborted === undefined && req.reusedSocket && isStaleSocket(error)) resolve(attempt(true))
        else reject(aborted ?? error)
      })
      if (aborted !== undefined) req.destroy(aborted)
      else req.end(call.body)
    })
  return {
    // request() throws on an invalid URL or a header value it refuses to send: the executor turns that into a rejection.
    answer: attempt(false),
    abort: (reason = new Error("aborted")) => {
      if (aborted !== undefined) return
      aborted = reason
      current?.destroy(reason)
    }
  }
}
