/**
 * The same-shape passthrough (§8.4): the call for a client's own body (URL and credential headers from the shape's
 * adapter, the client's `anthropic-version`/`anthropic-beta` on the way) and the watch over the provider's stream,
 * which looks only for the end marker and an error event (./relay.ts forwards the bytes themselves). Pure: no I/O.
 */
import type { ProviderAuth, ProviderTarget } from "../../domain/Chat.js"
import { putHeaders } from "../../domain/Headers.js"
import { STATUS_BY_ERROR_TYPE } from "../../domain/chat/anthropic/Answer.js"
import type { StreamDecoder, StreamStep } from "../../domain/chat/Codec.js"
import type { ForwardRequest } from "../ProviderClient.js"
import type { HttpCall } from "./Adapter.js"
import * as anthropic from "./anthropic.js"
import * as openai from "./openai.js"

const betaList = (value: string | undefined): ReadonlyArray<string> =>
  value === undefined ? [] : value.split(",").map((b) => b.trim()).filter((b) => b !== "")

/**
 * Anthropic: the client's `anthropic-version` wins over the default (the body is written for it); `anthropic-beta`
 * is the union of the configured, the client's and (for a token) the OAuth beta. Nothing else of the client's
 * headers goes on: its `x-api-key` or bearer is the gateway's token, never the provider's.
 */
const anthropicHeaders = (target: ProviderTarget, auth: ProviderAuth, request: ForwardRequest): Record<string, string> => {
  const configured: Record<string, string> = {}
  putHeaders(configured, target.headers, true)
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

/** The watch hands nothing on itself: the relay (./relay.ts) forwards the provider's own bytes. */
type Step = StreamStep<never>
const pass: Step = { events: [], done: false }
const end: Step = { events: [], done: true }

/**
 * Anthropic: `message_stop` ends it, an `error` event fails it (not handed on: the caller ends the stream with its
 * own error event, classified); a body that ends after `message_delta` (the stop reason) is finished enough.
 */
const anthropicWatch = (): StreamDecoder<never> => {
  let stopped = false
  return {
    onEvent: (event) => {
      switch (event.event) {
        case "message_stop":
          return end
        case "message_delta":
          stopped = true
          return pass
        case "error": {
          const error = obj(parse(event.data)?.error)
          const type = str(error?.type) ?? ""
          const status = STATUS_BY_ERROR_TYPE[type]
          return { events: [], done: true, error: { message: str(error?.message) ?? (type || "stream error"), ...(status === undefined ? {} : { status }) } }
        }
        default:
          return pass
      }
    },
    onEnd: () => (stopped ? end : undefined)
  }
}

/** Cheap tests on the text first: most events are content deltas that need no parse. */
const FINISH = /"finish_reason"\s*:\s*"/

/** OpenAI: `[DONE]` ends it, an `{error}` object fails it; a body that ends after a finish reason is finished enough. */
const openaiWatch = (): StreamDecoder<never> => {
  let finished = false
  return {
    onEvent: (event) => {
      const data = event.data
      if (data.length < 16 && data.trim() === "[DONE]") return end
      if (event.event === "error" || data.includes('"error"')) {
        const json = parse(data)
        const error = json?.error === undefined ? (event.event === "error" ? {} : undefined) : (obj(json.error) ?? { message: str(json.error) })
        if (error !== undefined) {
          const code = typeof error.code === "number" && error.code >= 400 && error.code < 600 ? error.code : undefined
          return { events: [], done: true, error: { message: str(error.message) ?? str(json?.message) ?? "stream error", ...(code === undefined ? {} : { status: code }) } }
        }
      }
      if (!finished && FINISH.test(data)) finished = true
      return pass
    },
    onEnd: () => (finished ? end : undefined)
  }
}

export const forwardWatch = (target: ProviderTarget): StreamDecoder<never> =>
  target.api === "anthropic-messages" ? anthropicWatch() : openaiWatch()
