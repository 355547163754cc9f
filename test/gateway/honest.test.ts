import { describe, expect, it } from "@effect/vitest"
import OpenAI from "openai"
import { CLAUDE_CODE_ONLY_MESSAGE, reply } from "../support/fakeProviders.js"
import { scaled } from "../support/Timing.js"
import { ask, expectNoSecrets, FALLBACK, GATEWAY_TOKEN, json, KEYS, PRIMARY, type RunningGateway, withGateway } from "./harness.js"

/**
 * §8.5 and the smaller truths of issue #13 as a client sees them: status codes an SDK does not retry when a retry
 * cannot help, pins that hold, the fallback header, the last error in /model status, the allow-list for
 * x-openclaw-model, GET /v1/models/{id}, a stream that breaks midway counted as that profile's failure.
 */

/** The official client as an application would make it: default retries and timeout. */
const sdk = (gw: RunningGateway, headers: Record<string, string> = {}) =>
  new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: GATEWAY_TOKEN, defaultHeaders: headers })

const say = async (gw: RunningGateway, text: string, session = "s1") =>
  (await gw.client({ headers: { "x-openclaw-session-key": session } }).chat.completions.create(ask(text))).choices[0]!.message.content ?? ""

describe("gateway: honest status codes (§8.5)", () => {
  it.scopedLive("a bad provider key reaches the openai SDK (default retries) as an AuthenticationError at once, naming the profiles and the fix", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script("*", [reply.error(401), reply.error(401), reply.error(401)])
      const started = performance.now()
      const error = await sdk(gw).chat.completions.create(ask("hi")).catch((e) => e)
      const ms = performance.now() - started
      console.info(`provider auth failure → openai SDK AuthenticationError in ${ms.toFixed(0)} ms (default retries)`)
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError)
      expect(error.status).toBe(401)
      expect(error.error).toMatchObject({ type: "auth", code: "provider_auth_failed" })
      expect(error.message).toContain("anthropic:a for anthropic/claude-opus-4-6: auth")
      expect(error.message).toContain("anthropic:b for anthropic/claude-opus-4-6: auth")
      expect(error.message).toContain(`openai:default for ${FALLBACK}: auth`)
      expect(error.message).toContain("replace the credential of anthropic:a, anthropic:b, openai:default")
      expect(error.message).toContain("openclaw models auth paste-api-key --provider anthropic")
      // No SDK retry: each candidate was asked once.
      expect(world.fake.count).toBe(3)
      expect(ms).toBeLessThan(scaled(1_000))

      // The next request finds them cooling down after that failure: still 401 naming them, nothing sent.
      const again = await sdk(gw).chat.completions.create(ask("hi")).catch((e) => e)
      expect(again).toBeInstanceOf(OpenAI.AuthenticationError)
      expect(again.error.code).toBe("provider_auth_failed")
      expect(again.message).toContain("No available auth profile for anthropic, openai (all in cooldown or unavailable)")
      expect(again.message).toMatch(/anthropic:a for anthropic\/claude-opus-4-6: auth \(not tried: out of use for 1m/)
      expect(world.fake.count).toBe(3)
      expectNoSecrets(error.message)
    }))

  it.scopedLive("billing → 402, not retried", () =>
    withGateway({ token: true, config: { agents: { defaults: { model: PRIMARY } } } }, async ({ world, gw }) => {
      world.fake.script("*", [reply.error(402), reply.error(402)])
      const billing = await sdk(gw).chat.completions.create(ask("hi")).catch((e) => e)
      expect(billing.status).toBe(402)
      expect(billing.error).toMatchObject({ type: "billing", code: "billing" })
      expect(billing.message).toContain("add credits or fix the plan of the provider account behind anthropic:a, anthropic:b")
      expect(world.fake.count).toBe(2)
    }))

  it.scopedLive("overloaded → 503 with Retry-After", () =>
    withGateway({ token: true, config: { agents: { defaults: { model: PRIMARY } } } }, async ({ world, gw }) => {
      world.fake.script("*", [reply.overloaded(), reply.overloaded()])
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
      expect(res.status).toBe(503)
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0)
      expect((await json(res)).error.type).toBe("overloaded")
    }))

  it.scopedLive("a provider refusing the request itself (400) → 400 at once, the profile not cooled down: the next client is served", () =>
    withGateway({ token: true, config: { agents: { defaults: { model: PRIMARY } } } }, async ({ world, gw }) => {
      world.fake.script("*", [reply.error(400, { message: "Invalid value for 'temperature': expected a value <= 2", type: "invalid_request_error" })])
      const refused = await sdk(gw).chat.completions.create(ask("hi")).catch((e) => e)
      expect(refused.status).toBe(400)
      expect(refused.error).toMatchObject({ type: "format", code: "format" })
      expect(refused.message).toContain("Invalid value for 'temperature'")
      // One call: neither another profile nor the SDK's retries asked again.
      expect(world.fake.count).toBe(1)
      const served = await sdk(gw).chat.completions.create(ask("hi"))
      expect(served.choices[0]!.message.content).toBeTruthy()
      const status = await (await gw.fetch("/v1/auth/status")).text()
      expect(status).not.toContain("cooldown")
    }))

  it.scopedLive("every profile cooling down after a passing failure: the answer says when one is back (Retry-After)", () =>
    withGateway({ token: true, config: { agents: { defaults: { model: PRIMARY } } } }, async ({ world, gw }) => {
      world.fake.script("*", [reply.error(500), reply.error(500)])
      expect((await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })).status).toBe(502)
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
      expect(res.status).toBe(502)
      expect((await json(res)).error.message).toContain("all in cooldown or unavailable")
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0)
      expect(world.fake.count).toBe(2)
    }))

  it.scopedLive("an absurd Retry-After (10^20 s) cools the profile down for at most 24 h and leaves the store readable by every command (§8.6, §11)", () =>
    withGateway({ token: true, config: { agents: { defaults: { model: PRIMARY } } } }, async ({ world, gw }) => {
      world.fake.script("*", [reply.rateLimited("99999999999999999999"), reply.rateLimited("999999999999")])
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
      expect(res.status).toBe(429)
      expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(24 * 3600)
      const status = await world.run(["models", "status", "--json"])
      expect(status.code, status.stderr).not.toBe(1)
      expect(status.stderr).toBe("")
      const until = (JSON.parse(status.stdout) as { auth: { unusableProfiles: Array<{ until: number | null }> } }).auth.unusableProfiles.map((u) => u.until!)
      expect(until).toHaveLength(2)
      for (const u of until) {
        expect(Number.isSafeInteger(u)).toBe(true)
        expect(u - Date.now()).toBeLessThanOrEqual(24 * 3_600_000)
      }
      const cleared = await world.run(["models", "auth", "cooldowns", "clear"])
      expect(cleared.code, cleared.stderr).toBe(0)
    }))

  it.scopedLive("a provider 500 → 502", () =>
    withGateway({ token: true, config: { agents: { defaults: { model: PRIMARY } } } }, async ({ world, gw }) => {
      world.fake.script("*", [reply.error(500), reply.error(500)])
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
      expect(res.status).toBe(502)
      expect((await json(res)).error.type).toBe("unknown")
    }))

  it.scopedLive("a provider that cannot be reached → 502 naming the address to check", () =>
    withGateway(
      { token: true, config: { agents: { defaults: { model: PRIMARY } }, models: { providers: { anthropic: { baseUrl: "http://127.0.0.1:9" } } } } },
      async ({ gw }) => {
        const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
        expect(res.status).toBe(502)
        const body = await json(res)
        expect(body.error.type).toBe("unknown")
        expect(body.error.message).toContain("models.providers.anthropic.baseUrl")
      }
    ))
})

describe("gateway: pins mean pins, the fallback says why (§8.3, §8.5)", () => {
  it.scopedLive("a pinned Claude-Code-only token: its 401 with the hint is the answer, no fallback model", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.work, [reply.claudeCodeOnly()])
      expect(await say(gw, "/model opus@anthropic:work")).toContain("using auth profile anthropic:work only")
      const error = await gw.client({ headers: { "x-openclaw-session-key": "s1" } }).chat.completions.create(ask("hi")).catch((e) => e)
      expect(error.status).toBe(401)
      expect(error.error.code).toBe("provider_auth_failed")
      expect(error.message).toContain(CLAUDE_CODE_ONLY_MESSAGE.replace(/\.$/, ""))
      expect(error.message).toContain("this is a Claude subscription token; use an Anthropic API key instead (`openclaw models auth paste-api-key --provider anthropic`)")
      expect(world.fake.requests.map((r) => r.credential)).toEqual(["sk-ant-oat01-…WT03"])
    }))

  it.scopedLive("unpinned, a fallback model that served says why in x-openclaw-fallback; /model status shows the last errors", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.rateLimited(120)])
      // A provider's message with a control sequence and the credential it was sent: escaped and scrubbed.
      world.fake.script(KEYS.b, [reply.error(401, { message: "bad key {credential} \u001b[31mred\u001b[0m\nforged: line" })])
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
      expect(res.status).toBe(200)
      expect(res.headers.get("x-openclaw-model")).toBe(FALLBACK)
      expect(res.headers.get("x-openclaw-fallback")).toBe(`${PRIMARY}: rate_limit+auth`)
      // Both cooling down now: not called, still named, and the access log says they were skipped.
      const next = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("again")) })
      expect(next.headers.get("x-openclaw-fallback")).toBe(`${PRIMARY}: auth+rate_limit`)
      expect(world.fake.count).toBe(4)
      expect(gw.logs.some((l) => l.includes("attempts=anthropic:a:rate_limit,anthropic:b:auth,openai:default:ok"))).toBe(true)
      expect(gw.logs.some((l) => l.includes("attempts=anthropic:b:skipped-auth,anthropic:a:skipped-rate_limit,openai:default:ok"))).toBe(true)
      const text = await say(gw, "/model status")
      expect(text).toMatch(/anthropic:a \(api_key\) \[cooldown 2m\]\n {5}last error <1m ago: rate_limit — anthropic request failed \(HTTP 429\)/)
      expect(text).toMatch(/anthropic:b \(api_key\) \[cooldown 1m\]\n {5}last error <1m ago: auth — anthropic request failed \(HTTP 401\): bad key <redacted> /)
      expect(text).toContain("\\x1b[31mred\\x1b[0m\\nforged: line")
      expect(text).not.toContain("\u001b")
      expect(text).not.toMatch(/\nforged/)
      expectNoSecrets(text)
      expectNoSecrets(JSON.stringify(await world.readJson(world.store).then((s: any) => s.usageStats)).replace(/sk-ant-api03-…[A-Za-z0-9]{4}/g, ""))
    }))

  it.scopedLive("the first model serving after a profile rotation carries no fallback header", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.rateLimited(60)])
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
      expect(res.status).toBe(200)
      expect(res.headers.get("x-openclaw-profile")).toBe("anthropic:b")
      expect(res.headers.get("x-openclaw-fallback")).toBeNull()
    }))
})

describe("gateway: smaller truths (issue #13 item 6)", () => {
  it.scopedLive("x-openclaw-model obeys the /model allow-list", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const refused = await sdk(gw, { "x-openclaw-model": "anthropic/claude-haiku-9" }).chat.completions.create(ask("hi")).catch((e) => e)
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError)
      expect(refused.error).toMatchObject({ type: "invalid_request_error", code: "model_not_allowed" })
      expect(refused.message).toContain("Model anthropic/claude-haiku-9 is not allowed here. Allowed: anthropic/claude-opus-4-6")
      expect(world.fake.count).toBe(0)
      const allowed = await gw.fetch("/v1/chat/completions", { method: "POST", headers: { "x-openclaw-model": "sonnet" }, body: JSON.stringify(ask("hi")) })
      expect(allowed.status).toBe(200)
      expect(allowed.headers.get("x-openclaw-model")).toBe("anthropic/claude-sonnet-4-5")
    }))

  it.scopedLive("GET /v1/models/{id}: an agent target as an OpenAI model object; an unknown one is a 404 the SDK knows", () =>
    withGateway({ token: true }, async ({ gw }) => {
      const model = await gw.client().models.retrieve("openclaw/default")
      expect(model).toMatchObject({ id: "openclaw/default", object: "model", owned_by: "openclaw" })
      expect((await gw.client().models.retrieve("openclaw")).id).toBe("openclaw")
      const missing = await gw.client().models.retrieve("gpt-5").catch((e) => e)
      expect(missing).toBeInstanceOf(OpenAI.NotFoundError)
      expect(missing.error).toMatchObject({ type: "invalid_request_error", code: "model_not_found", param: "model" })
      expect(missing.message).toContain("openclaw/main")
    }))

  it.scopedLive("a stream that fails midway is that profile's failure: cooled down, and the next request goes elsewhere", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.ok("abcdef", { chunks: ["ab", "cd", "ef"], errorAfterChunks: 1 })])
      const stream = await gw.client().chat.completions.create({ ...ask("hi"), stream: true })
      const error = await (async () => {
        for await (const _ of stream) void _
      })().catch((e) => e)
      expect(error).toBeInstanceOf(Error)
      const stats = (await world.readJson(world.store)).usageStats["anthropic:a"]
      expect(stats).toMatchObject({ errorCount: 1, lastError: { reason: expect.any(String) } })
      expect(stats.cooldownUntil).toBeGreaterThan(Date.now())
      await gw.client().chat.completions.create(ask("again"))
      expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…BK02")
    }))

  it.scopedLive("a streamed /model reply carries a usage chunk when stream_options.include_usage is set", () =>
    withGateway({ token: true }, async ({ gw }) => {
      const chunks: Array<any> = []
      for await (const c of await gw.client().chat.completions.create({ ...ask("/model"), stream: true, stream_options: { include_usage: true } })) chunks.push(c)
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } })
      const plain: Array<any> = []
      for await (const c of await gw.client().chat.completions.create({ ...ask("/model"), stream: true })) plain.push(c)
      expect(plain.some((c) => c.usage)).toBe(false)
    }))

  it.scopedLive("a wrong role names the valid roles", () =>
    withGateway({ token: true }, async ({ gw }) => {
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "openclaw", messages: [{ role: "robot", content: "x" }] }) })
      expect(res.status).toBe(400)
      expect((await json(res)).error.message).toBe(
        'Invalid chat completion request: messages.0.role: must be one of "system", "developer", "user", "assistant", "tool", got "robot"'
      )
    }))
})

describe("gateway: a cooldown lifted by hand applies at once", () => {
  it.scopedLive("`openclaw models auth cooldowns clear`, then at once a request: the profile is back (no watch or debounce in between)", () =>
    withGateway({ token: true }, { reloadDebounceMs: 150 }, async ({ world, gw }) => {
      for (let round = 0; round < 3; round++) {
        world.fake.script(KEYS.a, [reply.rateLimited(600)])
        await gw.client().chat.completions.create(ask("hi"))
        expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…BK02")
        const cleared = await world.run(["models", "auth", "cooldowns", "clear"])
        expect(cleared.stdout).toContain("anthropic:a")
        const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("again")) })
        expect(res.status).toBe(200)
        expect(res.headers.get("x-openclaw-profile"), `round ${round}`).toBe("anthropic:a")
      }
    }), scaled(60_000))
})
