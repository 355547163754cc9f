/**
 * Anthropic Messages API (`POST /v1/messages`): the URL and credential headers; the body and the answer are the
 * Anthropic codec's (domain/chat/anthropic). Pure: no I/O here. https://docs.anthropic.com/en/api/messages
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { ProviderAuth, ProviderTarget } from "../../domain/Chat.js"
import { anthropicCodec } from "../../domain/chat/anthropic/Codec.js"
import { STATUS_BY_ERROR_TYPE } from "../../domain/chat/anthropic/Answer.js"
import type { ChatRequest, Unsupported } from "../../domain/chat/Model.js"
import { putHeaders } from "../../domain/Headers.js"
import type { HttpCall, ProviderAdapter } from "./Adapter.js"

export const ANTHROPIC_VERSION = "2023-06-01"
/** Required next to `Authorization: Bearer` for setup-tokens and OAuth access tokens. */
export const OAUTH_BETA = "oauth-2025-04-20"

/** A base URL configured with a trailing `/v1` still reaches `/v1/messages`. */
export const messagesUrl = (baseUrl: string): string => {
  const base = baseUrl.replace(/\/+$/, "")
  return base.endsWith("/v1") ? `${base}/messages` : `${base}/v1/messages`
}

export const buildHeaders = (target: ProviderTarget, auth: ProviderAuth, stream: boolean): Record<string, string> => {
  const headers: Record<string, string> = { "anthropic-version": ANTHROPIC_VERSION, accept: stream ? "text/event-stream" : "application/json" }
  putHeaders(headers, target.headers, true)
  headers["content-type"] = "application/json"
  // The answer goes on as its bytes (§8.4), without its headers: it must not be compressed.
  headers["accept-encoding"] = "identity"
  const secret = auth.secret === undefined ? undefined : Redacted.value(auth.secret)
  if (secret !== undefined && secret !== "") {
    if (auth.kind === "api_key") {
      headers["x-api-key"] = secret
    } else if (auth.kind === "token") {
      headers.authorization = `Bearer ${secret}`
      const betas = (headers["anthropic-beta"] ?? "").split(",").map((b) => b.trim()).filter((b) => b !== "")
      headers["anthropic-beta"] = [...new Set([...betas, OAUTH_BETA])].join(",")
    }
  }
  return headers
}

export const buildCall = (target: ProviderTarget, auth: ProviderAuth, request: ChatRequest): Either.Either<HttpCall, Unsupported> =>
  Either.map(anthropicCodec.encodeRequest(request), (body) => ({
    url: messagesUrl(target.baseUrl),
    headers: buildHeaders(target, auth, request.stream),
    body: JSON.stringify(body)
  }))

/** Anthropic documents one HTTP status per error type; a mid-stream `error` event carries only the type. */
export { STATUS_BY_ERROR_TYPE }

export const anthropicAdapter: ProviderAdapter = {
  buildCall,
  decodeResult: anthropicCodec.decodeAnswer,
  streamDecoder: anthropicCodec.streamDecoder
}
