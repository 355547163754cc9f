/**
 * Provider failures as ProviderError: the provider's own message (Anthropic and OpenAI error bodies), Retry-After,
 * and socket errors in words, with every secret of the call scrubbed before anything is cut or shown.
 */
import { ProviderError } from "../../domain/Chat.js"
import { withoutEcho } from "../../domain/Echo.js"
import { messageReason } from "../../domain/Failure.js"
import { redactSecrets } from "../SecretRegistry.js"
import type { Answer } from "./http.js"

const MAX_DETAIL = 500

/**
 * Scrubbed before truncation, so a cut can never leave part of a secret behind; what the provider quotes of the
 * request the gateway sent is taken out before that (domain/Echo: the scrub would otherwise answer a client's guess).
 */
export const cleanDetail = (text: string, ctx: Pick<CallContext, "secrets" | "sent">): string => {
  const clean = redactSecrets(ctx.sent === undefined ? text.trim() : withoutEcho(text.trim(), ctx.sent()), ctx.secrets)
  return clean.length > MAX_DETAIL ? `${clean.slice(0, MAX_DETAIL - 1)}…` : clean
}

/** `error.message` of Anthropic (`{type:"error",error:{type,message}}`) and OpenAI (`{error:{message,type,code}}`) bodies. */
export const providerMessage = (bodyText: string): string | undefined => {
  let json: unknown
  try {
    json = JSON.parse(bodyText)
  } catch {
    return undefined
  }
  const top = Array.isArray(json) ? json[0] : json // Google's endpoints answer with a one-element array
  if (typeof top !== "object" || top === null) return undefined
  const { error, message, detail } = top as Record<string, unknown>
  const nested = typeof error === "object" && error !== null ? (error as Record<string, unknown>).message : error
  const found = [nested, message, detail].find((m): m is string => typeof m === "string" && m.trim() !== "")
  return found
}

/** `Retry-After` as seconds or an HTTP date; OpenAI's `retry-after-ms` is more precise and wins. */
export const parseRetryAfter = (headers: { get(name: string): string | null }, nowMs: number): number | undefined => {
  const ms = headers.get("retry-after-ms")?.trim()
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Math.round(Number(ms))
  const value = headers.get("retry-after")?.trim()
  if (value === undefined || value === "") return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

export interface CallContext {
  readonly provider: string
  readonly timeoutMs: number
  /** The most a success body, or one event of a stream, may hold (§8.6). */
  readonly maxBodyBytes: number
  readonly secrets: ReadonlyArray<string>
  /**
   * What was sent on a client's behalf (the gateway's calls: the body, its decoded strings, the headers passed on),
   * whose quotes are taken out of the provider's messages; made only when a message needs it.
   */
  readonly sent?: () => Iterable<string>
}

export const httpError = (ctx: CallContext, answer: Answer, body: string): ProviderError => {
  const fallback = answer.statusText || `HTTP ${answer.status}`
  const retryAfterMs = parseRetryAfter({ get: (name) => answer.header(name) ?? null }, Date.now())
  const message = providerMessage(body) ?? fallback
  const said = messageReason(message)
  return new ProviderError({
    provider: ctx.provider,
    kind: "http",
    status: answer.status,
    detail: cleanDetail(message, ctx),
    ...(said === undefined ? {} : { said }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs })
  })
}

const NETWORK_PHRASES: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ECONNABORTED: "connection aborted"
}
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT"])
/** The gateway's own resources ran out before the provider was reached (ProviderError kind `local`). */
const LOCAL_PHRASES: Readonly<Record<string, string>> = {
  EMFILE: "the gateway has no file descriptor left for the connection",
  ENFILE: "the system has no file descriptor left for the connection",
  ENOMEM: "the gateway is out of memory",
  ENOBUFS: "the system has no buffer space left for the connection"
}
/** node:http refuses these before anything is sent; its message may quote the value, so it is not repeated. */
const HEADER_CODES = new Set(["ERR_INVALID_CHAR", "ERR_INVALID_HTTP_TOKEN", "ERR_HTTP_INVALID_HEADER_VALUE"])

/** A short, secret-free description of why the request never got (all of) an answer. */
export const failure = (ctx: CallContext, error: unknown, timedOut: boolean, during: string): ProviderError => {
  if (error instanceof ProviderError) return error
  const make = (kind: "network" | "timeout" | "local", detail: string) =>
    new ProviderError({ provider: ctx.provider, kind, detail: cleanDetail(detail, { secrets: ctx.secrets }) })
  if (timedOut) return make("timeout", `no ${during} within ${ctx.timeoutMs} ms`)
  let cause: unknown = error
  // Happy-eyeballs connects (localhost: ::1 and 127.0.0.1) fail with every attempt in an AggregateError.
  if (cause instanceof AggregateError && cause.errors.length > 0) cause = cause.errors[0]
  const c = (cause ?? {}) as { code?: unknown; message?: unknown; address?: unknown; port?: unknown }
  const code = typeof c.code === "string" ? c.code : undefined
  if (code !== undefined && HEADER_CODES.has(code)) {
    return make("network", "the credential or a configured header contains characters not allowed in an HTTP header")
  }
  if (code === "ERR_INVALID_URL") return make("network", "the provider's base URL is not a valid URL (models.providers.<provider>.baseUrl)")
  if (code === "ERR_URL_CREDENTIALS") {
    return make("network", "the provider's base URL contains a user name or password; remove them from models.providers.<provider>.baseUrl and store the credential as an auth profile")
  }
  const where = typeof c.address === "string" ? ` ${c.address}${typeof c.port === "number" ? `:${c.port}` : ""}` : ""
  if (code !== undefined && TIMEOUT_CODES.has(code)) return make("timeout", `${code}${where}`)
  if (code !== undefined && LOCAL_PHRASES[code] !== undefined) return make("local", `${LOCAL_PHRASES[code]} (${code})`)
  // "socket hang up" (before an answer) and "aborted" (mid-body) are both the provider closing on us.
  if (code === "ECONNRESET" && where === "") return make("network", "connection closed by the provider")
  if (code !== undefined) return make("network", `${NETWORK_PHRASES[code] ?? "network error"} (${code}${where})`)
  const message = typeof c.message === "string" && c.message !== "" ? c.message : String(error)
  return make("network", message === "aborted" ? "connection closed by the provider" : message)
}

/** §8.6: the attempt fails as `format`; what to change is the classified failure's hint. */
export const tooLarge = (ctx: CallContext, what: string) =>
  new ProviderError({
    provider: ctx.provider,
    kind: "format",
    detail: `${what} is larger than the limit of ${ctx.maxBodyBytes} bytes (gateway.limits.maxProviderBodyBytes); the connection was closed`
  })
