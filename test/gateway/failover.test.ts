import { describe, expect, it } from "@effect/vitest"
import { reply } from "../support/fakeProviders.js"
import { ask, defaultStore, expectNoSecrets, FALLBACK, json, KEYS, POLL, PRIMARY, withGateway } from "./harness.js"

/** The default home with a token, its store or config replaced. */
const home = (store?: Record<string, unknown>, config?: Record<string, unknown>) => ({ token: true, ...(store ? { store } : {}), ...(config ? { config } : {}) })

const HOUR = 3_600_000

describe("gateway: failover end to end (§5.3)", () => {
  it.scopedLive("429 on the first profile → served by the second; the first is in cooldown on disk and in /v1/auth/status", () =>
    withGateway(home(), async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.rateLimited(120)])
      const before = Date.now()
      const completion = await gw.client().chat.completions.create(ask("hi"))
      expect(completion.choices[0]!.message.content).toBe("Hello from the fake provider.")
      expect(world.fake.requests.map((r) => r.status)).toEqual([429, 200])
      expect(world.fake.countFor(KEYS.a)).toBe(1)
      expect(world.fake.countFor(KEYS.b)).toBe(1)

      const stats = (await world.readJson(world.store)).usageStats["anthropic:a"]
      expect(stats).toMatchObject({ errorCount: 1, failureCounts: { rate_limit: 1 } })
      // Retry-After (120 s) beats the first step (1 min).
      expect(stats.cooldownUntil).toBeGreaterThanOrEqual(before + 120_000)
      const status = await json(await gw.fetch("/v1/auth/status"))
      expect(status.auth.unusableProfiles).toEqual([expect.objectContaining({ profileId: "anthropic:a", reason: "cooldown" })])

      // The next request goes straight to the second profile: the cooling one is not tried again.
      await gw.client().chat.completions.create(ask("again"))
      expect(world.fake.countFor(KEYS.a)).toBe(1)
      expect(world.fake.countFor(KEYS.b)).toBe(2)
      // lastGood and lastUsed are recorded after the answer, off the response path.
      await expect.poll(async () => (await world.readJson(world.store)).lastGood, POLL).toEqual({ anthropic: "anthropic:b" })
    }))

  it.scopedLive("billing disables a profile for hours", () =>
    withGateway(home(), async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.error(402)])
      const before = Date.now()
      await gw.client().chat.completions.create(ask("hi"))
      const stats = (await world.readJson(world.store)).usageStats["anthropic:a"]
      expect(stats).toMatchObject({ disabledReason: "billing", failureCounts: { billing: 1 } })
      expect(stats.disabledUntil - before).toBeGreaterThanOrEqual(5 * HOUR - 1_000)
      expect(stats.disabledUntil - before).toBeLessThanOrEqual(5 * HOUR + 60_000)
      const status = await json(await gw.fetch("/v1/auth/status"))
      expect(status.auth.unusableProfiles[0]).toMatchObject({ profileId: "anthropic:a", reason: "disabled:billing" })
    }))

  it.scopedLive("all profiles failing → the model fallback answers", () =>
    withGateway(home(), async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.overloaded()])
      world.fake.script(KEYS.b, [reply.error(401)])
      const { data: completion, response } = await gw.client().chat.completions.create(ask("hi")).withResponse()
      // The fallback is OpenAI-shaped, like the client: its own answer comes back (§8.4), the gateway's header names the ref.
      expect(completion.model).toBe("gpt-4o-mini")
      expect(response.headers.get("x-openclaw-model")).toBe(FALLBACK)
      expect(world.fake.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
        "/v1/messages 529",
        "/v1/messages 401",
        "/v1/chat/completions 200"
      ])
      expect(world.fake.requests.at(-1)!.credential).toBe("sk-proj-…OK04")
    }))

  it.scopedLive("streaming fails over before the first byte", () =>
    withGateway(home(), async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.rateLimited(30)])
      const stream = await gw.client().chat.completions.create({ ...ask("hi"), stream: true })
      let text = ""
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ""
      expect(text).toBe("Hello from the fake provider.")
      expect(world.fake.requests.map((r) => r.status)).toEqual([429, 200])
    }))

  it.scopedLive("a provider error mid-stream ends the SSE with an OpenAI-shaped error event", () =>
    withGateway(home(), async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.ok("abcdef", { chunks: ["ab", "cd", "ef"], errorAfterChunks: 1 })])
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi", { stream: true })) })
      const body = await res.text()
      const events = body.split("\n\n").filter((e) => e !== "").map((e) => e.slice("data: ".length))
      expect(events.at(-1)).not.toBe("[DONE]")
      const last = JSON.parse(events.at(-1)!)
      expect(last.error).toMatchObject({ type: "rate_limit", code: "rate_limit" })
      expect(last.error.message).toContain("mid-answer")
      // The official client raises it.
      world.fake.script(KEYS.b, [reply.ok("abcdef", { chunks: ["ab", "cd", "ef"], errorAfterChunks: 2 })])
      world.fake.script(KEYS.a, [reply.ok("abcdef", { chunks: ["ab", "cd", "ef"], errorAfterChunks: 2 })])
      const stream = await gw.client().chat.completions.create({ ...ask("hi"), stream: true })
      const error = await (async () => {
        for await (const _ of stream) void _
      })().catch((e) => e)
      expect(error).toBeInstanceOf(Error)
    }))

  it.scopedLive("nothing left → an OpenAI-shaped error with the reason and the fix, no secrets", () =>
    withGateway(
      home(
        { ...defaultStore(), profiles: { "anthropic:a": { type: "api_key", provider: "anthropic", key: KEYS.a } }, order: {} },
        { agents: { defaults: { model: { primary: PRIMARY, fallbacks: ["openrouter/meta-llama/llama-3-8b"] } } } }
      ),
      async ({ world, gw }) => {
      // The fallback's provider has no profile, no key and a real (non-loopback) endpoint: nothing is sent there.
      world.fake.script(KEYS.a, [reply.echoCredential(401)])
      const error = await gw.client().chat.completions.create(ask("hi")).catch((e) => e)
      // Neither failure passes with a retry: the first (the model asked for) decides, 401 (§8.5).
      expect(error.status).toBe(401)
      expect(error.error).toMatchObject({ type: "auth", code: "provider_auth_failed" })
      expect(error.message).toContain("anthropic:a for anthropic/claude-opus-4-6: auth")
      expect(error.message).toContain('No API key found for provider "openrouter"')
      expect(error.message).toContain("openclaw models auth paste-api-key --provider openrouter")
      expect(error.message).toContain(`OPENROUTER_API_KEY in ${world.state}/.env`)
      expect(world.fake.count).toBe(1)
      // The anthropic profile is cooling down after its auth failure: the next answer still says auth, 401.
      const again = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi", { model: "openclaw/main" })) })
      expect(again.status).toBe(401)
      expect(again.headers.get("retry-after")).toBeNull()
      const body = await json(again)
      expect(body.error).toMatchObject({ type: "auth", code: "provider_auth_failed" })
      expect(world.fake.count).toBe(1)
      const wrapped = await gw.fetch("/v1/chat/completions", {
        method: "POST",
        headers: { "x-openclaw-model": PRIMARY },
        body: JSON.stringify(ask("hi"))
      })
      const text = await wrapped.text()
      expectNoSecrets(text)
      expectNoSecrets(error.message)
      expectNoSecrets(gw.logs.join("\n"))
    }))

  it.scopedLive("maps reasons to HTTP statuses: format → 400, rate limit with Retry-After → 429", () =>
    withGateway(home({ ...defaultStore(), order: { anthropic: ["anthropic:a"] }, profiles: { "anthropic:a": { type: "api_key", provider: "anthropic", key: KEYS.a }, "openai:default": { type: "api_key", provider: "openai", key: KEYS.openai } } }), async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.error(400, { message: "invalid request format: messages.0.content" })])
      const format = await gw.client().chat.completions.create(ask("hi")).catch((e) => e)
      expect(format.status).toBe(400)
      expect(format.error.type).toBe("format")
      world.fake.script(KEYS.a, [reply.rateLimited(90)])
      world.fake.script(KEYS.openai, [reply.rateLimited(90)])
      const limited = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(60)
      expect((await json(limited)).error.type).toBe("rate_limit")
    }))

  it.scopedLive("a provider that does not answer in time → 504 timeout after trying every profile and fallback", () =>
    withGateway(home(), { providerTimeouts: { completeMs: 250, streamIdleMs: 250 } }, async ({ world, gw }) => {
      world.fake.script("*", [reply.slow(2_000), reply.slow(2_000), reply.slow(2_000)])
      const error = await gw.client().chat.completions.create(ask("hi")).catch((e) => e)
      expect(error.status).toBe(504)
      expect(error.error.type).toBe("timeout")
      expect(world.fake.count).toBe(3)
      const stats = (await world.readJson(world.store)).usageStats
      expect(stats["anthropic:a"].failureCounts).toEqual({ timeout: 1 })
      expect(stats["openai:default"].failureCounts).toEqual({ timeout: 1 })
    }))

  it.scopedLive("every profile cooling down after rate limits and no fallback → still 429 with Retry-After and the fix", () =>
    withGateway(home(undefined, { agents: { defaults: { model: PRIMARY } } }), async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.rateLimited(600)])
      world.fake.script(KEYS.b, [reply.rateLimited(300)])
      const first = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
      expect(first.status).toBe(429)
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
      expect(res.status).toBe(429)
      const retry = Number(res.headers.get("retry-after"))
      expect(retry).toBeGreaterThan(250)
      expect(retry).toBeLessThanOrEqual(300)
      const body = await json(res)
      expect(body.error.type).toBe("rate_limit")
      expect(body.error.message).toMatch(
        /^No available auth profile for anthropic \(all in cooldown or unavailable\)\. Candidates: anthropic:b for anthropic\/claude-opus-4-6: rate_limit \(not tried: out of use for 5m, after: anthropic request failed \(HTTP 429\): [^)]*\); anthropic:a .*out of use for 10m.*Fix: retry in 5m, add another profile for anthropic, or lift the cooldown with `openclaw models auth cooldowns clear`\.$/
      )
      expect(world.fake.count).toBe(2)
    }))
})
