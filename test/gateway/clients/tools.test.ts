/**
 * A tool-calling round trip (the model asks for a tool, the client runs it and sends the result, the model
 * answers) through the gateway with the official clients, in all four client × provider combinations, streaming
 * and not (§8.4, issue #13). The fake provider asks for the tool in its own shape; the tests check what the client
 * got and what the provider received on the second call: the assistant's tool call and the result, linked by id.
 */
import type Anthropic from "@anthropic-ai/sdk"
import type OpenAI from "openai"
import { describe, expect, it } from "vitest"
import { reply, type Shape } from "../../support/fakeProviders.js"
import { anthropicClient, ANTHROPIC_MODEL, openaiClient, OPENAI_MODEL, sharedGateway } from "./support.js"

const t = sharedGateway()

const QUESTION = "What is the weather in Paris?"
const RESULT = "18°C and sunny"
const FINAL = "It is 18°C and sunny in Paris."
const TOOL = {
  name: "get_weather",
  description: "The current weather in a city",
  schema: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["C", "F"] } }, required: ["city"] }
}
const ARGS = { city: "Paris", unit: "C" }
const callId = (provider: Shape) => (provider === "anthropic" ? "toolu_01FakeWeatherCall" : "call_FakeWeatherCall01")

/** What the provider's second request must hold, in its own shape. */
const expectSecondRequest = (provider: Shape, body: any, id: string) => {
  if (provider === "anthropic") {
    expect(body.tools).toEqual([{ name: TOOL.name, description: TOOL.description, input_schema: TOOL.schema }])
    const [user, assistant, result] = body.messages
    expect(user.role).toBe("user")
    expect(JSON.stringify(user.content)).toContain(QUESTION)
    expect(assistant.role).toBe("assistant")
    expect(assistant.content).toContainEqual({ type: "tool_use", id, name: TOOL.name, input: ARGS })
    expect(result.role).toBe("user")
    const block = result.content.find((b: any) => b.type === "tool_result")
    expect(block).toMatchObject({ type: "tool_result", tool_use_id: id })
    expect(JSON.stringify(block.content)).toContain(RESULT)
    expect(body.max_tokens).toBeGreaterThan(0)
  } else {
    expect(body.tools).toEqual([{ type: "function", function: { name: TOOL.name, description: TOOL.description, parameters: TOOL.schema } }])
    const [user, assistant, result] = body.messages
    expect(user.role).toBe("user")
    expect(JSON.stringify(user.content)).toContain(QUESTION)
    expect(assistant).toMatchObject({ role: "assistant", tool_calls: [{ id, type: "function", function: { name: TOOL.name } }] })
    expect(JSON.parse(assistant.tool_calls[0].function.arguments)).toEqual(ARGS)
    expect(result).toMatchObject({ role: "tool", tool_call_id: id })
    expect(JSON.stringify(result.content)).toContain(RESULT)
  }
}

const openaiRoundTrip = async (provider: Shape, stream: boolean) => {
  const client = openaiClient(t.gw, provider === "openai" ? { headers: { "x-openclaw-model": `openai/${OPENAI_MODEL}` } } : {})
  const tools: Array<OpenAI.ChatCompletionTool> = [{ type: "function", function: { name: TOOL.name, description: TOOL.description, parameters: TOOL.schema } }]
  const messages: Array<OpenAI.ChatCompletionMessageParam> = [{ role: "user", content: QUESTION }]
  const ask = (): Promise<OpenAI.ChatCompletion> =>
    stream
      ? client.chat.completions.stream({ model: "openclaw", messages, tools, stream_options: { include_usage: true } }).finalChatCompletion()
      : client.chat.completions.create({ model: "openclaw", messages, tools })

  const first = await ask()
  expect(first.choices[0]!.finish_reason).toBe("tool_calls")
  const calls = first.choices[0]!.message.tool_calls ?? []
  expect(calls).toHaveLength(1)
  const call = calls[0]! as OpenAI.ChatCompletionMessageFunctionToolCall
  expect(call).toMatchObject({ id: callId(provider), type: "function", function: { name: TOOL.name } })
  expect(JSON.parse(call.function.arguments)).toEqual(ARGS)

  messages.push(first.choices[0]!.message as OpenAI.ChatCompletionAssistantMessageParam, { role: "tool", tool_call_id: call.id, content: RESULT })
  const second = await ask()
  expect(second.choices[0]!.message.content).toBe(FINAL)
  expect(second.choices[0]!.finish_reason).toBe("stop")
  if (stream) expect(second.usage).toMatchObject({ completion_tokens: 7 })
}

const anthropicRoundTrip = async (provider: Shape, stream: boolean) => {
  const client = anthropicClient(t.gw)
  const model = provider === "openai" ? `openai/${OPENAI_MODEL}` : ANTHROPIC_MODEL
  const tools: Array<Anthropic.Tool> = [{ name: TOOL.name, description: TOOL.description, input_schema: TOOL.schema as Anthropic.Tool.InputSchema }]
  const messages: Array<Anthropic.MessageParam> = [{ role: "user", content: QUESTION }]
  const ask = (): Promise<Anthropic.Message> =>
    stream
      ? client.messages.stream({ model, max_tokens: 1024, messages, tools }).finalMessage()
      : client.messages.create({ model, max_tokens: 1024, messages, tools })

  const first = await ask()
  expect(first.stop_reason).toBe("tool_use")
  const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use")
  expect(uses).toHaveLength(1)
  expect(uses[0]).toMatchObject({ id: callId(provider), name: TOOL.name, input: ARGS })

  messages.push({ role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: uses[0]!.id, content: RESULT }] })
  const second = await ask()
  expect(second.content).toEqual([expect.objectContaining({ type: "text", text: FINAL })])
  expect(second.stop_reason).toBe("end_turn")
  expect(second.usage.output_tokens).toBe(7)
}

const combos: Array<[client: Shape, provider: Shape, stream: boolean]> = []
for (const client of ["openai", "anthropic"] as const)
  for (const provider of ["openai", "anthropic"] as const) for (const stream of [false, true]) combos.push([client, provider, stream])

describe("a tool-calling round trip with the official clients (§8.4)", () => {
  it.each(combos)("%s client → %s provider, stream: %s", async (client, provider, stream) => {
    const fake = t.world.fake
    fake.reset()
    fake.script("*", [reply.toolCalls([{ id: callId(provider), name: TOOL.name, input: ARGS }]), reply.ok(FINAL)])
    await (client === "openai" ? openaiRoundTrip(provider, stream) : anthropicRoundTrip(provider, stream))

    expect(fake.requests.map((r) => `${r.shape} ${r.status}`)).toEqual([`${provider} 200`, `${provider} 200`])
    const [first, second] = fake.requests.map((r) => r.body as any)
    expect(first.model).toBe(provider === "anthropic" ? ANTHROPIC_MODEL : OPENAI_MODEL)
    expect(first.stream === true).toBe(stream)
    expect(first.tools).toHaveLength(1)
    expectSecondRequest(provider, second, callId(provider))
  })
})
