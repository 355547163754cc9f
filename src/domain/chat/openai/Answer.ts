/** OpenAI `chat.completion` answers, usage and error bodies ↔ the canonical model. */
import { arr, type Json, num, obj, str } from "../Codec.js"
import type { ChatAnswer, FinishReason, Part, ToolCall, Usage } from "../Model.js"

export const decodeFinishReason = (reason: string | undefined): FinishReason => {
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

export const decodeUsage = (u: unknown): Usage | undefined => {
  const usage = obj(u)
  if (usage === undefined) return undefined
  const cached = num(obj(usage.prompt_tokens_details)?.cached_tokens)
  return {
    inputTokens: num(usage.prompt_tokens) ?? 0,
    outputTokens: num(usage.completion_tokens) ?? 0,
    ...(cached === undefined ? {} : { cacheReadTokens: cached })
  }
}

/** `prompt_tokens` already counts cached tokens; cache writes have no OpenAI figure (they are in the prompt count). */
export const encodeUsage = (u: Usage): Json => ({
  prompt_tokens: u.inputTokens,
  completion_tokens: u.outputTokens,
  total_tokens: u.inputTokens + u.outputTokens,
  ...(u.cacheReadTokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: u.cacheReadTokens } })
})

/** Message content is a string, or (some compatible servers) an array of `{type: "text", text}` parts. */
const contentParts = (content: unknown): ReadonlyArray<Part> => {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }]
  return (arr(content) ?? []).flatMap((p): ReadonlyArray<Part> => {
    const text = str(obj(p)?.text)
    return text === undefined ? [] : [{ type: "text", text }]
  })
}

export const decodeToolCalls = (calls: unknown): ReadonlyArray<ToolCall> =>
  (arr(calls) ?? []).flatMap((c): ReadonlyArray<ToolCall> => {
    const call = obj(c)
    const f = obj(call?.function)
    const name = str(f?.name)
    return name === undefined ? [] : [{ id: str(call?.id) ?? "", name, arguments: str(f?.arguments) ?? "" }]
  })

/** A `chat.completion` body (its first choice); undefined when it is not one. */
export const decodeAnswer = (body: unknown): ChatAnswer | undefined => {
  const b = obj(body)
  const choice = obj(arr(b?.choices)?.[0])
  // No choice is no answer (`choices: []`): said as a bad answer, not passed on as an empty one.
  if (b === undefined || choice === undefined) return undefined
  const message = obj(choice?.message)
  // A refusal comes instead of content: it is what the model said.
  const refusal = str(message?.refusal)
  const parts = contentParts(message?.content)
  const created = num(b.created)
  return {
    id: str(b.id) ?? "",
    model: str(b.model) ?? "",
    parts: parts.length === 0 && refusal !== undefined && refusal !== "" ? [{ type: "text", text: refusal }] : parts,
    toolCalls: decodeToolCalls(message?.tool_calls),
    finishReason: decodeFinishReason(str(choice?.finish_reason)),
    usage: decodeUsage(b.usage) ?? { inputTokens: 0, outputTokens: 0 },
    ...(created === undefined ? {} : { created })
  }
}

export const encodeToolCall = (c: ToolCall): Json => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })

const answerText = (parts: ReadonlyArray<Part>): string => parts.map((p) => (p.type === "text" ? p.text : "")).join("")

/** Canonical → a `chat.completion` body. Content is null when the answer is only tool calls, as OpenAI sends it. */
export const encodeAnswer = (answer: ChatAnswer): Json => {
  const text = answerText(answer.parts)
  return {
    id: answer.id,
    object: "chat.completion",
    // The gateway always sets it; 0 only for an answer built without a clock.
    created: answer.created ?? 0,
    model: answer.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text === "" && answer.toolCalls.length > 0 ? null : text,
          refusal: null,
          ...(answer.toolCalls.length > 0 ? { tool_calls: answer.toolCalls.map(encodeToolCall) } : {})
        },
        logprobs: null,
        finish_reason: answer.finishReason
      }
    ],
    usage: encodeUsage(answer.usage)
  }
}

/** OpenAI's error envelope: `type` carries the reason, `code` a finer one when there is. */
export const errorBody = (_status: number, reason: string, message: string, code: string | null = reason): Json => ({
  error: { message, type: reason, param: null, code }
})
