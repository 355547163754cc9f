/** The canonical model → an OpenAI-shaped provider's Chat Completions body (fields as the `openai` package types them). */
import * as Either from "effect/Either"
import { defined, type Json, obj, refuse } from "../Codec.js"
import type { ChatRequest, Message, Part, ToolChoice, Unsupported } from "../Model.js"

/**
 * Fields of an Anthropic client that only steer caching, billing or tracing: an OpenAI provider is asked without
 * them and answers the same. Anything else Anthropic-only (`thinking`, server tools, …) is refused.
 */
const ANTHROPIC_HINTS = new Set(["metadata", "service_tier", "cache_control", "inference_geo"])

/** One text part is plain string content (what every OpenAI-compatible server accepts); else an array of parts. */
const encodeContent = (parts: ReadonlyArray<Part>, at: string, images: boolean): Either.Either<string | Array<Json> | null, Unsupported> => {
  const only = parts[0]
  if (parts.length === 1 && only?.type === "text" && only.text !== "") return Either.right(only.text)
  if (parts.length === 0) return Either.right("")
  const out: Array<Json> = []
  for (const [j, p] of parts.entries()) {
    if (p.type === "text") out.push({ type: "text", text: p.text })
    else if (!images) return refuse(`${at}.${j}`, "OpenAI takes images only in user messages")
    else out.push({ type: "image_url", image_url: { url: p.source.kind === "url" ? p.source.url : `data:${p.source.mediaType};base64,${p.source.data}` } })
  }
  return Either.right(out)
}

const encodeMessage = (m: Message, i: number): Either.Either<Json, Unsupported> =>
  Either.gen(function* () {
    const at = `messages.${i}.content`
    switch (m.role) {
      case "system":
      case "user":
        return { role: m.role, content: yield* encodeContent(m.parts, at, m.role === "user") }
      case "assistant": {
        const content = m.parts.length === 0 ? null : yield* encodeContent(m.parts, at, false)
        const toolCalls = m.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }))
        return { role: "assistant", content, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) }
      }
      case "tool":
        // `isError` has no OpenAI field; the result's text says what went wrong, which is what the model reads.
        return { role: "tool", tool_call_id: m.toolCallId, content: yield* encodeContent(m.parts, at, false) }
    }
  })

const encodeToolChoice = (c: ToolChoice): unknown => (c.type === "tool" ? { type: "function", function: { name: c.name } } : c.type)

/** Canonical → an OpenAI-shaped provider's body. A stream always asks for the usage chunk: usage is recorded. */
export const encodeRequest = (request: ChatRequest): Either.Either<Json, Unsupported> =>
  Either.gen(function* () {
    let passed: Json = {}
    if (request.extra !== undefined) {
      if (request.extra.shape === "openai") passed = request.extra.fields
      else {
        const fields = request.extra.fields
        const field = Object.keys(fields).find((k) => !ANTHROPIC_HINTS.has(k) && fields[k] !== null)
        // `output_config`'s format is translated (response_format); what is left of it is named setting by setting.
        const setting = field === "output_config" ? Object.keys(obj(fields.output_config) ?? {})[0] : undefined
        if (field !== undefined) return yield* refuse(setting === undefined ? field : `${field}.${setting}`, "has no translation to an OpenAI-shaped model")
        // Dropped only while it asks nothing the answer would lack: "standard_only" is a promise about billing.
        const tier = fields.service_tier
        if (tier !== undefined && tier !== null && tier !== "auto") {
          return yield* refuse("service_tier", `"${String(tier)}" has no OpenAI counterpart; ask without it (or with "auto")`)
        }
      }
    }
    const messages = yield* Either.all(request.messages.map(encodeMessage))
    const r = request
    return {
      ...passed,
      model: r.model,
      messages,
      ...defined("tools", r.tools?.map((t) => ({
        type: "function",
        function: {
          name: t.name,
          ...defined("description", t.description),
          ...defined("parameters", t.parameters),
          ...defined("strict", t.strict)
        }
      }))),
      ...defined("tool_choice", r.toolChoice === undefined ? undefined : encodeToolChoice(r.toolChoice)),
      ...defined("parallel_tool_calls", r.parallelToolCalls),
      ...defined("max_tokens", r.maxTokens),
      ...defined("temperature", r.temperature),
      ...defined("top_p", r.topP),
      ...(r.topK === undefined ? {} : yield* refuse("top_k", "has no translation to an OpenAI-shaped model")),
      ...defined("stop", r.stop),
      ...defined("n", r.n),
      ...defined("logprobs", r.logprobs),
      ...defined("top_logprobs", r.topLogprobs),
      ...defined("response_format", r.responseFormat),
      ...defined("seed", r.seed),
      ...defined("frequency_penalty", r.frequencyPenalty),
      ...defined("presence_penalty", r.presencePenalty),
      ...defined("user", r.user),
      stream: r.stream,
      ...(r.stream ? { stream_options: { include_usage: true } } : {})
    }
  })
