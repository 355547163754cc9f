import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { reply } from "../support/fakeProviders.js"
import { ask, FALLBACK, GatewayHome, json, KEYS, PRIMARY, startGateway, withGateway } from "./harness.js"

describe("gateway: OpenAI-compatible surface (§8.2)", () => {
  it.scopedLive("answers a chat completion through the official client, field by field", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.ok("Bonjour.", { usage: { input: 21, output: 3 } })])
      const completion = await gw.client().chat.completions.create({
        model: "openclaw",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: [{ type: "text", text: "Say hello" }] }
        ],
        max_tokens: 50,
        temperature: 0.2
      })
      expect(completion.object).toBe("chat.completion")
      expect(completion.id).toMatch(/^chatcmpl-[0-9a-f]{24}$/)
      expect(completion.model).toBe(PRIMARY)
      expect(typeof completion.created).toBe("number")
      expect(completion.choices).toHaveLength(1)
      expect(completion.choices[0]).toMatchObject({ index: 0, finish_reason: "stop", message: { role: "assistant", content: "Bonjour." } })
      expect(completion.usage).toEqual({ prompt_tokens: 21, completion_tokens: 3, total_tokens: 24 })
      // The provider got the translated request with the first profile's key.
      const sent = world.fake.requests.at(-1)!
      expect(sent.path).toBe("/v1/messages")
      expect(sent.body).toMatchObject({ model: "claude-opus-4-6", max_tokens: 50, temperature: 0.2, system: "Be brief.", messages: [{ role: "user", content: "Say hello" }] })
      expect(world.fake.countFor(KEYS.a)).toBe(1)
    }))

  it.scopedLive("streams SSE chunks ending in [DONE], with usage when asked", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.ok("One two three four", { chunks: ["One ", "two ", "three ", "four"], usage: { input: 5, output: 4 } })])
      const stream = await gw.client().chat.completions.create({ ...ask("count"), stream: true, stream_options: { include_usage: true } })
      const chunks: Array<any> = []
      for await (const chunk of stream as unknown as AsyncIterable<unknown>) chunks.push(chunk)
      expect(chunks[0]).toMatchObject({ object: "chat.completion.chunk", model: PRIMARY, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] })
      const ids = new Set(chunks.map((c) => c.id))
      expect(ids.size).toBe(1)
      const text = chunks.flatMap((c) => c.choices.map((ch: any) => ch.delta?.content ?? "")).join("")
      expect(text).toBe("One two three four")
      const finish = chunks.find((c) => c.choices[0]?.finish_reason)
      expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" })
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } })
    }))

  it.scopedLive("sends the raw SSE framing: data lines, then data: [DONE]", () =>
    withGateway({ token: true }, async ({ gw }) => {
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi", { stream: true })) })
      expect(res.status).toBe(200)
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/)
      const body = await res.text()
      const events = body.split("\n\n").filter((e) => e !== "")
      expect(events.every((e) => e.startsWith("data: "))).toBe(true)
      expect(events.at(-1)).toBe("data: [DONE]")
    }))

  it.scopedLive("x-openclaw-model picks the backend model (an alias or a ref)", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const viaAlias = await gw.client().chat.completions.create(ask("hi"), { headers: { "x-openclaw-model": "sonnet" } })
      expect(viaAlias.model).toBe("anthropic/claude-sonnet-4-5")
      expect(world.fake.requests.at(-1)!.body).toMatchObject({ model: "claude-sonnet-4-5" })
      const { data: viaRef, response } = await gw.client().chat.completions.create(ask("hi"), { headers: { "x-openclaw-model": FALLBACK } }).withResponse()
      // An OpenAI-shaped provider's own answer comes back (§8.4): its model id; the gateway's header names the ref.
      expect(viaRef.model).toBe("gpt-4o-mini")
      expect(response.headers.get("x-openclaw-model")).toBe(FALLBACK)
      expect(world.fake.requests.at(-1)).toMatchObject({ path: "/v1/chat/completions", body: { model: "gpt-4o-mini" } })
    }))

  it.scopedLive("lists the agent targets and serves /health without a token", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      await world.writeJson(world.config, { ...(await world.readJson(world.config)), agents: { ...(await world.readJson(world.config)).agents, list: [{ id: "main", default: true }, { id: "work" }] } })
      await gw.reload()
      const models = await gw.client().models.list()
      expect(models.data.map((m) => m.id)).toEqual(["openclaw", "openclaw/default", "openclaw/main", "openclaw/work"])
      expect(models.data[0]).toMatchObject({ object: "model", owned_by: "openclaw" })
      const health = await gw.fetch("/health", { token: null })
      expect(health.status).toBe(200)
      expect(await json(health)).toMatchObject({ status: "ok", version: "test" })
    }))

  it.scopedLive("an unknown target is a 404 naming the agent targets", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const error = await gw.client().chat.completions.create({ ...ask("hi"), model: "gpt-4o" }).catch((e) => e)
      expect(error).toBeInstanceOf(Error)
      expect(error.status).toBe(404)
      expect(error.code).toBe("model_not_found")
      expect(error.message).toContain("openclaw/main")
      expect(world.fake.count).toBe(0)
    }))

  it.scopedLive("/v1/auth/status is the `models status --json` object", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const res = await gw.fetch("/v1/auth/status")
      expect(res.status).toBe(200)
      const fromGateway = await json(res)
      const cli = await world.run(["models", "status", "--json"])
      expect(cli.code, cli.stderr).toBe(0)
      expect(fromGateway).toEqual(JSON.parse(cli.stdout))
      expect(fromGateway.auth.providers[0]).toMatchObject({ provider: "anthropic", effective: { kind: "profiles" } })
    }))

  it.scopedLive("agent targets: openclaw/<id> uses that agent's store; --agent changes what `openclaw` means", () =>
    Effect.gen(function* () {
      const world = yield* GatewayHome.scoped({ token: true })
      yield* Effect.scoped(
        Effect.flatMap(startGateway(world), (gw) =>
          Effect.promise(async () => {
            const workDir = `${world.state}/agents/work/agent`
            const config = await world.readJson(world.config)
            await world.writeJson(world.config, { ...config, agents: { ...config.agents, list: [{ id: "main", default: true }, { id: "work" }] } })
            await world.writeJson(`${workDir}/auth-profiles.json`, {
              version: 1,
              profiles: { "anthropic:work-only": { type: "api_key", provider: "anthropic", key: KEYS.added } },
              // Its own order: the main store (seen underneath) orders only its own profiles.
              order: { anthropic: ["anthropic:work-only"] }
            })
            await gw.reload()
            await gw.client().chat.completions.create({ ...ask("hi"), model: "openclaw/work" })
            expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…NK05")
            await gw.client().chat.completions.create({ ...ask("hi"), model: "openclaw/default" })
            expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…AK01")
          })
        )
      )
      const work = yield* startGateway(world, { agent: "work" })
      yield* Effect.promise(() => work.client().chat.completions.create(ask("hi")))
      expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…NK05")
      const unknown = yield* Effect.flip(Effect.scoped(startGateway(world, { agent: "nobody" })))
      expect(String((unknown as { message?: unknown }).message)).toContain('Unknown agent "nobody"')
    }))
})
