/**
 * OpenAI Chat Completions (`POST {baseUrl}/chat/completions`), spoken by OpenAI, OpenRouter, Groq, Mistral, xAI,
 * DeepSeek, Together, Gemini's OpenAI endpoint and Ollama: the URL and credential headers; the body and the answer are
 * the OpenAI codec's (domain/chat/openai). Pure: no I/O here.
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { ProviderAuth, ProviderTarget } from "../../domain/Chat.js"
import type { ChatRequest, Unsupported } from "../../domain/chat/Model.js"
import { openaiCodec } from "../../domain/chat/openai/Codec.js"
import { putHeaders } from "../../domain/Headers.js"
import type { HttpCall, ProviderAdapter } from "./Adapter.js"

/** The base URL already carries the version (`…/v1`, `…/openai/v1`, `…/v1beta/openai`). */
export const completionsUrl = (baseUrl: string): string => `${baseUrl.replace(/\/+$/, "")}/chat/completions`

export const buildHeaders = (target: ProviderTarget, auth: ProviderAuth, stream: boolean): Record<string, string> => {
  const headers: Record<string, string> = { accept: stream ? "text/event-stream" : "application/json" }
  putHeaders(headers, target.headers, true)
  headers["content-type"] = "application/json"
  // The answer goes on as its bytes (§8.4), without its headers: it must not be compressed.
  headers["accept-encoding"] = "identity"
  const secret = auth.secret === undefined ? undefined : Redacted.value(auth.secret)
  // API keys and tokens alike travel as Bearer on OpenAI-shaped APIs.
  if (auth.kind !== "none" && secret !== undefined && secret !== "") headers.authorization = `Bearer ${secret}`
  return headers
}

export const buildCall = (target: ProviderTarget, auth: ProviderAuth, request: ChatRequest): Either.Either<HttpCall, Unsupported> =>
  Either.map(openaiCodec.encodeRequest(request), (body) => ({
    url: completionsUrl(target.baseUrl),
    headers: buildHeaders(target, auth, request.stream),
    body: JSON.stringify(body)
  }))

export const openaiAdapter: ProviderAdapter = {
  buildCall,
  decodeResult: openaiCodec.decodeAnswer,
  streamDecoder: openaiCodec.streamDecoder
}
