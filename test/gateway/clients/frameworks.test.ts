/**
 * LangChain JS (ChatOpenAI, ChatAnthropic) and the Vercel AI SDK (@ai-sdk/openai `.chat`, @ai-sdk/anthropic) as
 * clients of the gateway (§8.2, §8.4): each framework's OpenAI-shaped and Anthropic-shaped client on the provider of
 * its own shape (passthrough) and of the other shape (translation). Per path: a multi-turn call with a system
 * prompt and sampling settings, a stream, a tool round trip (forced call → the framework runs the tool → its
 * result goes back → the final answer; streamed and not) and structured output the way each framework asks for it
 * by default. The tests check what the fake provider received (system, turns, settings, tools, tool_choice, the
 * tool result linked to its call) and what the framework handed back (text, tool calls with arguments, usage).
 */
import { createAnthropic } from "@ai-sdk/anthropic"
import { createOpenAI } from "@ai-sdk/openai"
import { ChatAnthropic } from "@langchain/anthropic"
import { AIMessage, type AIMessageChunk, type BaseMessage, HumanMessage, SystemMessage } from "@langchain/core/messages"
import { tool as lcTool } from "@langchain/core/tools"
import { ChatOpenAI } from "@langchain/openai"
import { generateObject, generateText, type LanguageModel, stepCountIs, streamText, tool as aiTool } from "ai"
import { describe, expect, it } from "vitest"
import { z } from "zod/v4"
import { reply, type Shape } from "../../support/fakeProviders.js"
import { scaled } from "../../support/Timing.js"
import { GATEWAY_TOKEN } from "../harness.js"
import { ANTHROPIC_MODEL, OPENAI_MODEL, sharedGateway, sseEvents, tap, withModel } from "./support.js"

const t = sharedGateway()
;(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false

type Wire = ReturnType<typeof tap>
type Framework = "langchain" | "ai-sdk"
const PATHS: Array<[client: Shape, provider: Shape]> = [["openai", "openai"], ["openai", "anthropic"], ["anthropic", "anthropic"], ["anthropic", "openai"]]
const label = (f: Framework, client: Shape, provider: Shape) =>
  `${f === "langchain" ? (client === "openai" ? "LangChain ChatOpenAI" : "LangChain ChatAnthropic") : `AI SDK @ai-sdk/${client}`} → ${provider} provider (${client === provider ? "passthrough" : "translated"})`
const MATRIX = (["langchain", "ai-sdk"] as const).flatMap((f) => PATHS.map(([client, provider]) => ({ f, client, provider, name: label(f, client, provider) })))

/** The model a client names: an OpenAI client names the agent target (the header picks the OpenAI model). */
const clientModel = (client: Shape, provider: Shape) => (client === "openai" ? "openclaw" : provider === "anthropic" ? ANTHROPIC_MODEL : `openai/${OPENAI_MODEL}`)
const providerModel = (provider: Shape) => (provider === "anthropic" ? ANTHROPIC_MODEL : OPENAI_MODEL)
const headers = (client: Shape, provider: Shape): Record<string, string> => (client === "openai" && provider === "openai" ? { "x-openclaw-model": `openai/${OPENAI_MODEL}` } : {})

const langchain = (client: Shape, provider: Shape, wire: Wire, o: { temperature?: number; topP?: number; maxTokens?: number } = {}) =>
  client === "openai"
    ? new ChatOpenAI({ model: "openclaw", apiKey: GATEWAY_TOKEN, maxRetries: 0, timeout: scaled(20_000), ...o, configuration: { baseURL: `${t.gw.url}/v1`, defaultHeaders: headers(client, provider), fetch: wire.fetch } })
    : new ChatAnthropic({ model: clientModel(client, provider), apiKey: GATEWAY_TOKEN, maxRetries: 0, anthropicApiUrl: t.gw.url, maxTokens: 1024, ...o, clientOptions: { timeout: scaled(20_000), fetch: wire.fetch } })

const aiSdk = (client: Shape, provider: Shape, wire: Wire): LanguageModel =>
  client === "openai"
    ? createOpenAI({ baseURL: `${t.gw.url}/v1`, apiKey: GATEWAY_TOKEN, headers: headers(client, provider), fetch: wire.fetch }).chat("openclaw")
    : createAnthropic({ baseURL: `${t.gw.url}/v1`, apiKey: GATEWAY_TOKEN, fetch: wire.fetch })(clientModel(client, provider))

/** A LangChain stream's chunks merged, and how many chunks carried text or pieces of tool calls. */
const collect = async (stream: Promise<AsyncIterable<AIMessageChunk>>) => {
  let message: AIMessageChunk | undefined
  let chunks = 0
  let toolChunks = 0
  for await (const c of await stream) {
    message = message === undefined ? c : message.concat(c)
    if (textOf(c.content) !== "") chunks++
    if ((c.tool_call_chunks ?? []).length > 0) toolChunks++
  }
  return { message: message!, chunks, toolChunks }
}

const fresh = (...replies: Parameters<typeof t.world.fake.script>[1]) => {
  t.world.fake.reset()
  t.world.fake.script("*", replies)
  return t.world.fake
}

const textOf = (c: unknown): string => (typeof c === "string" ? c : Array.isArray(c) ? c.map((b: any) => (b?.type === "text" ? b.text : "")).join("") : "")
/** The provider's request in one form, whichever shape it has and whoever wrote it. */
const digest = (provider: Shape, body: any) =>
  provider === "anthropic"
    ? { system: textOf(body.system), turns: body.messages.map((m: any) => `${m.role}: ${textOf(m.content)}`), maxTokens: body.max_tokens, temperature: body.temperature, topP: body.top_p, stop: body.stop_sequences }
    : {
        system: body.messages.filter((m: any) => m.role === "system" || m.role === "developer").map((m: any) => textOf(m.content)).join(""),
        turns: body.messages.filter((m: any) => m.role !== "system" && m.role !== "developer").map((m: any) => `${m.role}: ${textOf(m.content)}`),
        maxTokens: body.max_completion_tokens ?? body.max_tokens,
        temperature: body.temperature,
        topP: body.top_p,
        stop: body.stop
      }

/** Same shape: what the provider got is the client's body byte for byte but for `model` (§8.4). */
const expectPassthrough = (client: Shape, provider: Shape, wire: Wire, n = 0) => {
  if (client !== provider) return
  expect(t.world.fake.requests[n]!.raw.toString("utf8")).toBe(withModel(wire.exchanges[n]!.requestBody, clientModel(client, provider), providerModel(provider)))
}

// The provider counts 20 fresh + 8 cached prompt tokens: 28 in every client's own terms.
const USAGE = { input: 20, output: 4, cacheRead: 8 }
const TURNS = ["user: Hello", "assistant: Hi! How can I help?", "user: Say hi"]
const SETTINGS = { system: "Be brief.", turns: TURNS, maxTokens: 77, temperature: 0.3, topP: 0.9, stop: ["END"] }

describe("LangChain and the AI SDK: a multi-turn call with a system prompt and settings (§8.4)", () => {
  for (const { f, client, provider, name } of MATRIX) it(name, async () => {
    const fake = fresh(reply.ok("Hi there", { usage: USAGE }))
    const wire = tap()
    // @ai-sdk/anthropic itself leaves topP out beside temperature for a Claude model (and warns); it sends both to a
    // model it does not know.
    const aiDropsTopP = f === "ai-sdk" && client === "anthropic" && provider === "anthropic"
    if (f === "langchain") {
      const history: Array<BaseMessage> = [new SystemMessage("Be brief."), new HumanMessage("Hello"), new AIMessage("Hi! How can I help?"), new HumanMessage("Say hi")]
      const answer = await langchain(client, provider, wire, { temperature: 0.3, topP: 0.9, maxTokens: 77 }).invoke(history, { stop: ["END"] })
      expect(answer.content).toBe("Hi there")
      expect(answer.usage_metadata).toMatchObject({ input_tokens: 28, output_tokens: 4, total_tokens: 32, input_token_details: { cache_read: 8 } })
    } else {
      const messages = [{ role: "user" as const, content: "Hello" }, { role: "assistant" as const, content: "Hi! How can I help?" }, { role: "user" as const, content: "Say hi" }]
      const r = await generateText({ model: aiSdk(client, provider, wire), maxRetries: 0, system: "Be brief.", messages, temperature: 0.3, topP: 0.9, maxOutputTokens: 77, stopSequences: ["END"] })
      expect(r.text).toBe("Hi there")
      expect(r.finishReason).toBe("stop")
      expect(r.usage).toMatchObject({ inputTokens: 28, outputTokens: 4, totalTokens: 32, inputTokenDetails: { cacheReadTokens: 8 } })
      if (aiDropsTopP) expect(r.warnings).toContainEqual(expect.objectContaining({ type: "unsupported", feature: "topP" }))
    }
    expect(fake.requests.map((r) => `${r.shape} ${r.status}`)).toEqual([`${provider} 200`])
    expect(fake.requests[0]!.body).toMatchObject({ model: providerModel(provider) })
    expect(digest(provider, fake.requests[0]!.body)).toEqual(aiDropsTopP ? { ...SETTINGS, topP: undefined } : SETTINGS)
    expectPassthrough(client, provider, wire)
  })
})

describe("LangChain and the AI SDK: streaming (§8.4)", () => {
  for (const { f, client, provider, name } of MATRIX) it(name, async () => {
    const fake = fresh(reply.ok("one two three four", { usage: USAGE, chunks: 4 }))
    const wire = tap()
    if (f === "langchain") {
      const { message, chunks } = await collect(langchain(client, provider, wire).stream([new SystemMessage("Be brief."), new HumanMessage("Count")]))
      expect(chunks).toBeGreaterThanOrEqual(4)
      expect(message.content).toBe("one two three four")
      if (client === "openai") expect(message.usage_metadata).toMatchObject({ input_tokens: 28, output_tokens: 4, total_tokens: 32 })
      // ChatAnthropic takes the prompt count from message_start only and adds message_start's output_tokens to
      // message_delta's. Passthrough: the provider's own events (checked below). Translated: an OpenAI provider
      // counts the prompt only at the end, so the figures travel in message_delta (as the Messages API also sends them).
      else if (provider === "anthropic") expect(message.usage_metadata).toMatchObject({ input_tokens: 28 })
      else {
        expect(message.usage_metadata).toMatchObject({ output_tokens: 4 })
        const delta = sseEvents(await wire.exchanges[0]!.responseText).find((e) => e.event === "message_delta")
        expect(JSON.parse(delta!.data).usage).toMatchObject({ input_tokens: 20, cache_read_input_tokens: 8, output_tokens: 4 })
      }
    } else {
      const r = streamText({ model: aiSdk(client, provider, wire), maxRetries: 0, maxOutputTokens: 1024, system: "Be brief.", prompt: "Count" })
      const parts: Array<string> = []
      for await (const p of r.textStream) parts.push(p)
      expect(parts.length).toBeGreaterThanOrEqual(4)
      expect(parts.join("")).toBe("one two three four")
      expect(await r.finishReason).toBe("stop")
      expect(await r.usage).toMatchObject({ inputTokens: 28, outputTokens: 4, totalTokens: 32, inputTokenDetails: { cacheReadTokens: 8 } })
    }
    expect(fake.requests).toHaveLength(1)
    const body = fake.requests[0]!.body as any
    expect(body.stream).toBe(true)
    expect(digest(provider, body)).toMatchObject({ system: "Be brief.", turns: ["user: Count"] })
    expectPassthrough(client, provider, wire)
    if (client === provider) expect(sseEvents(await wire.exchanges[0]!.responseText)).toEqual(sseEvents(fake.requests[0]!.answer))
  })
})

const QUESTION = "What is the weather in Paris?"
const RESULT = "18°C and sunny"
const FINAL = "It is 18°C and sunny in Paris."
const ARGS = { city: "Paris", unit: "C" }
const DESCRIPTION = "The current weather in a city"
const WeatherArgs = z.object({ city: z.string(), unit: z.enum(["C", "F"]).optional() })
const callId = (provider: Shape) => (provider === "anthropic" ? "toolu_01FakeWeatherCall" : "call_FakeWeatherCall01")

/** The provider's first request: the tool in its shape, the call forced, the system prompt. */
const expectToolOffered = (provider: Shape, body: any, name: string) => {
  expect(body.tools).toHaveLength(1)
  if (provider === "anthropic") {
    expect(body.tools[0]).toMatchObject({ name, input_schema: { type: "object" } })
    expect(body.tool_choice).toMatchObject({ type: "tool", name })
  } else {
    expect(body.tools[0]).toMatchObject({ type: "function", function: { name, parameters: { type: "object" } } })
    expect(body.tool_choice).toEqual({ type: "function", function: { name } })
  }
}

/** The provider's second request: the assistant's call and the framework's result, linked by the provider's id. */
const expectToolResult = (provider: Shape, body: any) => {
  const id = callId(provider)
  if (provider === "anthropic") {
    const [, assistant, result] = body.messages
    expect(assistant.content).toContainEqual({ type: "tool_use", id, name: "get_weather", input: ARGS })
    expect(result.role).toBe("user")
    const block = result.content.find((b: any) => b.type === "tool_result")
    expect(block).toMatchObject({ tool_use_id: id })
    expect(textOf(block.content)).toContain(RESULT)
  } else {
    const assistant = body.messages.find((m: any) => m.role === "assistant")
    expect(assistant.tool_calls).toMatchObject([{ id, type: "function", function: { name: "get_weather" } }])
    expect(JSON.parse(assistant.tool_calls[0].function.arguments)).toEqual(ARGS)
    expect(body.messages.at(-1)).toMatchObject({ role: "tool", tool_call_id: id })
    expect(textOf(body.messages.at(-1).content)).toContain(RESULT)
  }
  expect(body.tool_choice === undefined || ["auto", "none"].includes(body.tool_choice?.type ?? body.tool_choice)).toBe(true)
}

describe("LangChain and the AI SDK: a tool round trip, forced call → tool result → answer (§8.4)", () => {
  for (const { f, client, provider, name } of MATRIX) for (const stream of [false, true]) it(`${name}${stream ? ", streamed" : ""}`, async () => {
    const fake = fresh(
      reply.toolCalls([{ id: callId(provider), name: "get_weather", input: ARGS }], { usage: { input: 30, output: 9 } }),
      reply.ok(FINAL, { usage: { input: 50, output: 8 } })
    )
    const wire = tap()
    if (f === "langchain") {
      const weather = lcTool(async () => RESULT, { name: "get_weather", description: DESCRIPTION, schema: WeatherArgs })
      const model = langchain(client, provider, wire)
      let toolChunks = 0
      const ask = async (m: ReturnType<typeof model.bindTools>, history: Array<BaseMessage>) => {
        if (!stream) return m.invoke(history)
        const got = await collect(m.stream(history))
        toolChunks += got.toolChunks
        return got.message
      }
      const history: Array<BaseMessage> = [new SystemMessage("Use the tools."), new HumanMessage(QUESTION)]
      const first = await ask(model.bindTools([weather], { tool_choice: "get_weather" }), history)
      expect(first.tool_calls).toEqual([{ id: callId(provider), name: "get_weather", args: ARGS, type: "tool_call" }])
      if (!stream) expect(first.usage_metadata).toMatchObject({ input_tokens: 30, output_tokens: 9 })
      const result = await weather.invoke({ ...first.tool_calls![0]!, type: "tool_call" })
      const second = await ask(model.bindTools([weather]), [...history, first, result])
      expect(textOf(second.content)).toBe(FINAL)
      expect(second.tool_calls ?? []).toEqual([])
      // Streamed, the call's arguments arrived in pieces (the fake sends them in three).
      if (stream) expect(toolChunks).toBeGreaterThan(2)
    } else {
      const options = {
        model: aiSdk(client, provider, wire),
        maxRetries: 0,
        maxOutputTokens: 1024,
        system: "Use the tools.",
        prompt: QUESTION,
        tools: { get_weather: aiTool({ description: DESCRIPTION, inputSchema: WeatherArgs, execute: async () => RESULT }) },
        stopWhen: stepCountIs(3),
        prepareStep: ({ stepNumber }: { stepNumber: number }) => (stepNumber === 0 ? { toolChoice: { type: "tool" as const, toolName: "get_weather" as const } } : undefined)
      }
      let deltas = 0
      const drained = async () => {
        const s = streamText(options)
        for await (const part of s.fullStream) if (part.type === "tool-input-delta") deltas++
        return s
      }
      const r = stream ? await drained() : await generateText(options)
      if (stream) expect(deltas).toBeGreaterThan(2)
      const steps = await r.steps
      expect(steps).toHaveLength(2)
      expect(steps[0]!.toolCalls.map((c) => ({ id: c.toolCallId, name: c.toolName, input: c.input }))).toEqual([{ id: callId(provider), name: "get_weather", input: ARGS }])
      expect(steps[0]!.finishReason).toBe("tool-calls")
      expect(await r.text).toBe(FINAL)
      expect(await r.totalUsage).toMatchObject({ inputTokens: 80, outputTokens: 17, totalTokens: 97 })
    }
    expect(fake.requests.map((r) => `${r.shape} ${r.status}`)).toEqual([`${provider} 200`, `${provider} 200`])
    const [first, second] = fake.requests.map((r) => r.body as any)
    expect(first.stream === true).toBe(stream)
    expect(digest(provider, first).system).toBe("Use the tools.")
    expectToolOffered(provider, first, "get_weather")
    expectToolResult(provider, second)
    expectPassthrough(client, provider, wire, 0)
    expectPassthrough(client, provider, wire, 1)
  })
})

const Person = z.object({ name: z.string(), age: z.number().int() }).describe("A person")
const ADA = { name: "Ada Lovelace", age: 36 }

/**
 * How each framework asks for structured output by default, hence what the fake answers: ChatOpenAI and the AI
 * SDK's OpenAI provider send `response_format: json_schema` (a JSON text answer); ChatAnthropic forces a tool named
 * after the schema; the AI SDK's Anthropic provider sends `output_config.format` for a Claude model it knows and
 * forces a `json` tool for a model it does not (`openai/gpt-4o-mini`). An OpenAI client's json_schema reaches an
 * Anthropic model as `output_config.format`, the Messages API's own structured outputs.
 */
const structuredReply = (f: Framework, client: Shape, provider: Shape) =>
  client === "openai" || (f === "ai-sdk" && provider === "anthropic")
    ? reply.ok(JSON.stringify(ADA))
    : reply.toolCalls([{ id: callId(provider), name: f === "langchain" ? "Person" : "json", input: ADA }])

/** The provider was asked for the schema: as a response format, or as the one tool it must call. */
const expectSchemaAsked = (f: Framework, client: Shape, provider: Shape, body: any) => {
  const tool = f === "langchain" ? "Person" : "json"
  if (client === "openai" && provider === "openai") expect(body.response_format).toMatchObject({ type: "json_schema", json_schema: { schema: { properties: { age: {} } } } })
  else if (client === "openai") expect(body.output_config).toMatchObject({ format: { type: "json_schema", schema: { properties: { age: {} } } } })
  else if (f === "ai-sdk" && provider === "anthropic") expect(body.output_config).toMatchObject({ format: { type: "json_schema", schema: { properties: { age: {} } } } })
  else if (provider === "anthropic") {
    expect(body.tools).toMatchObject([{ name: tool, input_schema: { properties: { age: {} } } }])
    expect(body.tool_choice).toMatchObject({ type: "tool", name: tool })
  } else {
    expect(body.tools).toMatchObject([{ type: "function", function: { name: tool, parameters: { properties: { age: {} } } } }])
    expect(body.tool_choice).toEqual(f === "langchain" ? { type: "function", function: { name: tool } } : "required")
  }
}

describe("LangChain withStructuredOutput and AI SDK generateObject, as each asks by default (§8.4)", () => {
  for (const { f, client, provider, name } of MATRIX) it(name, async () => {
    const fake = fresh(structuredReply(f, client, provider))
    const wire = tap()
    const object =
      f === "langchain"
        ? await langchain(client, provider, wire).withStructuredOutput(Person, { name: "Person" }).invoke("Ada Lovelace, 36")
        : (await generateObject({ model: aiSdk(client, provider, wire), maxRetries: 0, maxOutputTokens: 1024, schema: Person, prompt: "Ada Lovelace, 36" })).object
    expect(object).toEqual(ADA)
    expect(fake.requests).toHaveLength(1)
    expectSchemaAsked(f, client, provider, fake.requests[0]!.body)
    expectPassthrough(client, provider, wire)
  })
})

describe("a framework that calls the Responses API is told what to use instead", () => {
  it("the AI SDK's default OpenAI model (POST /v1/responses): a 404 that names Chat Completions and openai.chat()", async () => {
    const fake = fresh(reply.ok("unused"))
    const model = createOpenAI({ baseURL: `${t.gw.url}/v1`, apiKey: GATEWAY_TOKEN })("openclaw")
    const error = await generateText({ model, maxRetries: 0, prompt: "hi" }).then(() => undefined, (e: unknown) => e as { statusCode?: number; message: string })
    expect(error?.statusCode).toBe(404)
    expect(error?.message).toContain("not the Responses API")
    expect(error?.message).toContain('openai.chat("openclaw")')
    expect(fake.requests).toHaveLength(0)
  })
})
