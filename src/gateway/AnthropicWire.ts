import * as Either from "effect/Either"
import { isRecord } from "effect/Predicate"
import * as Stream from "effect/Stream"
import { errorType } from "../domain/chat/anthropic/Answer.js"
import type { GatewayReply } from "./Reply.js"

/** The Anthropic Messages wire format, as far as the gateway itself writes it: errors and chat command answers. */

/** `{type: "error", error: {type, message}}`; the gateway's own code or classified reason rides along as `code`. */
export const errorBody = (status: number, message: string, code?: string) => ({
  type: "error" as const,
  error: { type: errorType(status), message, ...(code === undefined ? {} : { code }) }
})

export const anthropicError = (status: number, message: string, code?: string, headers?: Record<string, string>): GatewayReply => ({
  _tag: "json",
  status,
  body: errorBody(status, message, code),
  ...(headers ? { headers } : {})
})

export const sseEvent = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

const NO_USAGE = { input_tokens: 0, output_tokens: 0 }

/** A chat command's answer (§8.3) as a message, or as the event stream of one. */
export const textReply = (id: string, model: string, text: string, stream: boolean): GatewayReply => {
  const message = { id, type: "message", role: "assistant", model, content: [{ type: "text", text }], stop_reason: "end_turn", stop_sequence: null, usage: NO_USAGE }
  if (!stream) return { _tag: "json", status: 200, body: message }
  return {
    _tag: "sse",
    events: Stream.make(
      sseEvent("message_start", { type: "message_start", message: { ...message, content: [], stop_reason: null, usage: NO_USAGE } }),
      sseEvent("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
      sseEvent("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }),
      sseEvent("content_block_stop", { type: "content_block_stop", index: 0 }),
      sseEvent("message_delta", { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 0 } }),
      sseEvent("message_stop", { type: "message_stop" })
    )
  }
}

// ---- routing: what the gateway itself needs of a Messages request it may pass through unchanged (§8.4) ----------

export interface MessagesRouting {
  readonly model: string
  readonly messages: ReadonlyArray<Record<string, unknown>>
  readonly stream: boolean
  /** `metadata.user_id`: the session when no `x-openclaw-session-key` names one. */
  readonly userId: string | undefined
}


/** By hand, not by Schema: a passed-through body is not decoded beyond what routing needs. */
export const messagesRouting = (json: unknown): Either.Either<MessagesRouting, string> => {
  if (!isRecord(json)) return Either.left("the request body must be a JSON object")
  const { model, messages, stream, metadata } = json
  if (typeof model !== "string" || model === "") return Either.left("model: must be a model id (claude-…, provider/model, an alias) or an agent target such as \"openclaw\"")
  if (!Array.isArray(messages) || messages.length === 0) return Either.left("messages: must hold at least one message")
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i]
    if (!isRecord(m)) return Either.left(`messages.${i}: must be a message object`)
    if (m.role !== "user" && m.role !== "assistant") {
      return Either.left(`messages.${i}.role: must be "user" or "assistant", got ${JSON.stringify(m.role) ?? "nothing"}`.slice(0, 300))
    }
  }
  if (stream != null && typeof stream !== "boolean") return Either.left("stream: must be a boolean")
  const userId = isRecord(metadata) && typeof metadata.user_id === "string" ? metadata.user_id : undefined
  return Either.right({ model, messages: messages as ReadonlyArray<Record<string, unknown>>, stream: stream === true, userId })
}

