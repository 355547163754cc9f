import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { OAuthHttpError } from "../domain/OAuthErrors.js"
import { replaceSecrets } from "./SecretRegistry.js"

export interface TokenRequest {
  readonly url: string
  /** grant_type, client_id, refresh_token or code, … */
  readonly params: Readonly<Record<string, string>>
  readonly encoding: "form" | "json"
  readonly timeoutMs: number
}

/** The provider's OAuth token endpoint (refresh and code exchange). */
export interface OAuthHttpShape {
  /** POSTs the parameters; the parsed JSON body of a 2xx answer, or the provider's `error`/`error_description`. */
  readonly requestToken: (request: TokenRequest) => Effect.Effect<unknown, OAuthHttpError>
}

export class OAuthHttp extends Context.Tag("openclaw/OAuthHttp")<OAuthHttp, OAuthHttpShape>() {
  static readonly layer = Layer.succeed(OAuthHttp, { requestToken: (request) => postToken(request) })
}

const hostOf = (url: string): string => {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/**
 * Provider text goes into messages, so anything that could be a secret is cut out: the secret values we sent
 * (refresh token, code, verifier) and any long token-like run of characters.
 */
const SECRET_PARAMS = ["refresh_token", "code", "code_verifier", "client_secret"]

const scrub = (text: string, sent: Readonly<Record<string, string>>): string => {
  const values = SECRET_PARAMS.flatMap((key) => {
    const v = sent[key]
    return v !== undefined && v.length >= 4 ? [v] : []
  })
  return replaceSecrets(text, values, () => "…")
    .replace(/[A-Za-z0-9_\-.~+/=]{32,}/g, "…")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 200)
}

const stringField = (u: unknown): string | undefined => (typeof u === "string" && u.trim() !== "" ? u : undefined)

/** `{ error, error_description }` (RFC 6749 §5.2), or Anthropic's `{ error: { type, message } }`. */
const providerError = (body: unknown): { readonly error?: string; readonly description?: string } => {
  if (typeof body !== "object" || body === null) return {}
  const b = body as Record<string, unknown>
  if (typeof b.error === "object" && b.error !== null) {
    const e = b.error as Record<string, unknown>
    const error = stringField(e.type) ?? stringField(e.code)
    const description = stringField(e.message)
    return { ...(error ? { error } : {}), ...(description ? { description } : {}) }
  }
  const error = stringField(b.error)
  const description = stringField(b.error_description) ?? stringField(b.message)
  return { ...(error ? { error } : {}), ...(description ? { description } : {}) }
}

const postToken = (request: TokenRequest): Effect.Effect<unknown, OAuthHttpError> => {
  const host = hostOf(request.url)
  const body =
    request.encoding === "json" ? JSON.stringify(request.params) : new URLSearchParams({ ...request.params }).toString()
  const contentType = request.encoding === "json" ? "application/json" : "application/x-www-form-urlencoded"
  return Effect.tryPromise({
    // The timeout is the fetch's own timer, so it also holds where Effect's clock is a test clock. A plain timer,
    // not AbortSignal.any([signal, AbortSignal.timeout(ms)]): Node may collect a timeout signal inside `any`
    // before it fires (nodejs/node#57736), and then a stalled token endpoint is waited on forever.
    try: (signal) => {
      const controller = new AbortController()
      const timer = setTimeout(() => controller.abort(new DOMException(`after ${request.timeoutMs} ms`, "TimeoutError")), request.timeoutMs)
      const interrupted = () => controller.abort(signal.reason)
      signal.addEventListener("abort", interrupted, { once: true })
      return fetch(request.url, {
        method: "POST",
        headers: { "content-type": contentType, accept: "application/json" },
        body,
        redirect: "error",
        signal: controller.signal
      })
        .then(async (res) => ({ status: res.status, ok: res.ok, text: await res.text() }))
        .finally(() => {
          clearTimeout(timer)
          signal.removeEventListener("abort", interrupted)
        })
    },
    catch: (e) => {
      const name = typeof e === "object" && e !== null && "name" in e ? String(e.name) : ""
      return name === "TimeoutError" || name === "AbortError"
        ? new OAuthHttpError({ host, kind: "timeout", description: `after ${Math.round(request.timeoutMs / 1000)}s` })
        : new OAuthHttpError({ host, kind: "network", description: scrub(causeOf(e), request.params) })
    }
  }).pipe(
    Effect.flatMap(({ status, ok, text }) => {
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
      if (ok) {
        return json === undefined
          ? Effect.fail(new OAuthHttpError({ host, kind: "invalid-response", status, description: `HTTP ${status}, not JSON` }))
          : Effect.succeed(json)
      }
      const found = providerError(json)
      return Effect.fail(
        new OAuthHttpError({
          host,
          kind: "http",
          status,
          ...(found.error ? { error: scrub(found.error, request.params) } : {}),
          ...(found.description ? { description: scrub(found.description, request.params) } : {})
        })
      )
    })
  )
}

/** fetch wraps the real reason (ECONNREFUSED, ENOTFOUND) in `cause`. */
const causeOf = (e: unknown): string => {
  const cause = typeof e === "object" && e !== null && "cause" in e ? (e as { cause: unknown }).cause : undefined
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String((cause as { code: unknown }).code) : undefined
  if (code) return code
  if (cause instanceof Error && cause.message !== "") return cause.message
  return e instanceof Error ? e.message : String(e)
}
