/** Anthropic `message` answers, usage and error bodies ↔ the canonical model. */
import { arr, type Json, num, obj, str } from "../Codec.js"
import type { ChatAnswer, FinishReason, Part, ToolCall, Usage } from "../Model.js"

export const decodeStopReason = (reason: string | undefined): FinishReason => {
  switch (reason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length"
    case "tool_use":
      return "tool_calls"
    case "refusal":
      return "content_filter"
    default: // end_turn, stop_sequence, pause_turn, or none
      return "stop"
  }
}

const STOP_REASON: Readonly<Record<FinishReason, string>> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  content_filter: "refusal"
}
export const encodeStopReason = (reason: FinishReason): string => STOP_REASON[reason]

/** The raw figures as Anthropic reports them; `input` excludes the cached tokens. */
export interface AnthropicUsage {
  readonly input?: number | undefined
  readonly output?: number | undefined
  readonly cacheRead?: number | undefined
  readonly cacheWrite?: number | undefined
}

export const readUsage = (u: unknown, into: AnthropicUsage = {}): AnthropicUsage => {
  const usage = obj(u)
  return {
    input: num(usage?.input_tokens) ?? into.input,
    output: num(usage?.output_tokens) ?? into.output,
    cacheRead: num(usage?.cache_read_input_tokens) ?? into.cacheRead,
    cacheWrite: num(usage?.cache_creation_input_tokens) ?? into.cacheWrite
  }
}

/** Cached prompt tokens are still prompt tokens (the canonical input count holds them). */
export const toUsage = (u: AnthropicUsage): Usage | undefined => {
  if (u.input === undefined && u.output === undefined) return undefined
  return {
    inputTokens: (u.input ?? 0) + (u.cacheRead ?? 0) + (u.cacheWrite ?? 0),
    outputTokens: u.output ?? 0,
    ...(u.cacheRead === undefined ? {} : { cacheReadTokens: u.cacheRead }),
    ...(u.cacheWrite === undefined ? {} : { cacheWriteTokens: u.cacheWrite })
  }
}

export const encodeUsage = (u: Usage): Json => ({
  input_tokens: Math.max(0, u.inputTokens - (u.cacheReadTokens ?? 0) - (u.cacheWriteTokens ?? 0)),
  output_tokens: u.outputTokens,
  cache_creation_input_tokens: u.cacheWriteTokens ?? null,
  cache_read_input_tokens: u.cacheReadTokens ?? null
})

/** A `type: "message"` body; undefined when it is not one. Blocks other than text and tool_use are not answers. */
export const decodeAnswer = (body: unknown): ChatAnswer | undefined => {
  const b = obj(body)
  const id = str(b?.id)
  const content = arr(b?.content)
  if (b === undefined || id === undefined || content === undefined) return undefined
  const parts: Array<Part> = []
  const toolCalls: Array<ToolCall> = []
  for (const raw of content) {
    const block = obj(raw)
    if (block?.type === "text") parts.push({ type: "text", text: str(block.text) ?? "" })
    else if (block?.type === "tool_use") toolCalls.push({ id: str(block.id) ?? "", name: str(block.name) ?? "", arguments: JSON.stringify(block.input ?? {}) })
  }
  return {
    id,
    model: str(b.model) ?? "",
    parts,
    toolCalls,
    finishReason: decodeStopReason(str(b.stop_reason)),
    usage: toUsage(readUsage(b.usage)) ?? { inputTokens: 0, outputTokens: 0 }
  }
}

/**
 * Tool-call arguments as the `input` object. A model behind an OpenAI-shaped API may produce arguments that are
 * not a JSON object; the client then gets `{}` and its own schema check tells the model, as with a bad call.
 */
export const toolInput = (args: string): unknown => {
  try {
    const input: unknown = JSON.parse(args)
    return obj(input) ?? {}
  } catch {
    return {}
  }
}

export const encodeAnswer = (answer: ChatAnswer): Json => ({
  id: answer.id,
  type: "message",
  role: "assistant",
  model: answer.model,
  content: [
    ...answer.parts.flatMap((p) => (p.type === "text" && p.text !== "" ? [{ type: "text", text: p.text }] : [])),
    ...answer.toolCalls.map((c) => ({ type: "tool_use", id: c.id, name: c.name, input: toolInput(c.arguments) }))
  ],
  stop_reason: encodeStopReason(answer.finishReason),
  stop_sequence: null,
  usage: encodeUsage(answer.usage)
})

/** Anthropic names one error type per HTTP status (https://docs.anthropic.com/en/api/errors). */
export const errorType = (status: number): string => {
  switch (status) {
    case 400:
      return "invalid_request_error"
    case 401:
      return "authentication_error"
    case 402:
      return "billing_error"
    case 403:
      return "permission_error"
    case 404:
      return "not_found_error"
    case 413:
      return "request_too_large"
    case 429:
      return "rate_limit_error"
    case 503:
    case 529:
      return "overloaded_error"
    case 504:
      return "timeout_error"
    default:
      return status >= 400 && status < 500 ? "invalid_request_error" : "api_error"
  }
}

/** A mid-stream `error` event carries only the type: the HTTP status it stands for. */
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

/** `{type: "error", error: {type, message}}`; the type follows the status, as the SDK reads it. */
export const errorBody = (status: number, _reason: string, message: string): Json => ({
  type: "error",
  error: { type: errorType(status), message }
})
