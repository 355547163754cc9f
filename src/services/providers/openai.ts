/**
 * OpenAI Chat Completions (`POST {baseUrl}/chat/completions`), spoken by OpenAI, OpenRouter, Groq, Mistral, xAI,
 * DeepSeek, Together, Gemini's OpenAI endpoint and Ollama. Pure: no I/O here.
 */
import * as Redacted from "effect/Redacted"
import type { ChatChunk, ChatRequest, ChatResult, ChatUsage, ProviderAuth, ProviderTarget } from "../../domain/Chat.js"
import type { HttpCall, ProviderAdapter, StreamDecoder, StreamStep } from "./Adapter.js"
import type { SseEvent } from "./sse.js"

type Json = Record<string, unknown>
const obj = (u: unknown): Json | undefined => (typeof u === "object" && u !== null && !Array.isArray(u) ? (u as Json) : undefined)
const str = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)
const num = (u: unknown): number | undefined => (typeof u === "number" && Number.isFinite(u) ? u : undefined)

/** The base URL already carries the version (`…/v1`, `…/openai/v1`, `…/v1beta/openai`). */
export const completionsUrl = (baseUrl: string): string => `${baseUrl.replace(/\/+$/, "")}/chat/completions`

export const buildHeaders = (target: ProviderTarget, auth: ProviderAuth, stream: boolean): Record<string, string> => {
  const headers: Record<string, string> = {
    accept: stream ? "text/event-stream" : "application/json",
    ...Object.fromEntries(Object.entries(target.headers).map(([k, v]) => [k.toLowerCase(), v])),
    "content-type": "application/json"
  }
  const secret = auth.secret === undefined ? undefined : Redacted.value(auth.secret)
  // API keys and tokens alike travel as Bearer on OpenAI-shaped APIs.
  if (auth.kind !== "none" && secret !== undefined && secret !== "") headers.authorization = `Bearer ${secret}`
  return headers
}

export const buildBody = (request: ChatRequest, stream: boolean): Json => ({
  model: request.model,
  // A `tool` message needs a tool_call_id our neutral shape does not carry; as user text it is at least accepted.
  messages: request.messages.map((m) => ({ role: m.role === "tool" ? "user" : m.role, content: m.content })),
  ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
  ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
  stream,
  ...(stream ? { stream_options: { include_usage: true } } : {})
})

export const buildCall = (target: ProviderTarget, auth: ProviderAuth, request: ChatRequest, stream: boolean): HttpCall => ({
  url: completionsUrl(target.baseUrl),
  headers: buildHeaders(target, auth, stream),
  body: JSON.stringify(buildBody(request, stream))
})

export const mapFinishReason = (reason: string | undefined): ChatResult["finishReason"] => {
  switch (reason) {
    case "length":
      return "length"
    case "content_filter":
      return "content_filter"
    case "tool_calls":
    case "function_call":
      return "tool_calls"
    default:
      return "stop"
  }
}

const decodeUsage = (u: unknown): ChatUsage | undefined => {
  const usage = obj(u)
  if (usage === undefined) return undefined
  return { promptTokens: num(usage.prompt_tokens) ?? 0, completionTokens: num(usage.completion_tokens) ?? 0 }
}

/** Message content is a string, or (some compatible servers) an array of `{type: "text", text}` parts. */
const contentText = (content: unknown): string => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return ""
  return content.map((part) => str(obj(part)?.text) ?? "").join("")
}

/** A `chat.completion` body; undefined when it is not one. */
export const decodeResult = (body: unknown): ChatResult | undefined => {
  const b = obj(body)
  const choices = b?.choices
  if (b === undefined || !Array.isArray(choices)) return undefined
  const choice = obj(choices[0])
  return {
    id: str(b.id) ?? "",
    model: str(b.model) ?? "",
    content: contentText(obj(choice?.message)?.content),
    finishReason: mapFinishReason(str(choice?.finish_reason)),
    usage: decodeUsage(b.usage) ?? { promptTokens: 0, completionTokens: 0 }
  }
}

/**
 * `data: {chunk}` lines: choices[0].delta.content (a chunk each), choices[0].finish_reason, then (with
 * `stream_options.include_usage`) a chunk with empty choices and the usage, then `data: [DONE]`. The final chunk we
 * emit carries finish reason and usage together. An `{error}` object mid-stream (OpenAI, OpenRouter) fails it.
 */
export const streamDecoder = (): StreamDecoder => {
  let finish: ChatResult["finishReason"] | undefined
  let usage: ChatUsage | undefined
  const final = (): StreamStep => {
    const chunk: ChatChunk = { delta: "", finishReason: finish ?? "stop", ...(usage === undefined ? {} : { usage }) }
    return { chunks: [chunk], done: true }
  }
  const none: StreamStep = { chunks: [], done: false }
  return {
    onEvent: (event: SseEvent): StreamStep => {
      if (event.data.trim() === "[DONE]") return final()
      let data: Json | undefined
      try {
        data = obj(JSON.parse(event.data))
      } catch {
        return none
      }
      const error = data?.error === undefined ? undefined : obj(data.error) ?? { message: str(data.error) }
      if (error !== undefined || event.event === "error") {
        const code = num(error?.code)
        return {
          chunks: [],
          done: true,
          error: {
            message: str(error?.message) ?? str(data?.message) ?? "stream error",
            ...(code !== undefined && code >= 400 && code < 600 ? { status: code } : {})
          }
        }
      }
      usage = decodeUsage(data?.usage) ?? usage
      const choice = Array.isArray(data?.choices) ? obj(data.choices[0]) : undefined
      const reason = str(choice?.finish_reason)
      if (reason !== undefined) finish = mapFinishReason(reason)
      const text = contentText(obj(choice?.delta)?.content)
      return text === "" ? none : { chunks: [{ delta: text }], done: false }
    },
    // Some compatible servers close after the last chunk without `[DONE]`.
    onEnd: (): StreamStep | undefined => (finish === undefined ? undefined : final())
  }
}

export const openaiAdapter: ProviderAdapter = { buildCall, decodeResult, streamDecoder }
