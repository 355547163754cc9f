import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParams } from "openai/resources/chat/completions"
import * as anthropic from "../../../src/domain/chat/anthropic/Codec.js"
import type { ChatRequest, StreamEvent } from "../../../src/domain/chat/Model.js"
import * as openai from "../../../src/domain/chat/openai/Codec.js"
import { sseEvents } from "./arbitraries.js"

/** Real SDK-shaped bodies (the `openai` package's types; Anthropic's as @anthropic-ai/sdk types them) across shapes. */

const right = <A>(e: Either.Either<A, { message: string }>): A => Either.getOrThrowWith(e, (u) => new Error(u.message))

const PNG = "iVBORw0KGgo="
const weatherTool = { type: "object", properties: { city: { type: "string" } }, required: ["city"] }

describe("an OpenAI client's tool-calling conversation to an Anthropic model", () => {
  const body: ChatCompletionCreateParams = {
    model: "openclaw",
    messages: [
      { role: "developer", content: "You are terse." },
      { role: "user", content: [{ type: "text", text: "Weather in Paris and Oslo? Also, this:" }, { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } }, { type: "image_url", image_url: { url: "https://example.com/a.jpg", detail: "low" } }] },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "weather", arguments: "{\"city\":\"Paris\"}" } },
          { id: "call_2", type: "function", function: { name: "weather", arguments: "{\"city\":\"Oslo\"}" } }
        ]
      },
      { role: "tool", tool_call_id: "call_1", content: "18°C" },
      { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "4°C" }] },
      { role: "user", content: "Thanks. Which is warmer?" }
    ],
    tools: [{ type: "function", function: { name: "weather", description: "Current weather", parameters: weatherTool } }],
    tool_choice: "required",
    parallel_tool_calls: false,
    stop: "END",
    top_p: 0.9,
    temperature: 0.3,
    max_completion_tokens: 300,
    user: "user-42",
    stream: false
  }

  it("reaches Anthropic with tools, tool_use blocks and tool results in one user turn", () => {
    const canonical = right(openai.decodeRequest(body))
    expect(right(anthropic.encodeRequest({ ...canonical, model: "claude-opus-4-6" }))).toEqual({
      model: "claude-opus-4-6",
      max_tokens: 300,
      system: "You are terse.",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Weather in Paris and Oslo? Also, this:" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
            { type: "image", source: { type: "url", url: "https://example.com/a.jpg" } }
          ]
        },
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "call_1", name: "weather", input: { city: "Paris" } },
            { type: "tool_use", id: "call_2", name: "weather", input: { city: "Oslo" } }
          ]
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_1", content: "18°C" },
            { type: "tool_result", tool_use_id: "call_2", content: "4°C" },
            { type: "text", text: "Thanks. Which is warmer?" }
          ]
        }
      ],
      tools: [{ name: "weather", description: "Current weather", input_schema: weatherTool }],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      temperature: 0.3,
      top_p: 0.9,
      stop_sequences: ["END"],
      metadata: { user_id: "user-42" }
    })
  })

  it("without max_tokens gets Anthropic's required one by default; n, logprobs and json_object are refused by name", () => {
    const canonical = right(openai.decodeRequest({ model: "openclaw", messages: [{ role: "user", content: "hi" }] }))
    expect(right(anthropic.encodeRequest(canonical))).toMatchObject({ max_tokens: anthropic.DEFAULT_MAX_TOKENS, messages: [{ role: "user", content: "hi" }] })
    const refused = (extra: Partial<ChatCompletionCreateParams>) => {
      const result = anthropic.encodeRequest(right(openai.decodeRequest({ ...body, ...extra })))
      return Either.isLeft(result) ? result.left : undefined
    }
    expect(refused({ n: 3 })).toMatchObject({ _tag: "Unsupported", field: "n" })
    expect(refused({ n: 1 })).toBeUndefined()
    expect(refused({ logprobs: true })?.field).toBe("logprobs")
    expect(refused({ response_format: { type: "json_object" } })?.message).toMatch(/^response_format: "json_object" has no translation/)
    expect(refused({ response_format: { type: "json_schema", json_schema: { name: "x" } } })?.message).toMatch(/^response_format\.json_schema\.schema: /)
    expect(refused({ temperature: 1.7 })?.field).toBe("temperature")
    // Hints go only while they ask nothing the answer would lack (§8.4: never silently dropped).
    expect(refused({ store: false, metadata: { run: "1" }, service_tier: "auto" })).toBeUndefined()
    expect(refused({ store: true })?.field).toBe("store")
    expect(refused({ service_tier: "flex" })?.field).toBe("service_tier")
  })

  it("parallel_tool_calls without tools sends no tool_choice (Anthropic refuses one without tools); with tools it rides on it", () => {
    const plain = right(anthropic.encodeRequest(right(openai.decodeRequest({ model: "openclaw", messages: [{ role: "user", content: "hi" }], parallel_tool_calls: false }))))
    expect(plain).not.toHaveProperty("tool_choice")
    expect(plain).not.toHaveProperty("tools")
    const withTools = right(anthropic.encodeRequest(right(openai.decodeRequest({ ...body, tool_choice: undefined, parallel_tool_calls: false }))))
    expect(withTools).toMatchObject({ tool_choice: { type: "auto", disable_parallel_tool_use: true } })
  })
})

describe("an Anthropic client's tool-calling conversation to an OpenAI-shaped model", () => {
  // As Claude Code sends it: system blocks with cache_control, a tool_use, an erroring tool_result.
  const body = {
    model: "claude-sonnet-4-5",
    max_tokens: 2048,
    system: [
      { type: "text", text: "You are Claude Code." },
      { type: "text", text: "Project rules.", cache_control: { type: "ephemeral" } }
    ],
    messages: [
      { role: "user", content: "List the files." },
      { role: "assistant", content: [{ type: "text", text: "Let me look." }, { type: "tool_use", id: "toolu_01", name: "Bash", input: { command: "ls" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "permission denied", is_error: true }, { type: "text", text: "Try again", cache_control: { type: "ephemeral" } }] }
    ],
    tools: [{ name: "Bash", description: "Run a command", input_schema: { type: "object", properties: { command: { type: "string" } } } }],
    tool_choice: { type: "auto" },
    stop_sequences: ["</done>"],
    temperature: 1,
    metadata: { user_id: "session-9" },
    stream: true
  }

  it("reaches OpenAI with tool_calls, a tool message and the system prompt (cache hints left out)", () => {
    const canonical = right(anthropic.decodeRequest(body))
    expect(canonical.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "user"])
    expect(right(openai.encodeRequest({ ...canonical, model: "gpt-4o" }))).toEqual({
      model: "gpt-4o",
      messages: [
        { role: "system", content: [{ type: "text", text: "You are Claude Code." }, { type: "text", text: "Project rules." }] },
        { role: "user", content: "List the files." },
        { role: "assistant", content: "Let me look.", tool_calls: [{ id: "toolu_01", type: "function", function: { name: "Bash", arguments: "{\"command\":\"ls\"}" } }] },
        { role: "tool", tool_call_id: "toolu_01", content: "permission denied" },
        { role: "user", content: "Try again" }
      ],
      tools: [{ type: "function", function: { name: "Bash", description: "Run a command", parameters: { type: "object", properties: { command: { type: "string" } } } } }],
      tool_choice: "auto",
      max_tokens: 2048,
      temperature: 1,
      stop: ["</done>"],
      user: "session-9",
      stream: true,
      stream_options: { include_usage: true }
    })
  })

  it("refuses thinking, server tools and documents by name", () => {
    const refusedField = (request: Either.Either<ChatRequest, { field: string }>) => {
      const encoded = Either.flatMap(request, openai.encodeRequest)
      return Either.isLeft(encoded) ? encoded.left.field : undefined
    }
    expect(refusedField(anthropic.decodeRequest({ ...body, thinking: { type: "enabled", budget_tokens: 1024 } }))).toBe("thinking")
    expect(refusedField(anthropic.decodeRequest({ ...body, service_tier: "standard_only" }))).toBe("service_tier")
    expect(refusedField(anthropic.decodeRequest({ ...body, service_tier: "auto" }))).toBeUndefined()
    expect(refusedField(anthropic.decodeRequest({ ...body, tools: [{ type: "web_search_20250305", name: "web_search" }] }))).toBe("tools.0")
    const doc = { role: "user", content: [{ type: "document", source: { type: "text", media_type: "text/plain", data: "x" } }] }
    expect(refusedField(anthropic.decodeRequest({ ...body, messages: [doc] }))).toBe("messages.0.content.0")
  })
})

describe("structured outputs across shapes (§8.4)", () => {
  const person = { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } }, required: ["name", "age"], additionalProperties: false }
  const ask = { model: "openclaw", messages: [{ role: "user" as const, content: "Ada Lovelace, 36" }] }

  it("OpenAI's json_schema response_format is Anthropic's output_config.format; its description goes into the schema", () => {
    // As LangChain's withStructuredOutput and the AI SDK's generateObject send it.
    const plain = right(anthropic.encodeRequest(right(openai.decodeRequest({ ...ask, response_format: { type: "json_schema", json_schema: { name: "Person", strict: true, schema: person } } }))))
    expect(plain.output_config).toEqual({ format: { type: "json_schema", schema: person } })
    expect(plain).not.toHaveProperty("response_format")
    const described = right(anthropic.encodeRequest(right(openai.decodeRequest({ ...ask, response_format: { type: "json_schema", json_schema: { name: "Person", description: "A person", schema: person } } }))))
    expect(described.output_config).toEqual({ format: { type: "json_schema", schema: { description: "A person", ...person } } })
    // Two different descriptions cannot both go; a text format asks for nothing.
    const twice = Either.flatMap(openai.decodeRequest({ ...ask, response_format: { type: "json_schema", json_schema: { name: "P", description: "A person", schema: { ...person, description: "Someone" } } } }), anthropic.encodeRequest)
    expect(Either.isLeft(twice) && twice.left.field).toBe("response_format.json_schema.description")
    expect(right(anthropic.encodeRequest(right(openai.decodeRequest({ ...ask, response_format: { type: "text" } }))))).not.toHaveProperty("output_config")
  })

  it("Anthropic's output_config.format is a strict json_schema for an OpenAI-shaped model; its other settings are refused by name there", () => {
    const body = { model: "claude-opus-4-6", max_tokens: 1024, messages: [{ role: "user", content: "Ada Lovelace, 36" }] }
    const format = { type: "json_schema", schema: person }
    const encoded = right(openai.encodeRequest({ ...right(anthropic.decodeRequest({ ...body, output_config: { format } })), model: "gpt-4o" }))
    expect(encoded.response_format).toEqual({ type: "json_schema", json_schema: { name: "output", schema: person, strict: true } })
    // A property left optional (Anthropic takes it; OpenAI's strict mode does not): non-strict, not refused.
    const optional = { ...person, required: ["name"] }
    const loose = right(openai.encodeRequest({ ...right(anthropic.decodeRequest({ ...body, output_config: { format: { type: "json_schema", schema: optional } } })), model: "gpt-4o" }))
    expect(loose.response_format).toEqual({ type: "json_schema", json_schema: { name: "output", schema: optional, strict: false } })
    expect(encoded).not.toHaveProperty("output_config")
    const field = (request: unknown) => {
      const result = Either.flatMap(anthropic.decodeRequest(request), openai.encodeRequest)
      return Either.isLeft(result) ? result.left.field : undefined
    }
    expect(field({ ...body, output_config: { format, effort: "high" } })).toBe("output_config.effort")
    expect(field({ ...body, output_config: { format: { type: "regex", pattern: "x" } } })).toBe("output_config.format.type")
    expect(field({ ...body, output_config: { format: { type: "json_schema" } } })).toBe("output_config.format.schema")
    expect(field({ ...body, output_config: { format: null, effort: null } })).toBeUndefined()
    // Back to an Anthropic model (a fallback of its own shape), the format and the settings beside it are as sent.
    const back = right(anthropic.encodeRequest(right(anthropic.decodeRequest({ ...body, output_config: { effort: "high", format } }))))
    expect(back.output_config).toEqual({ effort: "high", format })
  })
})

describe("fields inside messages and tools that a translation has no place for are refused by name, never dropped (§8.4)", () => {
  const base = { model: "openclaw", messages: [{ role: "user", content: "hi" }] }
  const toAnthropic = (body: unknown) => {
    const result = Either.flatMap(openai.decodeRequest(body), anthropic.encodeRequest)
    return Either.isLeft(result) ? result.left.field : undefined
  }
  const toOpenai = (body: unknown) => {
    const result = Either.flatMap(anthropic.decodeRequest(body), openai.encodeRequest)
    return Either.isLeft(result) ? result.left.field : undefined
  }

  it("from an OpenAI client", () => {
    const fn = { name: "f", parameters: { type: "object", properties: {} } }
    expect(toAnthropic({ ...base, messages: [{ role: "user", content: "hi", name: "ada" }] })).toBe("messages.0.name")
    expect(toAnthropic({ ...base, messages: [{ role: "user", content: "hi", x_msg: 1 }] })).toBe("messages.0.x_msg")
    expect(toAnthropic({ ...base, tools: [{ type: "function", function: fn, x_tool: 1 }] })).toBe("tools.0.x_tool")
    expect(toAnthropic({ ...base, tools: [{ type: "function", function: { ...fn, x_fn: 1 } }] })).toBe("tools.0.function.x_fn")
    const image = (extra: Record<string, unknown>) => ({ ...base, messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png", ...extra } }] }] })
    for (const detail of ["low", "high", "auto"]) expect(toAnthropic(image({ detail }))).toBeUndefined()
    expect(toAnthropic(image({ crop: [0, 0] }))).toBe("messages.0.content.0.image_url.crop")
    // What clients echo back from an answer (empty or null), a tool result's tool name, a streamed call's index and
    // a text part's cache hint (kept: Anthropic caches too) all go.
    // The openai package's runTools and parse helpers echo `parsed` and `parsed_arguments` back.
    const call = { id: "call_1", type: "function", index: 0, function: { name: "f", arguments: "{}", parsed_arguments: {} } }
    const echoed = { ...base, tools: [{ type: "function", function: fn }], messages: [
      { role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }] },
      { role: "assistant", content: null, refusal: null, annotations: [], audio: null, parsed: null, tool_calls: [call] },
      { role: "tool", tool_call_id: "call_1", name: "f", content: "42" }
    ] }
    expect(toAnthropic(echoed)).toBeUndefined()
    const encoded = right(anthropic.encodeRequest(right(openai.decodeRequest(echoed))))
    expect(encoded.messages).toEqual(expect.arrayContaining([{ role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }] }]))
    expect(toAnthropic({ ...echoed, messages: [echoed.messages[0], { ...echoed.messages[1], tool_calls: [{ ...call, x_call: 1 }] }] })).toBe("messages.1.tool_calls.0.x_call")
  })

  it("from an Anthropic client", () => {
    const body = { model: "claude-opus-4-6", max_tokens: 64, messages: [{ role: "user", content: "hi" }] }
    const tool = { name: "f", input_schema: { type: "object", properties: {} } }
    expect(toOpenai({ ...body, tools: [{ ...tool, input_examples: [{}] }] })).toBe("tools.0.input_examples")
    expect(toOpenai({ ...body, tools: [{ ...tool, x_unknown: 1 }] })).toBe("tools.0.x_unknown")
    // The AI SDK marks every streamed tool so; it changes only how finely the input is streamed.
    expect(toOpenai({ ...body, tools: [{ ...tool, eager_input_streaming: true, cache_control: { type: "ephemeral" } }] })).toBeUndefined()
    expect(toOpenai({ ...body, messages: [{ role: "user", content: "hi", x_msg: 1 }] })).toBe("messages.0.x_msg")
    expect(toOpenai({ ...body, messages: [{ role: "user", content: [{ type: "text", text: "hi", citations: [{ type: "char_location" }] }] }] })).toBe("messages.0.content.0.citations")
    expect(toOpenai({ ...body, messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "https://example.com/a.png", x: 1 } }] }] })).toBe("messages.0.content.0.source.x")
    expect(toOpenai({ ...body, system: [{ type: "text", text: "s", x_sys: 1 }] })).toBe("system.0.x_sys")
    const turn = [{ role: "user", content: "hi" }, { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: {}, x_use: 1 }] }]
    expect(toOpenai({ ...body, tools: [tool], messages: turn })).toBe("messages.1.content.0.x_use")
    // The API's own tool_use blocks, echoed back as the SDK's tool loop does: called by the model directly.
    const use = (caller: unknown) => ({ ...body, tools: [tool], messages: [{ role: "user", content: "hi" }, { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "f", input: {}, caller }] }] })
    expect(toOpenai(use({ type: "direct" }))).toBeUndefined()
    expect(toOpenai(use({ type: "code_execution_20250825", tool_id: "srvtoolu_1" }))).toBe("messages.1.content.0.caller")
    expect(toOpenai({ ...body, tools: [tool], messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "42", x_res: 1 }] }] })).toBe("messages.0.content.0.x_res")
    expect(toOpenai({ ...body, tools: [tool], tool_choice: { type: "auto", x_choice: 1 } })).toBe("tool_choice.x_choice")
  })
})

describe("answers across shapes", () => {
  it("an Anthropic tool_use answer reaches an OpenAI client as tool_calls, with cached tokens in prompt_tokens", () => {
    const answer = anthropic.decodeAnswer({
      id: "msg_01",
      type: "message",
      role: "assistant",
      model: "claude-opus-4-6",
      content: [{ type: "text", text: "Checking." }, { type: "tool_use", id: "toolu_9", name: "weather", input: { city: "Paris" } }],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 100, cache_creation_input_tokens: 5 }
    })!
    const completion = openai.encodeAnswer({ ...answer, created: 1_700_000_000 }) as unknown as ChatCompletion
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: { role: "assistant", content: "Checking.", refusal: null, tool_calls: [{ id: "toolu_9", type: "function", function: { name: "weather", arguments: "{\"city\":\"Paris\"}" } }] },
      logprobs: null,
      finish_reason: "tool_calls"
    })
    expect(completion.usage).toEqual({ prompt_tokens: 115, completion_tokens: 20, total_tokens: 135, prompt_tokens_details: { cached_tokens: 100 } })
  })

  it("an OpenAI tool_calls answer reaches an Anthropic client as tool_use blocks, cached tokens beside input_tokens", () => {
    const body: ChatCompletion = {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "gpt-4o",
      choices: [{ index: 0, finish_reason: "tool_calls", logprobs: null, message: { role: "assistant", content: null, refusal: null, tool_calls: [{ id: "call_7", type: "function", function: { name: "weather", arguments: "{\"city\":\"Oslo\"}" } }] } }],
      usage: { prompt_tokens: 50, completion_tokens: 9, total_tokens: 59, prompt_tokens_details: { cached_tokens: 32 } }
    }
    expect(anthropic.encodeAnswer(openai.decodeAnswer(body)!)).toEqual({
      id: "chatcmpl-1",
      type: "message",
      role: "assistant",
      model: "gpt-4o",
      content: [{ type: "tool_use", id: "call_7", name: "weather", input: { city: "Oslo" } }],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 18, output_tokens: 9, cache_creation_input_tokens: null, cache_read_input_tokens: 32 }
    })
  })
})

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
const decodeAll = (decoder: ReturnType<typeof openai.streamDecoder>, text: string): Array<StreamEvent> =>
  sseEvents([text]).flatMap((e) => decoder.onEvent(e).events)

describe("streams across shapes", () => {
  it("an Anthropic tool-use stream reaches an OpenAI client as tool_calls deltas, then finish_reason and usage", () => {
    const upstream = [
      frame("message_start", { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude-opus-4-6", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 25, output_tokens: 1, cache_read_input_tokens: 0 } } }),
      frame("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
      frame("ping", { type: "ping" }),
      frame("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Let me check." } }),
      frame("content_block_stop", { type: "content_block_stop", index: 0 }),
      frame("content_block_start", { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_1", name: "weather", input: {} } }),
      frame("content_block_delta", { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: "{\"city\": " } }),
      frame("content_block_delta", { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: "\"Paris\"}" } }),
      frame("content_block_stop", { type: "content_block_stop", index: 1 }),
      frame("message_delta", { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 40 } }),
      frame("message_stop", { type: "message_stop" })
    ].join("")
    const events = decodeAll(anthropic.streamDecoder(), upstream)
    const encoder = openai.streamEncoder({ includeUsage: true })
    const chunks = sseEvents([...events.flatMap((e) => encoder.onEvent(e)), ...encoder.end()]).map((e) => e.data)
    expect(chunks.at(-1)).toBe("[DONE]")
    const parsed = chunks.slice(0, -1).map((c) => JSON.parse(c) as ChatCompletionChunk)
    expect(parsed.map((c) => c.choices[0]?.delta)).toEqual([
      { role: "assistant", content: "" },
      { content: "Let me check." },
      { tool_calls: [{ index: 0, id: "toolu_1", type: "function", function: { name: "weather", arguments: "" } }] },
      { tool_calls: [{ index: 0, function: { arguments: "{\"city\": " } }] },
      { tool_calls: [{ index: 0, function: { arguments: "\"Paris\"}" } }] },
      {},
      undefined
    ])
    expect(parsed.at(-2)?.choices[0]?.finish_reason).toBe("tool_calls")
    expect(parsed.at(-1)).toMatchObject({ id: "msg_1", model: "claude-opus-4-6", choices: [], usage: { prompt_tokens: 25, completion_tokens: 40, prompt_tokens_details: { cached_tokens: 0 } } })
  })

  it("an OpenAI tool_calls stream reaches an Anthropic client as a tool_use block with input_json_delta", () => {
    const head = { id: "chatcmpl-9", object: "chat.completion.chunk", created: 1, model: "gpt-4o" }
    const chunk = (delta: unknown, finish: string | null = null, usage?: unknown) => `data: ${JSON.stringify({ ...head, choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`
    const upstream = [
      chunk({ role: "assistant", content: null }),
      chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "{\"city\":" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "\"Oslo\"}" } }] }),
      chunk({}, "tool_calls"),
      chunk(undefined, null, { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 }),
      "data: [DONE]\n\n"
    ].join("")
    const events = decodeAll(openai.streamDecoder(), upstream)
    expect(events.at(-1)).toEqual({ type: "finish", reason: "tool_calls", usage: { inputTokens: 30, outputTokens: 12 } })
    const encoder = anthropic.streamEncoder()
    const out = sseEvents([...events.flatMap((e) => encoder.onEvent(e)), ...encoder.end()])
    expect(out.map((e) => e.event)).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"])
    const data = out.map((e) => JSON.parse(e.data))
    expect(data[1]).toEqual({ type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "call_1", name: "weather", input: {} } })
    expect(data[2]).toEqual({ type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: "{\"city\":" } })
    expect(data[5]).toEqual({ type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { input_tokens: 30, output_tokens: 12, cache_creation_input_tokens: null, cache_read_input_tokens: null } })
  })

  it("an event whose data is not a JSON object fails the stream there (both shapes), never skipped as if it held nothing (§8.4)", () => {
    const unreadable = { events: [], done: true, error: { message: "the provider sent a stream event that is not a JSON object" } }
    for (const decoder of [openai.streamDecoder(), anthropic.streamDecoder()]) {
      expect(decoder.onEvent({ event: "", data: '{"choices":[{"delta":{"content":"LO' })).toEqual(unreadable)
    }
    expect(openai.streamDecoder().onEvent({ event: "", data: "5" })).toEqual(unreadable)
    expect(anthropic.streamDecoder().onEvent({ event: "content_block_delta", data: "null" })).toEqual(unreadable)
    // A keep-alive without data is nothing.
    expect(openai.streamDecoder().onEvent({ event: "", data: "" })).toEqual({ events: [], done: false })
    expect(anthropic.streamDecoder().onEvent({ event: "ping", data: " " })).toEqual({ events: [], done: false })
    // Events Anthropic's docs say to ignore stay ignored, whatever their data.
    expect(anthropic.streamDecoder().onEvent({ event: "ping", data: "not json" })).toEqual({ events: [], done: false })
    expect(anthropic.streamDecoder().onEvent({ event: "future_event", data: "<b>" })).toEqual({ events: [], done: false })
  })

  it("a chat.completion without a choice is no answer, not an empty one", () => {
    expect(openai.decodeAnswer({ id: "x", object: "chat.completion", choices: [] })).toBeUndefined()
    expect(openai.decodeAnswer({ id: "x", object: "chat.completion", choices: [7] })).toBeUndefined()
  })

  it("a provider's error event fails the stream with the status its type stands for", () => {
    const step = anthropic.streamDecoder().onEvent({ event: "error", data: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }) })
    expect(step).toEqual({ events: [], done: true, error: { message: "Overloaded", status: 529 } })
    expect(sseEvents(anthropic.streamEncoder().error(529, "unavailable", "Overloaded"))).toEqual([{ event: "error", data: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }) }])
    expect(JSON.parse(sseEvents(openai.streamEncoder().error(502, "unknown", "gone"))[0]!.data)).toEqual({ error: { message: "gone", type: "unknown", param: null, code: "unknown" } })
  })
})

describe("client bodies that cannot be carried or are not bodies", () => {
  it("names the field", () => {
    const field = (body: unknown, codec: typeof openai | typeof anthropic = openai) => {
      const decoded = codec.decodeRequest(body)
      return Either.isLeft(decoded) ? decoded.left : undefined
    }
    expect(field({ model: "openclaw", messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "x", format: "wav" } }] }] })?.field).toBe("messages.0.content.0")
    expect(field({ model: "openclaw", messages: [{ role: "robot", content: "hi" }] })?.message).toMatch(/^messages\.0\.role: .*"system".*"tool"/)
    expect(field({ model: "openclaw", messages: [{ role: "tool", content: "x" }] })?.field).toBe("messages.0.tool_call_id")
    expect(field({ model: "openclaw", messages: [{ role: "user", content: "x" }], tools: [{ type: "custom", custom: { name: "x" } }] })?.field).toBe("tools.0")
    expect(field({ model: "claude", max_tokens: 5, messages: [{ role: "user", content: "x" }], temperature: 1.5 }, anthropic)?.field).toBe("temperature")
    expect(field([1, 2], anthropic)?.message).toBeDefined()
  })

  it("error bodies in each shape", () => {
    expect(anthropic.errorBody(401, "auth", "bad key")).toEqual({ type: "error", error: { type: "authentication_error", message: "bad key" } })
    expect(anthropic.errorBody(429, "rate_limit", "slow down")).toEqual({ type: "error", error: { type: "rate_limit_error", message: "slow down" } })
    expect(openai.errorBody(401, "auth", "bad key", "provider_auth_failed")).toEqual({ error: { message: "bad key", type: "auth", param: null, code: "provider_auth_failed" } })
  })
})
