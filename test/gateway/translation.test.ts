import { describe, expect, it } from "@effect/vitest"
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions"
import { reply } from "../support/fakeProviders.js"
import { KEYS, PRIMARY, withGateway } from "./harness.js"

/** An OpenAI client on the Anthropic model behind "openclaw": tools and tool calls cross the shapes (§8.4). */

const tools: Array<ChatCompletionTool> = [
  { type: "function", function: { name: "weather", description: "Current weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }
]
const ASK: Array<ChatCompletionMessageParam> = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Weather in Paris?" }
]

describe("gateway: an OpenAI client's tools on an Anthropic model", () => {
  it.scopedLive("the tools reach Anthropic, the tool_use comes back as tool_calls, the result goes back as a tool_result", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.a, [
        reply.toolCalls([{ id: "toolu_01", name: "weather", input: { city: "Paris" } }], { usage: { input: 40, output: 12, cacheRead: 30 } }),
        reply.ok("18°C in Paris.")
      ])
      const first = await gw.client().chat.completions.create({ model: "openclaw", messages: ASK, tools, tool_choice: "required" })
      expect(first.model).toBe(PRIMARY)
      expect(first.choices[0]?.finish_reason).toBe("tool_calls")
      expect(first.choices[0]?.message.tool_calls).toEqual([{ id: "toolu_01", type: "function", function: { name: "weather", arguments: "{\"city\":\"Paris\"}" } }])
      // Anthropic's input_tokens leaves the cached ones out; OpenAI's prompt_tokens counts them.
      expect(first.usage).toMatchObject({ prompt_tokens: 70, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 30 } })
      expect(world.fake.requests.at(-1)!.body).toMatchObject({
        system: "Be brief.",
        tools: [{ name: "weather", description: "Current weather", input_schema: tools[0]!.type === "function" ? tools[0]!.function.parameters : undefined }],
        tool_choice: { type: "any" }
      })

      const call = first.choices[0]!.message
      const second = await gw.client().chat.completions.create({
        model: "openclaw",
        messages: [...ASK, { role: "assistant", content: call.content, tool_calls: call.tool_calls! }, { role: "tool", tool_call_id: "toolu_01", content: "18°C" }],
        tools
      })
      expect(second.choices[0]?.message.content).toBe("18°C in Paris.")
      expect(world.fake.requests.at(-1)!.body).toMatchObject({
        messages: [
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_01", name: "weather", input: { city: "Paris" } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "18°C" }] }
        ]
      })
    }))

  it.scopedLive("streamed: input_json_delta arrives as tool_calls argument deltas, then finish_reason tool_calls", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.toolCalls([{ id: "toolu_02", name: "weather", input: { city: "Oslo" }, chunks: 3 }])])
      const stream = await gw.client().chat.completions.create({ model: "openclaw", messages: ASK, tools, stream: true, stream_options: { include_usage: true } })
      const chunks: Array<ChatCompletionChunk> = []
      for await (const chunk of stream) chunks.push(chunk)
      const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
      expect(calls[0]).toMatchObject({ index: 0, id: "toolu_02", type: "function", function: { name: "weather" } })
      expect(JSON.parse(calls.map((c) => c.function?.arguments ?? "").join(""))).toEqual({ city: "Oslo" })
      expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("tool_calls")
      expect(chunks.at(-1)?.usage).toBeDefined()
    }))

  it.scopedLive("what Anthropic cannot take is a 400 naming the field, before any provider call", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const refused = await gw.client().chat.completions.create({ model: "openclaw", messages: ASK, n: 2 }).catch((e) => e)
      expect(refused.status).toBe(400)
      expect(refused.message).toContain("n: ")
      expect(world.fake.count).toBe(0)
    }))
})
