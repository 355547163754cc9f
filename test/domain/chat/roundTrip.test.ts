import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as anthropic from "../../../src/domain/chat/anthropic/Codec.js"
import type { ChatCodec } from "../../../src/domain/chat/Codec.js"
import type { ChatRequest, StreamEvent, Usage } from "../../../src/domain/chat/Model.js"
import * as openai from "../../../src/domain/chat/openai/Codec.js"
import { anthropicAnswer, anthropicRequest, clean, openaiAnswer, openaiRequest, sseEvents, stream } from "./arbitraries.js"

/** decode∘encode keeps every field each shape can carry (§8.4). */

const RUNS = { fastCheck: { numRuns: 500 } }

const roundTrip = (codec: ChatCodec, request: ChatRequest) => {
  const body = Either.getOrThrowWith(codec.encodeRequest(request), (u) => new Error(u.message))
  // Through JSON, as it travels.
  return codec.decodeRequest(JSON.parse(JSON.stringify(body)))
}

/** A stream encoded in a shape, read back by the same shape's decoder. */
const streamRoundTrip = (codec: ChatCodec, events: ReadonlyArray<StreamEvent>, includeUsage: boolean) => {
  const encoder = codec.streamEncoder({ includeUsage })
  const frames = [...events.flatMap((e) => encoder.onEvent(e)), ...encoder.end()]
  const decoder = codec.streamDecoder()
  const out: Array<StreamEvent> = []
  let done = false
  for (const event of sseEvents(frames)) {
    expect(done, "nothing after the end").toBe(false)
    const step = decoder.onEvent(event)
    expect(step.error).toBeUndefined()
    out.push(...step.events)
    done = step.done
  }
  expect(done).toBe(true)
  return out
}

describe("the OpenAI codec keeps what OpenAI carries", () => {
  it.prop("requests: canonical → OpenAI body → canonical", [openaiRequest], ([request]) => {
    expect(roundTrip(openai.openaiCodec, request)).toEqual(Either.right(request))
  }, RUNS)

  it.prop("answers: canonical → chat.completion → canonical", [openaiAnswer], ([answer]) => {
    expect(openai.decodeAnswer(JSON.parse(JSON.stringify(openai.encodeAnswer(answer))))).toEqual(answer)
  }, RUNS)

  it.prop("streams: canonical events → chunks → canonical events (usage when asked)", [stream("openai")], ([events]) => {
    expect(streamRoundTrip(openai.openaiCodec, events, true)).toEqual(events)
  }, RUNS)

  it.prop("streams without include_usage: the same events, no usage", [stream("openai")], ([events]) => {
    const withoutUsage = events.map((e) => (e.type === "finish" ? clean<StreamEvent>({ ...e, usage: undefined }) : e))
    expect(streamRoundTrip(openai.openaiCodec, events, false)).toEqual(withoutUsage)
  }, RUNS)
})

describe("the Anthropic codec keeps what Anthropic carries", () => {
  it.prop("requests: canonical → Messages body → canonical", [anthropicRequest], ([request]) => {
    expect(roundTrip(anthropic.anthropicCodec, request)).toEqual(Either.right(request))
  }, RUNS)

  it.prop("answers: canonical → message → canonical", [anthropicAnswer], ([answer]) => {
    expect(anthropic.decodeAnswer(JSON.parse(JSON.stringify(anthropic.encodeAnswer(answer))))).toEqual(answer)
  }, RUNS)

  it.prop("streams: canonical events → Messages events → canonical events", [stream("anthropic")], ([events]) => {
    expect(streamRoundTrip(anthropic.anthropicCodec, events, true)).toEqual(events)
  }, RUNS)
})

describe("across shapes: what one shape cannot carry is refused by name", () => {
  const refusals: ReadonlyArray<[string, Partial<ChatRequest>]> = [
    ["n", { n: 2 }],
    ["logprobs", { logprobs: true }],
    ["top_logprobs", { topLogprobs: 3 }],
    ["response_format.json_schema.schema", { responseFormat: { type: "json_schema", json_schema: { name: "x" } } }],
    ["response_format", { responseFormat: { type: "json_object" } }],
    ["seed", { seed: 7 }],
    ["frequency_penalty", { frequencyPenalty: 0.5 }],
    ["presence_penalty", { presencePenalty: -1 }],
    ["temperature", { temperature: 1.5 }],
    ["web_search_options", { extra: { shape: "openai", fields: { web_search_options: {} } } }]
  ]
  it.prop("OpenAI-only fields to an Anthropic model", [openaiRequest, FastCheck.constantFrom(...refusals)], ([request, [field, patch]]) => {
    const result = anthropic.encodeRequest({ ...request, ...patch })
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      // The first refusal found names its field; this one is always among those the request holds.
      expect(result.left.message.startsWith(`${result.left.field}: `)).toBe(true)
      const alone = anthropic.encodeRequest({ model: "m", messages: [{ role: "user", parts: [{ type: "text", text: "hi" }] }], stream: false, ...patch })
      expect(Either.isLeft(alone) && alone.left.field).toBe(field)
    }
  }, { fastCheck: { numRuns: 200 } })

  it.prop("Anthropic-only fields to an OpenAI-shaped model", [anthropicRequest, FastCheck.constantFrom<[string, Partial<ChatRequest>]>(["top_k", { topK: 5 }], ["thinking", { extra: { shape: "anthropic", fields: { thinking: { type: "enabled", budget_tokens: 1024 } } } }])], ([request, [field, patch]]) => {
    expect(Either.isLeft(openai.encodeRequest({ ...request, ...patch }))).toBe(true)
    const alone = openai.encodeRequest({ model: "m", messages: [{ role: "user", parts: [{ type: "text", text: "hi" }] }], stream: false, ...patch })
    expect(Either.isLeft(alone) && alone.left.field).toBe(field)
  }, { fastCheck: { numRuns: 200 } })

  // Anthropic needs a turn besides the system prompt.
  const conversation = openaiRequest.filter((r) => r.messages.some((m) => m.role !== "system"))
  it.prop("what both carry survives OpenAI → canonical → Anthropic → canonical", [conversation], ([request]) => {
    // The fields Anthropic has no place for are left out; system prompts, tool errors and cache hints are not in OpenAI's set.
    const portable = clean<ChatRequest>({ ...request, n: undefined, logprobs: undefined, topLogprobs: undefined, responseFormat: undefined, seed: undefined, frequencyPenalty: undefined, presencePenalty: undefined, extra: undefined, temperature: request.temperature === undefined ? undefined : Math.min(1, request.temperature), includeUsage: undefined })
    const back = roundTrip(anthropic.anthropicCodec, portable)
    expect(Either.isRight(back)).toBe(true)
    if (Either.isRight(back)) {
      const r = back.right
      expect(r.model).toBe(portable.model)
      expect(r.tools?.map((t) => t.name)).toEqual(portable.tools?.map((t) => t.name))
      expect(r.stop).toEqual(portable.stop)
      expect(r.topP).toEqual(portable.topP)
      expect(r.user).toEqual(portable.user)
      // Every tool call and every tool result arrives, in order, with its id.
      const calls = (rq: ChatRequest) => rq.messages.flatMap((m) => (m.role === "assistant" ? m.toolCalls.map((c) => c.id) : m.role === "tool" ? [`result:${m.toolCallId}`] : []))
      expect(calls(r)).toEqual(calls(portable))
    }
  }, { fastCheck: { numRuns: 200 } })
})

describe("usage across shapes", () => {
  it.prop("cached tokens: OpenAI counts them in prompt_tokens, Anthropic beside input_tokens", [FastCheck.nat(10_000), FastCheck.nat(10_000), FastCheck.nat(10_000), FastCheck.nat(10_000)], ([uncached, read, write, output]) => {
    const fromAnthropic = anthropic.decodeAnswer({ id: "msg_1", type: "message", content: [], usage: { input_tokens: uncached, cache_read_input_tokens: read, cache_creation_input_tokens: write, output_tokens: output } })!
    const expected: Usage = { inputTokens: uncached + read + write, outputTokens: output, cacheReadTokens: read, cacheWriteTokens: write }
    expect(fromAnthropic.usage).toEqual(expected)
    const asOpenai = openai.encodeAnswer(fromAnthropic).usage
    expect(asOpenai).toEqual({ prompt_tokens: uncached + read + write, completion_tokens: output, total_tokens: uncached + read + write + output, prompt_tokens_details: { cached_tokens: read } })
  })
})
