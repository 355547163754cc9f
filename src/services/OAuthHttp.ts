import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { OAuthHttpError } from "../domain/OAuthErrors.js"
import { readBounded } from "./providers/body.js"
import { loadNet, netLoaded, post, type Sent } from "./providers/http.js"
import { replaceSecrets } from "./SecretRegistry.js"
import { serviceLayer } from "./LayerInOrder.js"

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
  static readonly layer = serviceLayer(OAuthHttp, Effect.succeed({ requestToken: (request) => postToken(request) }))
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

/**
 * A token response is a few hundred bytes; anything past this is a broken or hostile endpoint, and reading it all
 * would cost the refresh (and the gateway it runs in) unbounded memory.
 */
export const TOKEN_BODY_BYTES = 1024 * 1024

interface TokenAnswer {
  readonly status: number
  readonly text: string
}

/** node:http(s) once per process, on the first token request. */
const net = Effect.suspend(() => {
  const loaded = netLoaded()
  return loaded === undefined ? Effect.promise(loadNet) : Effect.succeed(loaded)
})

const tooLarge = (host: string, status: number) =>
  new OAuthHttpError({
    host,
    kind: "too-large",
    status,
    description: `over ${TOKEN_BODY_BYTES / 1024 / 1024} MiB, where a token response is a few hundred bytes: the rest was not read and the connection was closed; check that the token endpoint URL points at the provider, not at a proxy or portal`
  })

/**
 * One POST over the provider wire (./providers/http.ts), its body read through the one bounded reader
 * (./providers/body.ts), all of it under one deadline: headers that never come, a body that drips forever or one
 * of a gigabyte each end the exchange with an OAuthHttpError, never a hang or a process out of memory.
 * Interrupting it closes the connection.
 */
const exchange = (request: TokenRequest, host: string, contentType: string, body: string) =>
  Effect.flatMap(net, (n) =>
    Effect.async<TokenAnswer, OAuthHttpError>((resume) => {
      let settled = false
      let answered = false
      let sent: Sent | undefined
      const finish = (outcome: Effect.Effect<TokenAnswer, OAuthHttpError>, close: boolean) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (close) sent?.abort()
        resume(outcome)
      }
      const seconds = request.timeoutMs < 1000 ? `${request.timeoutMs} ms` : `${Math.round(request.timeoutMs / 1000)}s`
      const timer = setTimeout(
        () =>
          finish(
            Effect.fail(
              new OAuthHttpError({
                host,
                kind: "timeout",
                description: answered ? `its answer did not end within ${seconds}` : `after ${seconds}`
              })
            ),
            true
          ),
        request.timeoutMs
      )
      const network = (error: unknown) =>
        finish(Effect.fail(new OAuthHttpError({ host, kind: "network", description: scrub(causeOf(error), request.params) })), true)
      sent = post(
        n,
        { url: request.url, headers: { "content-type": contentType, accept: "application/json" }, body },
        (answer) => {
          answered = true
          if (Number(answer.header("content-length")) > TOKEN_BODY_BYTES) return finish(Effect.fail(tooLarge(host, answer.status)), true)
          readBounded(
            answer.body,
            TOKEN_BODY_BYTES,
            ({ complete, text }) =>
              complete
                ? finish(Effect.succeed({ status: answer.status, text: text() }), false)
                : finish(Effect.fail(tooLarge(host, answer.status)), true),
            network
          )
        },
        network
      )
      return Effect.sync(() => {
        settled = true
        clearTimeout(timer)
        sent?.abort()
      })
    })
  )

const postToken = (request: TokenRequest): Effect.Effect<unknown, OAuthHttpError> => {
  const host = hostOf(request.url)
  const body =
    request.encoding === "json" ? JSON.stringify(request.params) : new URLSearchParams({ ...request.params }).toString()
  const contentType = request.encoding === "json" ? "application/json" : "application/x-www-form-urlencoded"
  return exchange(request, host, contentType, body).pipe(
    Effect.flatMap(({ status, text }) => {
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
      if (status >= 200 && status <= 299) {
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

/** The system error's code (ECONNREFUSED, ENOTFOUND) when there is one, on the error or the `cause` it wraps. */
const causeOf = (e: unknown): string => {
  const codeOf = (x: unknown) => (typeof x === "object" && x !== null && "code" in x && typeof x.code === "string" ? x.code : undefined)
  const cause = typeof e === "object" && e !== null && "cause" in e ? (e as { cause: unknown }).cause : undefined
  const code = codeOf(e) ?? codeOf(cause)
  if (code) return code
  if (cause instanceof Error && cause.message !== "") return cause.message
  return e instanceof Error ? e.message : String(e)
}
