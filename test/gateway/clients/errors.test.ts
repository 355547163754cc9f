/**
 * A provider key that is simply wrong reaches the official clients, with their default retries, as an
 * authentication error at once (§8.5, issue #13): a 401 the SDKs never retry, in the client's own wire shape,
 * naming the profile that failed and the command that fixes it — not a 502/503 that the SDKs retry for a minute.
 */
import Anthropic from "@anthropic-ai/sdk"
import OpenAI from "openai"
import { describe, expect, it } from "vitest"
import { expectNoLeak } from "../../support/SecretScan.js"
import { GATEWAY_TOKEN, KEYS } from "../harness.js"
import { ANTHROPIC_MODEL, OPENAI_MODEL, sharedGateway, tap } from "./support.js"

/** Keys the fake provider does not know (it accepts only the harness's KEYS). */
const BAD = {
  openai: "sk-proj-FAKEwrongOpenAIkey-" + "x".repeat(40) + "-BAD1",
  anthropic: "sk-ant-api03-FAKEwrongAnthropicKey-" + "y".repeat(40) + "-BAD2"
}

const t = sharedGateway({
  token: true,
  store: {
    version: 1,
    profiles: {
      "openai:default": { type: "api_key", provider: "openai", key: BAD.openai },
      "anthropic:main": { type: "api_key", provider: "anthropic", key: BAD.anthropic }
    }
  },
  config: {
    agents: {
      defaults: {
        model: { primary: `openai/${OPENAI_MODEL}`, fallbacks: [] },
        models: { [`openai/${OPENAI_MODEL}`]: {}, [`anthropic/${ANTHROPIC_MODEL}`]: {} }
      }
    }
  }
})

const noSecrets = (text: string) => expectNoLeak([{ label: "error seen by the client", text }], [...Object.values(BAD), ...Object.values(KEYS), GATEWAY_TOKEN])

describe("a bad provider key reaches the official clients as an authentication error (§8.5)", () => {
  it("openai with its default retries: one attempt, AuthenticationError, the profile and the fix named", async () => {
    const fake = t.world.fake
    fake.reset()
    const wire = tap()
    // Default maxRetries (2) and timeout: the gateway's answer alone decides that the SDK gives up at once.
    const client = new OpenAI({ baseURL: `${t.gw.url}/v1`, apiKey: GATEWAY_TOKEN, fetch: wire.fetch })
    const started = performance.now()
    const error = await client.chat.completions.create({ model: "openclaw", messages: [{ role: "user", content: "hi" }] }).then(
      () => undefined,
      (e: unknown) => e
    )
    const ms = performance.now() - started
    console.log(`openai SDK (default retries) saw the provider auth failure after ${Math.round(ms)} ms`)

    expect(error).toBeInstanceOf(OpenAI.AuthenticationError)
    const e = error as InstanceType<typeof OpenAI.AuthenticationError>
    expect(e.status).toBe(401)
    expect(e.code).toBe("provider_auth_failed")
    expect(e.message).toContain("openai:default")
    expect(e.message).toMatch(/openclaw models auth (paste-api-key|paste-token|login)[^\n]*--provider openai/)
    noSecrets(e.message)
    // The SDK did not retry (a 401 is final), and the provider was asked once, with the profile's key.
    expect(wire.exchanges.map((x) => x.status)).toEqual([401])
    expect(wire.exchanges[0]!.responseHeaders.get("retry-after")).toBeNull()
    expect(fake.countFor(BAD.openai)).toBe(1)
    expect(fake.count).toBe(1)
  })

  it("@anthropic-ai/sdk with its default retries: one attempt, AuthenticationError in the Anthropic error shape", async () => {
    const fake = t.world.fake
    fake.reset()
    const wire = tap()
    const client = new Anthropic({ baseURL: t.gw.url, apiKey: GATEWAY_TOKEN, fetch: wire.fetch })
    const error = await client.messages.create({ model: ANTHROPIC_MODEL, max_tokens: 100, messages: [{ role: "user", content: "hi" }] }).then(
      () => undefined,
      (e: unknown) => e
    )

    expect(error).toBeInstanceOf(Anthropic.AuthenticationError)
    const e = error as InstanceType<typeof Anthropic.AuthenticationError>
    expect(e.status).toBe(401)
    const body = JSON.parse(await wire.exchanges[0]!.responseText)
    expect(body).toMatchObject({ type: "error", error: { type: "authentication_error" } })
    expect(body.error.message).toContain("anthropic:main")
    expect(body.error.message).toMatch(/openclaw models auth (paste-api-key|paste-token|login)[^\n]*--provider anthropic/)
    noSecrets(JSON.stringify(body))
    expect(wire.exchanges.map((x) => x.status)).toEqual([401])
    expect(fake.countFor(BAD.anthropic)).toBe(1)
    expect(fake.count).toBe(1)
  })
})
