/**
 * Anthropic Messages API (`POST /v1/messages`): request building and response/stream decoding. Pure: no I/O here.
 * https://docs.anthropic.com/en/api/messages and …/messages-streaming
 */
import * as Redacted from "effect/Redacted"
import type { ChatChunk, ChatMessage, ChatRequest, ChatResult, ChatUsage, ProviderAuth, ProviderTarget } from "../../domain/Chat.js"
import type { HttpCall, ProviderAdapter, StreamDecoder, StreamStep } from "./Adapter.js"
import type { SseEvent } from "./sse.js"

export const ANTHROPIC_VERSION = "2023-06-01"
/** Required next to `Authorization: Bearer` for setup-tokens and OAuth access tokens. */
export const OAUTH_BETA = "oauth-2025-04-20"
/** The Messages API requires `max_tokens`; used when the request names none. */
export const DEFAULT_MAX_TOKENS = 1024

type Json = Record<string, unknown>
const obj = (u: unknown): Json | undefined => (typeof u === "object" && u !== null && !Array.isArray(u) ? (u as Json) : undefined)
const str = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)
const num = (u: unknown): number | undefined => (typeof u === "number" && Number.isFinite(u) ? u : undefined)

/** A base URL configured with a trailing `/v1` still reaches `/v1/messages`. */
export const messagesUrl = (baseUrl: string): string => {
  const base = baseUrl.replace(/\/+$/, "")
  return base.endsWith("/v1") ? `${base}/messages` : `${base}/v1/messages`
}

/** Lower-cased header names, so ours and the configured ones merge without case duplicates. */
const lowerKeys = (headers: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))

export const buildHeaders = (target: ProviderTarget, auth: ProviderAuth, stream: boolean): Record<string, string> => {
  const headers: Record<string, string> = {
    "anthropic-version": ANTHROPIC_VERSION,
    accept: stream ? "text/event-stream" : "application/json",
    ...lowerKeys(target.headers),
    "content-type": "application/json"
  }
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

interface AnthropicMessage {
  readonly role: "user" | "assistant"
  readonly content: string
}

/**
 * System messages go to the top-level `system`. A `tool` message carries no tool-call id in our neutral shape, so
 * it travels as user text. Consecutive same-role turns are merged: older API versions reject them.
 */
export const translateMessages = (
  messages: ReadonlyArray<ChatMessage>
): { readonly system: string | undefined; readonly messages: ReadonlyArray<AnthropicMessage> } => {
  const system: Array<string> = []
  const out: Array<{ role: "user" | "assistant"; content: string }> = []
  for (const m of messages) {
    if (m.role === "system") {
      system.push(m.content)
      continue
    }
    const role = m.role === "assistant" ? "assistant" : "user"
    const last = out[out.length - 1]
    if (last !== undefined && last.role === role) last.content = `${last.content}\n\n${m.content}`
    else out.push({ role, content: m.content })
  }
  return { system: system.length > 0 ? system.join("\n\n") : undefined, messages: out }
}

export const buildBody = (request: ChatRequest, stream: boolean): Json => {
  const { messages, system } = translateMessages(request.messages)
  return {
    model: request.model,
    max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
    ...(system === undefined ? {} : { system }),
    messages,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(stream ? { stream: true } : {})
  }
}

export const buildCall = (target: ProviderTarget, auth: ProviderAuth, request: ChatRequest, stream: boolean): HttpCall => ({
  url: messagesUrl(target.baseUrl),
  headers: buildHeaders(target, auth, stream),
  body: JSON.stringify(buildBody(request, stream))
})

export const mapStopReason = (reason: string | undefined): ChatResult["finishReason"] => {
  switch (reason) {
    case "max_tokens":
      return "length"
    case "tool_use":
      return "tool_calls"
    case "refusal":
      return "content_filter"
    default: // end_turn, stop_sequence, pause_turn, or none
      return "stop"
  }
}

/** Cached prompt tokens are still prompt tokens. */
const promptTokens = (usage: Json | undefined): number | undefined => {
  const input = num(usage?.input_tokens)
  if (input === undefined) return undefined
  return input + (num(usage?.cache_creation_input_tokens) ?? 0) + (num(usage?.cache_read_input_tokens) ?? 0)
}

/** A `type: "message"` body; undefined when it is not one. */
export const decodeResult = (body: unknown): ChatResult | undefined => {
  const b = obj(body)
  const id = str(b?.id)
  const content = b?.content
  if (b === undefined || id === undefined || !Array.isArray(content)) return undefined
  const text = content
    .map(obj)
    .filter((block) => block?.type === "text")
    .map((block) => str(block?.text) ?? "")
    .join("")
  const usage = obj(b.usage)
  return {
    id,
    model: str(b.model) ?? "",
    content: text,
    finishReason: mapStopReason(str(b.stop_reason)),
    usage: { promptTokens: promptTokens(usage) ?? 0, completionTokens: num(usage?.output_tokens) ?? 0 }
  }
}

/** Anthropic documents one HTTP status per error type; a mid-stream `error` event carries only the type. */
export const STATUS_BY_ERROR_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529
}

/**
 * message_start (id, input usage) → content_block_delta text_delta (a chunk each) → message_delta (stop_reason,
 * output usage) → message_stop (the final chunk). `ping` and unknown events are ignored, as the docs ask.
 */
export const streamDecoder = (): StreamDecoder => {
  let finish: ChatResult["finishReason"] | undefined
  let input: number | undefined
  let output: number | undefined
  const usage = (): ChatUsage | undefined =>
    input === undefined && output === undefined ? undefined : { promptTokens: input ?? 0, completionTokens: output ?? 0 }
  const final = (): StreamStep => {
    const u = usage()
    const chunk: ChatChunk = { delta: "", finishReason: finish ?? "stop", ...(u === undefined ? {} : { usage: u }) }
    return { chunks: [chunk], done: true }
  }
  const none: StreamStep = { chunks: [], done: false }
  return {
    onEvent: (event: SseEvent): StreamStep => {
      let data: Json | undefined
      try {
        data = obj(JSON.parse(event.data))
      } catch {
        return none
      }
      const type = str(data?.type) ?? event.event
      switch (type) {
        case "message_start": {
          const u = obj(obj(data?.message)?.usage)
          input = promptTokens(u) ?? input
          output = num(u?.output_tokens) ?? output
          return none
        }
        case "content_block_delta": {
          const delta = obj(data?.delta)
          const text = delta?.type === "text_delta" ? str(delta.text) : undefined
          return text === undefined || text === "" ? none : { chunks: [{ delta: text }], done: false }
        }
        case "message_delta": {
          const reason = str(obj(data?.delta)?.stop_reason)
          if (reason !== undefined) finish = mapStopReason(reason)
          const u = obj(data?.usage)
          input = promptTokens(u) ?? input
          output = num(u?.output_tokens) ?? output
          return none
        }
        case "message_stop":
          return final()
        case "error": {
          const error = obj(data?.error)
          const errorType = str(error?.type) ?? ""
          const status = STATUS_BY_ERROR_TYPE[errorType]
          return {
            chunks: [],
            done: true,
            error: { message: str(error?.message) ?? (errorType || "stream error"), ...(status === undefined ? {} : { status }) }
          }
        }
        default:
          return none
      }
    },
    // A body that ends after message_delta but without message_stop still told us how it finished.
    onEnd: (): StreamStep | undefined => (finish === undefined ? undefined : final())
  }
}

export const anthropicAdapter: ProviderAdapter = { buildCall, decodeResult, streamDecoder }
