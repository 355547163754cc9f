/**
 * Same-shape passthrough with the official clients (§8.4, issue #13): an OpenAI client on an OpenAI-shaped
 * provider and an Anthropic client on an Anthropic provider. What the client sends reaches the provider byte for
 * byte but for `model` (sampling, stop, response_format, seed, images, tools, thinking, cache_control, metadata,
 * fields nobody here knows); what the provider answers reaches the client as it was sent (its id, model,
 * system_fingerprint, usage, every stream event). Only the credential changes hands: the provider sees the
 * profile's key, never the gateway token.
 */
import type Anthropic from "@anthropic-ai/sdk"
import type OpenAI from "openai"
import type { ChatCompletionStreamParams } from "openai/lib/ChatCompletionStream"
import { describe, expect, it } from "vitest"
import { maskSecret } from "../../../src/domain/Mask.js"
import { reply } from "../../support/fakeProviders.js"
import { GATEWAY_TOKEN, KEYS } from "../harness.js"
import { anthropicClient, ANTHROPIC_MODEL, openaiClient, OPENAI_MODEL, sharedGateway, sseEvents, tap, withModel } from "./support.js"

const t = sharedGateway()

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
const TO_OPENAI = { "x-openclaw-model": `openai/${OPENAI_MODEL}` }

/** Everything Chat Completions takes, and a field it does not know yet. */
const openaiBody = (stream: boolean) =>
  ({
    model: "openclaw",
    messages: [
      { role: "developer", content: "Answer in JSON." },
      {
        role: "user",
        name: "ada",
        content: [
          { type: "text", text: "Describe these images — café ☕" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}`, detail: "low" } },
          { type: "image_url", image_url: { url: "https://example.com/cat.png" } }
        ]
      }
    ],
    response_format: {
      type: "json_schema",
      json_schema: { name: "answer", strict: true, schema: { type: "object", properties: { text: { type: "string" } }, required: ["text"], additionalProperties: false } }
    },
    stop: ["END", "\n\n###"],
    top_p: 0.9,
    temperature: 0.25,
    seed: 42,
    n: 1,
    logprobs: true,
    top_logprobs: 2,
    max_completion_tokens: 300,
    presence_penalty: 0.5,
    frequency_penalty: -0.5,
    logit_bias: { "50256": -100 },
    user: "user-passthrough",
    metadata: { run: "passthrough" },
    store: false,
    tools: [{ type: "function", function: { name: "lookup", description: "Look something up", parameters: { type: "object", properties: { q: { type: "string" } } }, strict: false } }],
    tool_choice: "auto",
    parallel_tool_calls: false,
    x_vendor_extension: { keep: [1, 2.5, "é", null, { deep: true }] },
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {})
  }) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming

/** Everything Messages takes, and a field it does not know yet. */
const anthropicBody = (stream: boolean) =>
  ({
    model: "openclaw",
    max_tokens: 2048,
    system: [
      { type: "text", text: "You describe images." },
      { type: "text", text: "A long stable prefix.", cache_control: { type: "ephemeral" } }
    ],
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "Describe these images — café ☕" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.png" }, cache_control: { type: "ephemeral" } }
        ]
      }
    ],
    stop_sequences: ["END", "\n\nHuman:"],
    top_p: 0.9,
    top_k: 40,
    thinking: { type: "enabled", budget_tokens: 1024 },
    metadata: { user_id: "user-passthrough" },
    tools: [{ name: "lookup", description: "Look something up", input_schema: { type: "object", properties: { q: { type: "string" } } }, cache_control: { type: "ephemeral" } }],
    tool_choice: { type: "auto", disable_parallel_tool_use: true },
    x_vendor_extension: { keep: [1, 2.5, "é", null, { deep: true }] },
    ...(stream ? { stream: true } : {})
  }) as unknown as Anthropic.MessageCreateParamsNonStreaming

const OWN = { id: "chatcmpl-ProviderOwnId42", model: "gpt-4o-mini-2024-07-18", systemFingerprint: "fp_provider_0042" }
const OWN_ANTHROPIC = { id: "msg_01ProviderOwnId42", model: "claude-opus-4-6-20260101" }
const BETAS = "prompt-caching-2024-07-31,interleaved-thinking-2025-05-14"

describe("OpenAI client → OpenAI-shaped provider: passthrough (§8.4)", () => {
  it("the body reaches the provider byte for byte but for model; the provider's answer reaches the client byte for byte", async () => {
    const fake = t.world.fake
    fake.reset()
    fake.script("*", [reply.ok('{"text":"two images"}', { ...OWN, usage: { input: 30, output: 6, cacheRead: 10 } })])
    const wire = tap()
    const completion = await openaiClient(t.gw, { headers: TO_OPENAI, fetch: wire.fetch }).chat.completions.create(openaiBody(false))

    const [seen] = fake.requests
    expect(fake.requests).toHaveLength(1)
    expect(seen!.path).toBe("/v1/chat/completions")
    expect(seen!.raw.toString("utf8")).toBe(withModel(wire.exchanges[0]!.requestBody, "openclaw", OPENAI_MODEL))
    expect(seen!.headers.authorization).toBe(`Bearer ${maskSecret(KEYS.openai)}`)
    expect(JSON.stringify(seen!.headers)).not.toContain(maskSecret(GATEWAY_TOKEN))

    expect(completion).toMatchObject({ id: OWN.id, model: OWN.model, system_fingerprint: OWN.systemFingerprint })
    expect(completion.usage).toEqual({ prompt_tokens: 40, completion_tokens: 6, total_tokens: 46, prompt_tokens_details: { cached_tokens: 10, audio_tokens: 0 } })
    expect(await wire.exchanges[0]!.responseText).toBe(seen!.answer)
    expect(wire.exchanges[0]!.responseHeaders.get("x-openclaw-profile")).toBe("openai:default")
  })

  it("streaming: every event the provider sent reaches the client in order, the usage chunk included", async () => {
    const fake = t.world.fake
    fake.reset()
    fake.script("*", [reply.ok("a streamed answer", { ...OWN, chunks: 4 })])
    const wire = tap()
    const stream = openaiClient(t.gw, { headers: TO_OPENAI, fetch: wire.fetch }).chat.completions.stream(openaiBody(true) as unknown as ChatCompletionStreamParams)
    const final = await stream.finalChatCompletion()

    const [seen] = fake.requests
    expect(seen!.raw.toString("utf8")).toBe(withModel(wire.exchanges[0]!.requestBody, "openclaw", OPENAI_MODEL))
    expect(sseEvents(await wire.exchanges[0]!.responseText)).toEqual(sseEvents(seen!.answer))
    expect(sseEvents(seen!.answer).at(-1)!.data).toBe("[DONE]")
    expect(final).toMatchObject({ id: OWN.id, model: OWN.model, system_fingerprint: OWN.systemFingerprint })
    expect(final.choices[0]!.message.content).toBe("a streamed answer")
    expect(final.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 7 })
  })
})

describe("Anthropic client → Anthropic provider: passthrough (§8.2, §8.4)", () => {
  it("the body reaches the provider byte for byte but for model, with the client's anthropic-version and anthropic-beta; the answer comes back as sent", async () => {
    const fake = t.world.fake
    fake.reset()
    fake.script("*", [reply.ok("Two images.", { ...OWN_ANTHROPIC, usage: { input: 30, output: 4, cacheRead: 20, cacheWrite: 5 } })])
    const wire = tap()
    const message = await anthropicClient(t.gw, { fetch: wire.fetch, headers: { "anthropic-beta": BETAS } }).messages.create(anthropicBody(false))

    const [seen] = fake.requests
    expect(fake.requests).toHaveLength(1)
    expect(seen!.path).toBe("/v1/messages")
    expect(seen!.raw.toString("utf8")).toBe(withModel(wire.exchanges[0]!.requestBody, "openclaw", ANTHROPIC_MODEL))
    // The profile's API key, and nothing of the gateway token.
    expect(seen!.headers["x-api-key"]).toBe(maskSecret(KEYS.a))
    expect(seen!.headers.authorization).toBeUndefined()
    expect(JSON.stringify(seen!.headers)).not.toContain(maskSecret(GATEWAY_TOKEN))
    expect(seen!.headers["anthropic-version"]).toBe(wire.exchanges[0]!.requestHeaders.get("anthropic-version"))
    expect(seen!.headers["anthropic-beta"]).toBe(BETAS)

    expect(message).toMatchObject({ id: OWN_ANTHROPIC.id, model: OWN_ANTHROPIC.model, content: [{ type: "text", text: "Two images." }] })
    expect(message.usage).toMatchObject({ input_tokens: 30, output_tokens: 4, cache_read_input_tokens: 20, cache_creation_input_tokens: 5 })
    expect(await wire.exchanges[0]!.responseText).toBe(seen!.answer)
  })

  it("streaming: every event (pings included) reaches the client in order", async () => {
    const fake = t.world.fake
    fake.reset()
    fake.script("*", [reply.ok("a streamed answer", { ...OWN_ANTHROPIC, chunks: 4 })])
    const wire = tap()
    const final = await anthropicClient(t.gw, { fetch: wire.fetch }).messages.stream(anthropicBody(true) as unknown as Anthropic.MessageStreamParams).finalMessage()

    const [seen] = fake.requests
    expect(seen!.raw.toString("utf8")).toBe(withModel(wire.exchanges[0]!.requestBody, "openclaw", ANTHROPIC_MODEL))
    const events = sseEvents(seen!.answer)
    expect(events.map((e) => e.event)).toContain("ping")
    expect(sseEvents(await wire.exchanges[0]!.responseText)).toEqual(events)
    expect(final).toMatchObject({ id: OWN_ANTHROPIC.id, model: OWN_ANTHROPIC.model, stop_reason: "end_turn" })
    expect(final.content).toEqual([expect.objectContaining({ type: "text", text: "a streamed answer" })])
  })

  it("count_tokens goes to the provider's count_tokens with the body unchanged but for model, and its count comes back", async () => {
    const fake = t.world.fake
    fake.reset()
    fake.script("*", [reply.ok(undefined, { usage: { input: 1234, output: 0 } })])
    const wire = tap()
    const { max_tokens: _, ...countable } = anthropicBody(false) as unknown as Record<string, unknown>
    const counted = await anthropicClient(t.gw, { fetch: wire.fetch }).messages.countTokens(countable as unknown as Anthropic.MessageCountTokensParams)

    const [seen] = fake.requests
    expect(seen!.path).toBe("/v1/messages/count_tokens")
    expect(seen!.raw.toString("utf8")).toBe(withModel(wire.exchanges[0]!.requestBody, "openclaw", ANTHROPIC_MODEL))
    expect(seen!.headers["x-api-key"]).toBe(maskSecret(KEYS.a))
    expect(counted.input_tokens).toBe(1234)
  })
})

