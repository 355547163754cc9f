import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { reply } from "../support/fakeProviders.js"
import { eventually } from "../support/Child.js"
import { scaled } from "../support/Timing.js"
import { ask, FALLBACK, GatewayHome, KEYS, POLL, PRIMARY, type RunningGateway, startGateway, withGateway } from "./harness.js"

/** Talking to one gateway: a turn in a session (the assistant's text), and the credential last sent. */
const turns = (world: GatewayHome, gw: RunningGateway) => ({
  say: async (text: string, session = "s1", stream = false): Promise<string> => {
    const client = gw.client({ headers: { "x-openclaw-session-key": session } })
    if (!stream) {
      const c = await client.chat.completions.create(ask(text))
      return c.choices[0]!.message.content ?? ""
    }
    let out = ""
    for await (const chunk of await client.chat.completions.create({ ...ask(text), stream: true })) out += chunk.choices[0]?.delta?.content ?? ""
    return out
  },
  lastCredential: () => world.fake.requests.at(-1)?.credential
})

describe("gateway: sessions and chat commands (§8.3)", () => {
  it.scopedLive("/model answers itself: the current model and the allowed models with aliases", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const { say } = turns(world, gw)
      const text = await say("/model")
      expect(text).toContain(`Current model: ${PRIMARY} (opus) (agent default)`)
      expect(text).toContain(`fallbacks: ${FALLBACK}`)
      expect(text).toContain("anthropic/claude-sonnet-4-5 (sonnet)")
      expect(await say("/model list", "s1", true)).toBe(text)
      expect(world.fake.count).toBe(0)
    }))

  it.scopedLive("/model status: agent, auth file, candidates in order with next, lastGood, cooldown, and the endpoint", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const { say } = turns(world, gw)
      world.fake.script(KEYS.a, [reply.rateLimited(300)])
      await say("hello")
      await expect.poll(async () => (await world.readJson(world.store)).lastGood, POLL).toEqual({ anthropic: "anthropic:b" })
      const text = await say("/model status")
      expect(text).toContain("Agent: main")
      expect(text).toContain(`Auth file: ${world.store}`)
      expect(text).toContain(`anthropic — endpoint ${world.fake.url}`)
      expect(text).toMatch(/1\. anthropic:b \(api_key\) \[next; lastGood\]/)
      expect(text).toMatch(/2\. anthropic:a \(api_key\) \[cooldown 5m\]/)
      expect(text).toContain(`openai — endpoint ${world.fake.url}/v1`)
      expect(text).toContain("Session: sticks to anthropic:b")
    }))

  it.scopedLive("/model opus@anthropic:work pins that profile; /new ends the pin", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const { say, lastCredential } = turns(world, gw)
      expect(await say("/model opus@anthropic:work")).toContain("using auth profile anthropic:work only")
      await say("one")
      await say("two", "s1", true)
      expect(world.fake.requests.map((r) => r.credential)).toEqual(["sk-ant-oat01-…WT03", "sk-ant-oat01-…WT03"])
      expect(world.fake.requests.at(-1)!.headers["anthropic-beta"]).toContain("oauth-2025-04-20")
      // Another session is not pinned.
      await say("three", "s2")
      expect(lastCredential()).toBe("sk-ant-api03-…AK01")
      expect(await say("/new")).toContain("New session started")
      await say("four")
      expect(lastCredential()).not.toBe("sk-ant-oat01-…WT03")
    }))

  it.scopedLive("a pin that cannot be used is refused with the spec's words", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const { say } = turns(world, gw)
      expect(await say("/model opus@anthropic:nope")).toBe('Auth profile "anthropic:nope" not found.')
      expect(await say("/model opus@openai:default")).toBe('Auth profile "openai:default" is for openai, not anthropic.')
      expect(await say(`/model ${FALLBACK}@openai:default`)).toContain("Model set to openai/gpt-4o-mini")
      await say("hi")
      expect(world.fake.requests.at(-1)!.path).toBe("/v1/chat/completions")
      expect(await say("/model nosuch/model")).toContain('Unknown provider "nosuch"')
    }))

  it.scopedLive("without a user pin the session keeps the profile that served it (sticky)", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const { say, lastCredential } = turns(world, gw)
      await world.writeJson(world.store, { ...(await world.readJson(world.store)), order: {} })
      await gw.reload()
      await say("one", "sticky")
      const first = lastCredential()
      for (const n of [1, 2, 3]) {
        await say(`again ${n}`, "sticky")
        expect(lastCredential()).toBe(first)
      }
      // /new advances the automatic pin to the next profile.
      await say("/new", "sticky")
      await say("after reset", "sticky")
      expect(lastCredential()).not.toBe(first)
    }))

  it.scopedLive("the OpenAI `user` field names the session when no header does", () =>
    withGateway({ token: true }, async ({ gw }) => {
      const client = gw.client()
      await client.chat.completions.create({ ...ask("/model sonnet"), user: "alice" })
      const c = await client.chat.completions.create({ ...ask("hi"), user: "alice" })
      expect(c.model).toBe("anthropic/claude-sonnet-4-5")
      const other = await client.chat.completions.create(ask("hi"))
      expect(other.model).toBe(PRIMARY)
      // Without a session nothing is remembered, and the answer says so.
      const lone = await client.chat.completions.create(ask("/model sonnet"))
      expect(lone.choices[0]!.message.content).toContain("nothing was remembered")
    }))

  it.scopedLive("sessions survive a restart", () =>
    Effect.gen(function* () {
      const world = yield* GatewayHome.scoped({ token: true })
      yield* Effect.scoped(
        Effect.flatMap(startGateway(world), (gw) =>
          Effect.promise(async () => {
            await turns(world, gw).say("/model sonnet@anthropic:work", "persist")
            await eventually(async () => {
              try {
                return (await world.readJson(world.sessions)).sessions["main:persist"]?.userPin === "anthropic:work"
              } catch {
                return false
              }
            }, scaled(5_000), "the session file")
          })
        )
      )
      const gw = yield* startGateway(world)
      const c = yield* Effect.promise(() => gw.client({ headers: { "x-openclaw-session-key": "persist" } }).chat.completions.create(ask("hi")))
      expect(c.model).toBe("anthropic/claude-sonnet-4-5")
      expect(turns(world, gw).lastCredential()).toBe("sk-ant-oat01-…WT03")
    }))

  it.scopedLive("earlier commands and their answers are not sent to the model", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      await gw.client().chat.completions.create({
        model: "openclaw",
        messages: [
          { role: "user", content: "/model status" },
          { role: "assistant", content: "Current model: …" },
          { role: "user", content: "real question" }
        ]
      })
      expect(world.fake.requests.at(-1)!.body).toMatchObject({ messages: [{ role: "user", content: "real question" }] })
    }))
})
