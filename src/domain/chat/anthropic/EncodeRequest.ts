/** The canonical model → an Anthropic provider's Messages body (fields as `@anthropic-ai/sdk` types them). */
import * as Either from "effect/Either"
import { defined, type Json, obj, refuse, str } from "../Codec.js"
import type { ChatRequest, Message, Part, ResponseFormat, ToolCall, Unsupported } from "../Model.js"

/**
 * The Messages API requires `max_tokens`; OpenAI clients usually leave it out and expect the model's own limit.
 * 4096 is the largest value every current Claude model accepts (Claude 3 Haiku's output limit) and room for a
 * long answer; a client that wants more says so.
 */
export const DEFAULT_MAX_TOKENS = 4096

/** A service tier that asks for nothing particular. */
const quietTier = (tier: unknown): boolean => tier === undefined || tier === null || tier === "auto" || tier === "default"

/** Fields of an OpenAI client that only steer storage, caching or tracing: Anthropic answers the same without them. */
const OPENAI_HINTS = new Set(["store", "metadata", "prompt_cache_key", "safety_identifier", "service_tier", "stream_options"])

const textBlock = (p: Extract<Part, { type: "text" }>): Json => ({
  type: "text",
  text: p.text,
  ...(p.cacheControl === undefined ? {} : { cache_control: p.cacheControl })
})

const partBlocks = (parts: ReadonlyArray<Part>, at: string, images: boolean): Either.Either<Array<Json>, Unsupported> =>
  Either.all(
    parts.map((p, j) => {
      if (p.type === "text") return Either.right(textBlock(p))
      if (!images) return refuse(`${at}.${j}`, "Anthropic takes images only in user turns and tool results")
      return Either.right({ type: "image", source: p.source.kind === "url" ? { type: "url", url: p.source.url } : { type: "base64", media_type: p.source.mediaType, data: p.source.data } })
    })
  )

/** One plain text block is string content (as clients write it); no block is ""; else the blocks. */
const shaped = (blocks: ReadonlyArray<Json>): string | ReadonlyArray<Json> => {
  const only = blocks[0]
  if (blocks.length === 0) return ""
  if (blocks.length === 1 && only?.type === "text" && only.cache_control === undefined && only.text !== "") return only.text as string
  return blocks
}

const toolInput = (c: ToolCall, at: string): Either.Either<unknown, Unsupported> => {
  if (c.arguments.trim() === "") return Either.right({})
  let input: unknown
  try {
    input = JSON.parse(c.arguments)
  } catch {
    return refuse(at, "the tool call's arguments are not JSON")
  }
  return obj(input) === undefined ? refuse(at, "the tool call's arguments are not a JSON object") : Either.right(input)
}

/**
 * Anthropic has one top-level system prompt: every system message goes there, in order. Consecutive turns of one
 * role merge (tool results are user turns: consecutive results, and a user message after them, make one turn).
 */
const encodeMessages = (messages: ReadonlyArray<Message>) =>
  Either.gen(function* () {
    const system: Array<Json> = []
    const turns: Array<{ role: "user" | "assistant"; blocks: Array<Json> }> = []
    const add = (role: "user" | "assistant", blocks: ReadonlyArray<Json>) => {
      const last = turns[turns.length - 1]
      if (last !== undefined && last.role === role) last.blocks.push(...blocks)
      else turns.push({ role, blocks: [...blocks] })
    }
    for (const [i, m] of messages.entries()) {
      const at = `messages.${i}.content`
      switch (m.role) {
        case "system":
          system.push(...(yield* partBlocks(m.parts, at, false)))
          break
        case "user":
          add("user", yield* partBlocks(m.parts, at, true))
          break
        case "tool": {
          const content = shaped(yield* partBlocks(m.parts, at, true))
          add("user", [{ type: "tool_result", tool_use_id: m.toolCallId, content, ...(m.isError === undefined ? {} : { is_error: m.isError }) }])
          break
        }
        case "assistant": {
          const blocks = yield* partBlocks(m.parts, at, false)
          for (const [j, c] of m.toolCalls.entries()) {
            blocks.push({ type: "tool_use", id: c.id, name: c.name, input: yield* toolInput(c, `messages.${i}.tool_calls.${j}.function.arguments`) })
          }
          add("assistant", blocks)
        }
      }
    }
    return { system, messages: turns.map((t) => ({ role: t.role, content: shaped(t.blocks) })) }
  })

const encodeToolChoice = (r: ChatRequest): Json | undefined => {
  const c = r.toolChoice
  const base: Json | undefined = c === undefined ? undefined : c.type === "required" ? { type: "any" } : c.type === "tool" ? { type: "tool", name: c.name } : { type: c.type }
  if (r.parallelToolCalls === undefined || c?.type === "none") return base
  // `parallel_tool_calls` without tools (clients send it by default) says nothing, and Anthropic refuses a
  // tool_choice without tools (400).
  if (c === undefined && (r.tools === undefined || r.tools.length === 0)) return base
  return { ...(base ?? { type: "auto" }), disable_parallel_tool_use: !r.parallelToolCalls }
}

/** What an OpenAI client asked that Anthropic cannot do: refused by name rather than dropped (§8.4). */
const refusal = (r: ChatRequest): Either.Either<void, Unsupported> => {
  if (r.n !== undefined && r.n > 1) return refuse("n", "Anthropic models give one answer per request; ask without n (or with n: 1)")
  if (r.logprobs === true) return refuse("logprobs", "Anthropic models give no log probabilities")
  if (r.topLogprobs !== undefined && r.topLogprobs > 0) return refuse("top_logprobs", "Anthropic models give no log probabilities")
  if (r.seed !== undefined) return refuse("seed", "Anthropic models take no seed")
  if (r.frequencyPenalty !== undefined && r.frequencyPenalty !== 0) return refuse("frequency_penalty", "Anthropic models have no frequency penalty")
  if (r.presencePenalty !== undefined && r.presencePenalty !== 0) return refuse("presence_penalty", "Anthropic models have no presence penalty")
  if (r.temperature !== undefined && r.temperature > 1) return refuse("temperature", "Anthropic models take a temperature from 0 to 1")
  if (r.extra !== undefined && r.extra.shape === "openai") {
    const fields = r.extra.fields
    const field = Object.keys(fields).find((k) => !OPENAI_HINTS.has(k) && fields[k] !== null)
    if (field !== undefined) return refuse(field, "has no translation to an Anthropic model")
    // A hint is dropped only while it asks nothing the answer would lack: a completion stored for later, a tier
    // billed and served differently.
    if (fields.store === true) return refuse("store", "Anthropic keeps no stored completions; ask without store: true")
    if (!quietTier(fields.service_tier)) return refuse("service_tier", `"${String(fields.service_tier)}" has no Anthropic counterpart; ask without it (or with "auto")`)
  }
  return Either.void
}

/**
 * OpenAI's `response_format` as Anthropic's structured outputs (`output_config.format`): a JSON schema is one in
 * both. Its `name` only labels the schema for OpenAI; its `description` says what the answer is, as the schema's own
 * top-level description does, so it goes there. `strict: false` asks less than Anthropic guarantees, which is still
 * what was asked. `json_object` ("any JSON") has no Anthropic counterpart.
 */
const outputFormat = (format: ResponseFormat | undefined): Either.Either<Json | undefined, Unsupported> => {
  if (format === undefined || format.type === "text") return Either.right(undefined)
  if (format.type !== "json_schema") {
    return refuse("response_format", `"${format.type}" has no translation to an Anthropic model; give a json_schema, or describe the format in the prompt`)
  }
  const spec = obj(format.json_schema)
  const schema = obj(spec?.schema)
  if (schema === undefined) return refuse("response_format.json_schema.schema", "a json_schema format needs its schema (a JSON object) for an Anthropic model")
  const description = str(spec?.description)
  if (description === undefined || description === "" || schema.description === description) return Either.right({ type: "json_schema", schema })
  if (schema.description !== undefined) return refuse("response_format.json_schema.description", "differs from the schema's own description, and Anthropic takes one; keep one of them")
  return Either.right({ type: "json_schema", schema: { description, ...schema } })
}

/** Canonical → an Anthropic provider's `POST /v1/messages` body. */
export const encodeRequest = (r: ChatRequest): Either.Either<Json, Unsupported> =>
  Either.gen(function* () {
    yield* refusal(r)
    const { system, messages } = yield* encodeMessages(r.messages)
    const toolChoice = encodeToolChoice(r)
    const systemValue = shaped(system)
    const passed = r.extra?.shape === "anthropic" ? r.extra.fields : {}
    const format = yield* outputFormat(r.responseFormat)
    // An Anthropic client's other output settings (`effort`) travel in `extra`, beside the format.
    const outputConfig = format === undefined ? undefined : { ...obj(passed.output_config), format }
    return {
      ...passed,
      model: r.model,
      max_tokens: r.maxTokens ?? DEFAULT_MAX_TOKENS,
      ...(system.length === 0 ? {} : { system: systemValue }),
      messages,
      ...defined("tools", r.tools?.map((t) => ({
        name: t.name,
        ...defined("description", t.description),
        // Anthropic requires a schema; a tool without arguments takes an empty object.
        input_schema: t.parameters ?? { type: "object", properties: {} },
        ...defined("strict", t.strict)
      }))),
      ...defined("tool_choice", toolChoice),
      ...defined("temperature", r.temperature),
      ...defined("top_p", r.topP),
      ...defined("top_k", r.topK),
      ...defined("stop_sequences", r.stop),
      ...(r.user === undefined ? {} : { metadata: { user_id: r.user } }),
      ...defined("output_config", outputConfig),
      ...(r.stream ? { stream: true } : {})
    }
  })
