/**
 * Canonical requests, answers and streams as each wire shape can carry them, for the round-trip properties:
 * what a shape cannot hold (OpenAI: cache hints, tool errors, cache writes; Anthropic: n, logprobs, a system
 * prompt mid-conversation, two user turns in a row, …) is left out here and refused or normalized elsewhere.
 */
import * as FastCheck from "effect/FastCheck"
import type { SseEvent } from "../../../src/domain/chat/Codec.js"
import type { ChatAnswer, ChatRequest, Message, Part, StreamEvent, Tool, ToolCall, ToolChoice, Usage } from "../../../src/domain/chat/Model.js"
import { SseParser } from "../../../src/services/providers/sse.js"

const fc = FastCheck
const opt = <A>(arb: FastCheck.Arbitrary<A>) => fc.option(arb, { nil: undefined })
/** A value as JSON carries it (no -0). */
const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v))
/** Drops the keys whose value is undefined, as the codecs build their objects. */
export const clean = <A>(a: { readonly [K in keyof A]: A[K] | undefined }): A => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as A

const text = fc.string({ maxLength: 12 })
const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,9}$/)
const id = fc.stringMatching(/^(call|toolu)_[A-Za-z0-9]{4,12}$/)
const positive = fc.integer({ min: 1, max: 100_000 })
/** `x + 0` turns -0 into 0: JSON has no -0. */
const unit = fc.double({ min: 0, max: 1, noNaN: true }).map((x) => x + 0)

const textPart = (cache: boolean): FastCheck.Arbitrary<Part> =>
  fc.record({ text, cache: cache ? fc.boolean() : fc.constant(false) }).map(({ text, cache }) => ({ type: "text", text, ...(cache ? { cacheControl: { type: "ephemeral" } } : {}) }))
const imagePart: FastCheck.Arbitrary<Part> = fc.oneof(
  fc.record({ mediaType: fc.constantFrom("image/png", "image/jpeg", "image/gif", "image/webp"), data: fc.base64String({ maxLength: 24 }) }).map(({ mediaType, data }) => ({ type: "image" as const, source: { kind: "base64" as const, mediaType, data } })),
  fc.webUrl().map((url) => ({ type: "image" as const, source: { kind: "url" as const, url } }))
)
const parts = (part: FastCheck.Arbitrary<Part>, minLength = 0) => fc.array(part, { minLength, maxLength: 3 })

/** Arguments as JSON text of an object, as models produce them (and as Anthropic's `input` round-trips). */
const args = fc.dictionary(word, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }).map((o) => JSON.stringify(o))
const toolCall: FastCheck.Arbitrary<ToolCall> = fc.record({ id, name: word, arguments: args })

const schema = fc.record({ type: fc.constant("object"), properties: fc.dictionary(word, fc.constant({ type: "string" }), { maxKeys: 2 }) })
const tool = (parametersRequired: boolean): FastCheck.Arbitrary<Tool> =>
  fc
    .record({ name: word, description: opt(text), parameters: parametersRequired ? schema : opt(schema), strict: opt(fc.boolean()) })
    .map((t) => clean(t) as Tool)
const toolChoice: FastCheck.Arbitrary<ToolChoice> = fc.oneof(
  fc.constantFrom<ToolChoice>({ type: "auto" }, { type: "none" }, { type: "required" }),
  word.map((name): ToolChoice => ({ type: "tool", name }))
)

export const usage = (shape: "openai" | "anthropic"): FastCheck.Arbitrary<Usage> =>
  fc
    .record({ uncached: fc.nat(50_000), outputTokens: fc.nat(50_000), cacheReadTokens: opt(fc.nat(50_000)), cacheWriteTokens: shape === "anthropic" ? opt(fc.nat(50_000)) : fc.constant(undefined) })
    .map(({ uncached, outputTokens, cacheReadTokens, cacheWriteTokens }) =>
      clean({ inputTokens: uncached + (cacheReadTokens ?? 0) + (cacheWriteTokens ?? 0), outputTokens, cacheReadTokens, cacheWriteTokens }) as Usage
    )

// ---- OpenAI ---------------------------------------------------------------------------------------------------

const openaiMessage: FastCheck.Arbitrary<Message> = fc.oneof(
  parts(textPart(false)).map((p): Message => ({ role: "system", parts: p })),
  parts(fc.oneof(textPart(false), imagePart)).map((p): Message => ({ role: "user", parts: p })),
  fc.record({ p: parts(textPart(false)), calls: fc.array(toolCall, { maxLength: 3 }) }).map(({ p, calls }): Message => ({ role: "assistant", parts: p, toolCalls: calls })),
  fc.record({ id, p: parts(textPart(false)) }).map(({ id, p }): Message => ({ role: "tool", toolCallId: id, parts: p }))
)

const common = {
  model: word,
  tools: opt(fc.array(tool(false), { minLength: 1, maxLength: 3 })),
  toolChoice: opt(toolChoice),
  parallelToolCalls: opt(fc.boolean()),
  maxTokens: opt(positive),
  topP: opt(unit),
  stop: opt(fc.array(text, { minLength: 1, maxLength: 4 })),
  user: opt(text),
  stream: fc.boolean()
}

export const openaiRequest: FastCheck.Arbitrary<ChatRequest> = fc
  .record({
    ...common,
    messages: fc.array(openaiMessage, { minLength: 1, maxLength: 6 }),
    temperature: opt(fc.double({ min: 0, max: 2, noNaN: true }).map((x) => x + 0)),
    n: opt(fc.integer({ min: 1, max: 4 })),
    logprobs: opt(fc.boolean()),
    topLogprobs: opt(fc.integer({ min: 0, max: 20 })),
    responseFormat: opt(fc.constantFrom({ type: "text" }, { type: "json_object" }, { type: "json_schema", json_schema: { name: "out", schema: { type: "object" } } })),
    seed: opt(fc.integer()),
    frequencyPenalty: opt(fc.integer({ min: -20, max: 20 }).map((x) => x / 10)),
    presencePenalty: opt(fc.integer({ min: -20, max: 20 }).map((x) => x / 10)),
    extra: opt(fc.record({ store: fc.boolean(), metadata: fc.dictionary(word, text, { maxKeys: 2 }), custom_vendor_flag: fc.jsonValue({ maxDepth: 1 }).map(asJson) }, { requiredKeys: [] })
      .filter((f) => Object.keys(f).length > 0)
      .map((fields) => ({ shape: "openai" as const, fields })))
  })
  .map((r) => {
    const request = clean(r) as ChatRequest
    // A stream always asks the provider for the usage chunk (usage is recorded); a whole answer has no such option.
    return request.stream ? { ...request, includeUsage: true } : request
  })

// ---- Anthropic ------------------------------------------------------------------------------------------------

const userMessage = parts(fc.oneof(textPart(true), imagePart), 1).map((p): Message => ({ role: "user", parts: p }))
const toolMessage = fc
  .record({ id, p: parts(fc.oneof(textPart(true), imagePart)), isError: opt(fc.boolean()) })
  .map(({ id, p, isError }): Message => clean({ role: "tool" as const, toolCallId: id, parts: p, isError }) as Message)
/** One user turn: tool results with at most one user message before and after them (two in a row would merge). */
const userTurn = fc
  .record({ before: opt(userMessage), results: fc.array(toolMessage, { maxLength: 3 }), after: opt(userMessage) })
  .map(({ before, results, after }) => {
    const turn = [...(before ? [before] : []), ...results, ...(after && (results.length > 0 || !before) ? [after] : [])]
    return turn
  })
  .filter((turn) => turn.length > 0)
const assistantTurn = fc
  .record({ p: parts(textPart(true)), calls: fc.array(toolCall, { maxLength: 3 }) })
  .map(({ p, calls }): Array<Message> => [{ role: "assistant", parts: p, toolCalls: calls }])

/** Alternating turns, the system prompt first: the conversation as Anthropic holds it. */
const anthropicMessages = fc
  .record({ system: opt(parts(textPart(true), 1)), turns: fc.array(fc.tuple(userTurn, assistantTurn), { minLength: 1, maxLength: 3 }), last: fc.boolean() })
  .map(({ system, turns, last }) => {
    const flat = turns.flatMap(([u, a]) => [...u, ...a])
    const messages: Array<Message> = [...(system ? [{ role: "system" as const, parts: system }] : []), ...(last ? flat : flat.slice(0, -1))]
    return messages
  })

export const anthropicRequest: FastCheck.Arbitrary<ChatRequest> = fc
  .record({
    ...common,
    tools: opt(fc.array(tool(true), { minLength: 1, maxLength: 3 })),
    messages: anthropicMessages,
    maxTokens: positive,
    temperature: opt(unit),
    topK: opt(fc.nat(500)),
    extra: opt(fc.record({ thinking: fc.record({ type: fc.constant("enabled"), budget_tokens: positive }), service_tier: fc.constantFrom("auto", "standard_only") }, { requiredKeys: [] })
      .filter((f) => Object.keys(f).length > 0)
      .map((fields) => ({ shape: "anthropic" as const, fields })))
  })
  .map((r) => {
    const request = clean(r) as ChatRequest
    // Anthropic carries "one tool call at most" on the tool choice: none means the default, auto — and without tools
    // there is no tool choice to carry it (a client's default parallel_tool_calls says nothing then).
    if (request.parallelToolCalls !== undefined && request.toolChoice === undefined) {
      return request.tools === undefined ? clean<ChatRequest>({ ...request, parallelToolCalls: undefined }) : { ...request, toolChoice: { type: "auto" as const } }
    }
    if (request.toolChoice?.type === "none") return clean<ChatRequest>({ ...request, parallelToolCalls: undefined })
    return request
  })

// ---- answers and streams ----------------------------------------------------------------------------------------

const finishReason = fc.constantFrom("stop" as const, "length" as const, "tool_calls" as const, "content_filter" as const)

export const openaiAnswer: FastCheck.Arbitrary<ChatAnswer> = fc.record({
  id,
  model: word,
  // One text: OpenAI's message content is one string.
  parts: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }).map((t): ReadonlyArray<Part> => (t === undefined ? [] : [{ type: "text", text: t }])),
  toolCalls: fc.array(toolCall, { maxLength: 3 }),
  finishReason,
  usage: usage("openai"),
  created: fc.nat(2_000_000_000)
})

export const anthropicAnswer: FastCheck.Arbitrary<ChatAnswer> = fc.record({
  id,
  model: word,
  parts: fc.array(fc.string({ minLength: 1, maxLength: 20 }).map((t): Part => ({ type: "text", text: t })), { maxLength: 3 }),
  toolCalls: fc.array(toolCall, { maxLength: 3 }),
  finishReason,
  usage: usage("anthropic")
})

/** start, then text pieces and tool calls (each started before its argument pieces), then finish. */
export const stream = (shape: "openai" | "anthropic"): FastCheck.Arbitrary<ReadonlyArray<StreamEvent>> =>
  fc
    .record({
      id,
      model: word,
      created: shape === "openai" ? fc.nat(2_000_000_000) : fc.constant(undefined),
      items: fc.array(fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.record({ id, name: word, pieces: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 3 }) })), { maxLength: 6 }),
      reason: finishReason,
      usage: shape === "openai" ? opt(usage("openai")) : usage("anthropic")
    })
    .map(({ id, model, created, items, reason, usage }) => {
      const events: Array<StreamEvent> = [clean({ type: "start" as const, id, model, created }) as StreamEvent]
      let tool = 0
      for (const item of items) {
        if (typeof item === "string") events.push({ type: "text", delta: item })
        else {
          const index = tool++
          events.push({ type: "tool_call_start", index, id: item.id, name: item.name })
          for (const piece of item.pieces) events.push({ type: "tool_call_delta", index, argumentsDelta: piece })
        }
      }
      events.push(clean({ type: "finish" as const, reason, usage }) as StreamEvent)
      return events
    })

/** SSE frames as a client reads them: split into events by the providers' own parser, fed in odd pieces. */
export const sseEvents = (frames: ReadonlyArray<string>): ReadonlyArray<SseEvent> => {
  const parser = new SseParser()
  const text = frames.join("")
  const out: Array<SseEvent> = []
  for (let i = 0; i < text.length; i += 7) out.push(...parser.push(text.slice(i, i + 7)))
  out.push(...parser.end())
  return out
}
