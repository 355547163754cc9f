/**
 * The same-shape passthrough (§8.4): the call for a client's own body (URL and credential headers from the shape's
 * adapter, the client's `anthropic-version`/`anthropic-beta` on the way) and the watch over the provider's stream,
 * which hands every event on as it came and looks only for the end marker and an error event. Pure: no I/O here.
 */
import type { ProviderAuth, ProviderTarget } from "../../domain/Chat.js"
import { STATUS_BY_ERROR_TYPE } from "../../domain/chat/anthropic/Answer.js"
import type { StreamDecoder, StreamStep } from "../../domain/chat/Codec.js"
import type { ForwardRequest } from "../ProviderClient.js"
import type { HttpCall } from "./Adapter.js"
import * as anthropic from "./anthropic.js"
import * as openai from "./openai.js"
import type { SseEvent } from "./sse.js"

const lowerKeys = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const k in headers) out[k.toLowerCase()] = headers[k]!
  return out
}

const betaList = (value: string | undefined): ReadonlyArray<string> =>
  value === undefined ? [] : value.split(",").map((b) => b.trim()).filter((b) => b !== "")

/**
 * Anthropic: the client's `anthropic-version` wins over the default (the body is written for it); `anthropic-beta`
 * is the union of the configured, the client's and (for a token) the OAuth beta. Nothing else of the client's
 * headers goes on: its `x-api-key` or bearer is the gateway's token, never the provider's.
 */
const anthropicHeaders = (target: ProviderTarget, auth: ProviderAuth, request: ForwardRequest): Record<string, string> => {
  const configured = lowerKeys(target.headers)
  const version = request.headers["anthropic-version"]
  const betas = [...new Set([...betaList(configured["anthropic-beta"]), ...betaList(request.headers["anthropic-beta"])])]
  if (version !== undefined) configured["anthropic-version"] = version
  if (betas.length > 0) configured["anthropic-beta"] = betas.join(",")
  else delete configured["anthropic-beta"]
  return anthropic.buildHeaders({ ...target, headers: configured }, auth, request.stream)
}

export const forwardCall = (target: ProviderTarget, auth: ProviderAuth, request: ForwardRequest): HttpCall => {
  if (target.api === "anthropic-messages") {
    const url = anthropic.messagesUrl(target.baseUrl)
    return {
      url: `${request.endpoint === "count_tokens" ? `${url}/count_tokens` : url}${request.betaEndpoint === true ? "?beta=true" : ""}`,
      headers: anthropicHeaders(target, auth, request),
      body: request.body
    }
  }
  return { url: openai.completionsUrl(target.baseUrl), headers: openai.buildHeaders(target, auth, request.stream), body: request.body }
}

/** One event as an SSE frame again: the same event type and data lines (comments and ids are not events). */
export const sseFrame = (event: SseEvent): string => {
  const head = event.event === "message" ? "" : `event: ${event.event}\n`
  const data = event.data.indexOf("\n") === -1 ? `data: ${event.data}\n` : event.data.split("\n").map((l) => `data: ${l}\n`).join("")
  return `${head}${data}\n`
}

type Json = Record<string, unknown>
const obj = (u: unknown): Json | undefined => (typeof u === "object" && u !== null && !Array.isArray(u) ? (u as Json) : undefined)
const str = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)

const parse = (data: string): Json | undefined => {
  try {
    return obj(JSON.parse(data))
  } catch {
    return undefined
  }
}

type Step = StreamStep<string>
const pass = (event: SseEvent): Step => ({ events: [sseFrame(event)], done: false })

/**
 * Anthropic: `message_stop` ends it, an `error` event fails it (not handed on: the caller ends the stream with its
 * own error event, classified); a body that ends after `message_delta` (the stop reason) is finished enough.
 */
const anthropicWatch = (): StreamDecoder<string> => {
  let stopped = false
  return {
    onEvent: (event) => {
      switch (event.event) {
        case "message_stop":
          return { events: [sseFrame(event)], done: true }
        case "message_delta":
          stopped = true
          return pass(event)
        case "error": {
          const error = obj(parse(event.data)?.error)
          const type = str(error?.type) ?? ""
          const status = STATUS_BY_ERROR_TYPE[type]
          return { events: [], done: true, error: { message: str(error?.message) ?? (type || "stream error"), ...(status === undefined ? {} : { status }) } }
        }
        default:
          return pass(event)
      }
    },
    onEnd: () => (stopped ? { events: [], done: true } : undefined)
  }
}

/** Cheap tests on the text first: most events are content deltas that need no parse. */
const FINISH = /"finish_reason"\s*:\s*"/

/** OpenAI: `[DONE]` ends it, an `{error}` object fails it; a body that ends after a finish reason is finished enough. */
const openaiWatch = (): StreamDecoder<string> => {
  let finished = false
  return {
    onEvent: (event) => {
      const data = event.data
      if (data.length < 16 && data.trim() === "[DONE]") return { events: [sseFrame(event)], done: true }
      if (event.event === "error" || data.includes('"error"')) {
        const json = parse(data)
        const error = json?.error === undefined ? (event.event === "error" ? {} : undefined) : (obj(json.error) ?? { message: str(json.error) })
        if (error !== undefined) {
          const code = typeof error.code === "number" && error.code >= 400 && error.code < 600 ? error.code : undefined
          return { events: [], done: true, error: { message: str(error.message) ?? str(json?.message) ?? "stream error", ...(code === undefined ? {} : { status: code }) } }
        }
      }
      if (!finished && FINISH.test(data)) finished = true
      return pass(event)
    },
    onEnd: () => (finished ? { events: [], done: true } : undefined)
  }
}

export const forwardWatch = (target: ProviderTarget): StreamDecoder<string> =>
  target.api === "anthropic-messages" ? anthropicWatch() : openaiWatch()
