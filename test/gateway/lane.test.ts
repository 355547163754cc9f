import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as http from "node:http"
import type * as net from "node:net"
import { reply } from "../support/fakeProviderWire.js"
import { FALLBACK, GATEWAY_TOKEN, KEYS, POLL, withGateway } from "./harness.js"

/**
 * The gateway's lane (src/gateway/Lane.ts, issue 16): a plain OpenAI request for the agent's own OpenAI-shaped model
 * is served without a fiber; anything else, and any failure of the provider, is handed to the fiber's path with what
 * the lane did. These tests hold the lane to the fiber's behaviour: same bytes, headers, log line, usage record,
 * failover (the failed call not repeated), abort on hang-up. The debug log says which path served.
 */

const openaiPrimary = (store?: Record<string, unknown>) =>
  ({
    token: true,
    config: { agents: { defaults: { model: { primary: FALLBACK, fallbacks: [] } } } },
    ...(store ? { store } : {})
  }) as const

const twoOpenAi = {
  version: 1,
  profiles: {
    "openai:one": { type: "api_key", provider: "openai", key: KEYS.openai },
    "openai:two": { type: "api_key", provider: "openai", key: KEYS.openai2 }
  },
  order: { openai: ["openai:one", "openai:two"] }
}

const BODY = `{"model":"openclaw","messages":[{"role":"user","content":"hi"}],"temperature":0.5}`

const STREAM = BODY.replace(`"temperature":0.5`, `"stream":true`)

const post = (gw: { fetch: (route: string, init?: RequestInit & { token?: string | null }) => Promise<Response> }, body = BODY, headers: Record<string, string> = {}) =>
  gw.fetch("/v1/chat/completions", { method: "POST", body, headers })

const laneLines = (logs: ReadonlyArray<string>) => logs.filter((l) => l.includes("lane:"))

type Gateway = Parameters<typeof post>[0] & { readonly logs: ReadonlyArray<string> }

/**
 * Plain requests until the lane has served two in a row. The first request of a gateway loads the provider client
 * through the fiber's path; a usage record written in the background lands on disk a moment before the gateway
 * fingerprints it, and a request in that moment goes to the fiber's path to read the store: the lane serves only
 * from a snapshot known to be current. Once lastUsed is recorded, nothing is written for a minute.
 */
const settled = async (gw: Gateway): Promise<void> => {
  let inARow = 0
  for (let i = 0; i < 50 && inARow < 2; i++) {
    const before = gw.logs.length
    expect((await post(gw)).status).toBe(200)
    inARow = gw.logs.slice(before).includes("DEBUG lane: served") ? inARow + 1 : 0
    if (inARow === 0) await new Promise((r) => setTimeout(r, 20))
  }
  if (inARow < 2) throw new Error("the lane did not serve two plain requests in a row")
}

/**
 * Once settled, one request and the lane's lines about it. A request that comes while the gateway's own write of a
 * store (a session saved after the request before, a usage record) has landed but is not yet fingerprinted goes to
 * the fiber's path without asking the lane: it says nothing of the lane's choice, so it is sent again (a busy machine
 * stretches that moment; the full suite once hit it).
 */
const whatTheLaneSaid = async (gw: Gateway, body: string, headers: Record<string, string> = {}) => {
  let last = { status: 0, lines: [] as ReadonlyArray<string> }
  for (let attempt = 0; attempt < 5 && last.lines.length === 0; attempt++) {
    await settled(gw)
    const before = gw.logs.length
    const res = await post(gw, body, headers)
    await res.text()
    last = { status: res.status, lines: laneLines(gw.logs.slice(before)) }
  }
  return last
}

describe("gateway: the lane for plain requests (issue 16)", () => {
  it.scopedLive("serves a plain request as the fiber's path would: body, headers, access-log line, usage record", () =>
    withGateway(openaiPrimary(), async ({ world, gw }) => {
      await settled(gw)
      const store0 = JSON.parse(await fs.readFile(world.store, "utf8"))
      delete store0.lastGood
      delete store0.usageStats
      await world.writeJson(world.store, store0)
      // The store written above is read by the fiber's path first (a change on disk); then the lane serves.
      await settled(gw)
      const store1 = JSON.parse(await fs.readFile(world.store, "utf8"))
      delete store1.lastGood
      delete store1.usageStats
      await world.writeJson(world.store, store1)
      await settled(gw)
      const before = gw.logs.length
      const res = await post(gw)
      expect(res.status).toBe(200)
      expect(laneLines(gw.logs.slice(before))).toEqual(["DEBUG lane: served"])
      const sent = world.fake.requests.at(-1)!
      expect(sent.raw.toString("utf8")).toBe(BODY.replace(`"model":"openclaw"`, `"model":"gpt-4o-mini"`))
      expect(sent.credential).toBe("sk-proj-…OK04")
      expect(res.headers.get("x-openclaw-model")).toBe(FALLBACK)
      expect(res.headers.get("x-openclaw-profile")).toBe("openai:default")
      expect(JSON.parse(await res.text()).choices[0].message.content).toBeTypeOf("string")
      expect(gw.logs.slice(before).find((l) => l.startsWith("INFO POST"))).toMatch(
        /^INFO POST \/v1\/chat\/completions 200 \d+ms 127\.0\.0\.1 agent=main model=openai\/gpt-4o-mini profile=openai:default attempts=openai:default:ok$/
      )
      // lastGood and lastUsed were cleared on disk: the lane's success records them again (Failover's program).
      await expect
        .poll(async () => {
          const store = JSON.parse(await fs.readFile(world.store, "utf8"))
          return [store.lastGood?.openai, typeof store.usageStats?.["openai:default"]?.lastUsed]
        }, POLL)
        .toEqual(["openai:default", "number"])
    }))

  it.scopedLive("a provider failure is handed to the failover, which records it and goes on without calling again", () =>
    withGateway(openaiPrimary(twoOpenAi), async ({ world, gw }) => {
      await settled(gw)
      world.fake.reset()
      world.fake.script(KEYS.openai, [reply.rateLimited(30)])
      const before = gw.logs.length
      const res = await post(gw)
      expect(res.status).toBe(200)
      expect(res.headers.get("x-openclaw-profile")).toBe("openai:two")
      expect(laneLines(gw.logs.slice(before))).toEqual(["DEBUG lane: handed over (the provider failed)"])
      // One call per profile: the lane's failed call stood for the first attempt.
      expect(world.fake.countFor(KEYS.openai)).toBe(1)
      expect(world.fake.countFor(KEYS.openai2)).toBe(1)
      expect(gw.logs.slice(before).find((l) => l.startsWith("INFO POST"))).toContain("attempts=openai:one:rate_limit,openai:two:ok")
      await expect
        .poll(async () => JSON.parse(await fs.readFile(world.store, "utf8")).usageStats?.["openai:one"]?.cooldownUntil, POLL)
        .toBeGreaterThan(Date.now())
      // Cooling down, openai:one is not the lane's first choice either: the next request goes to openai:two.
      const next = await post(gw)
      expect(next.headers.get("x-openclaw-profile")).toBe("openai:two")
      expect(world.fake.countFor(KEYS.openai)).toBe(1)
    }))

  it.scopedLive("two lane failures of one profile at once are both recorded, each request failing over as the fiber's would", () =>
    withGateway(openaiPrimary(twoOpenAi), async ({ world, gw }) => {
      await settled(gw)
      world.fake.reset()
      // The second 429 arrives after the first has put openai:one in a cooldown: the failover of the second request
      // still chooses as its lane did (openai:one first) and records its failure instead of calling it again.
      world.fake.script(KEYS.openai, [reply.slow(300, reply.rateLimited(30)), reply.slow(600, reply.rateLimited(30))])
      const before = gw.logs.length
      const answers = await Promise.all([post(gw), post(gw)])
      expect(answers.map((a) => [a.status, a.headers.get("x-openclaw-profile")])).toEqual([
        [200, "openai:two"],
        [200, "openai:two"]
      ])
      const lines = gw.logs.slice(before).filter((l) => l.startsWith("INFO POST"))
      expect(lines.map((l) => l.replace(/.* attempts=/, ""))).toEqual(["openai:one:rate_limit,openai:two:ok", "openai:one:rate_limit,openai:two:ok"])
      expect([world.fake.countFor(KEYS.openai), world.fake.countFor(KEYS.openai2)]).toEqual([2, 2])
      await expect.poll(async () => JSON.parse(await fs.readFile(world.store, "utf8")).usageStats?.["openai:one"]?.errorCount, POLL).toBe(2)
    }))

  it.scopedLive("a declared body over the drain limit is handed over at once and refused with 413", () =>
    withGateway(openaiPrimary(), async ({ gw }) => {
      await settled(gw)
      const before = gw.logs.length
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.request(`${gw.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${GATEWAY_TOKEN}`, "content-length": String(64 * 1024 * 1024) }
        })
        request.on("response", (res) => {
          let body = ""
          res.on("data", (c: Buffer) => (body += c.toString("utf8")))
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
        })
        request.on("error", reject)
        request.write(BODY)
      })
      expect(answer.status).toBe(413)
      expect(JSON.parse(answer.body).error.code).toBe("request_too_large")
      expect(laneLines(gw.logs.slice(before))).toEqual(["DEBUG lane: handed over (the body could not be read)"])
    }))

  it.scopedLive("a failure that is not failed over (400) is the answer, as the failover words it", () =>
    withGateway(openaiPrimary(twoOpenAi), async ({ world, gw }) => {
      await settled(gw)
      world.fake.reset()
      world.fake.script(KEYS.openai, [reply.error(400, { message: "bad field" })])
      const res = await post(gw)
      expect(res.status).toBe(400)
      const body = (await res.json()) as { error: { message: string } }
      expect(body.error.message).toContain("bad field")
      expect(world.fake.count).toBe(1)
    }))

  it.scopedLive("requests the lane does not serve are handed over, each served by the fiber's path", () =>
    withGateway(openaiPrimary(), async ({ gw }) => {
      const cases: ReadonlyArray<readonly [string, string, Record<string, string>?]> = [
        ["a session", BODY, { "x-openclaw-session-key": "s1" }],
        ["a session", BODY.replace(`"temperature":0.5`, `"user":"u1"`)],
        ["a model header", BODY, { "x-openclaw-model": FALLBACK }],
        ["the body is not JSON", "{not json"],
        ["no such agent loaded", BODY.replace(`"openclaw"`, `"openclaw/nobody"`)],
        ["a chat command", BODY.replace(`"content":"hi"`, `"content":"/model status"`)]
      ]
      for (const [why, body, headers] of cases) {
        const { status, lines } = await whatTheLaneSaid(gw, body, headers)
        expect(status, why).toBe(why === "the body is not JSON" ? 400 : why === "no such agent loaded" ? 404 : 200)
        expect(lines, why).toEqual([`DEBUG lane: handed over (${why})`])
      }
      // An empty session key is no session, to the lane as to the chat turn.
      const empty = await whatTheLaneSaid(gw, BODY, { "x-openclaw-session-key": " " })
      expect(empty.status).toBe(200)
      expect(empty.lines).toEqual(["DEBUG lane: served"])
    }))

  it.scopedLive("a stream is relayed by the lane as the provider sent it, with the route's headers and log line", () =>
    withGateway(openaiPrimary(), async ({ world, gw }) => {
      await settled(gw)
      world.fake.reset()
      world.fake.script(KEYS.openai, [reply.ok("One two three", { chunks: ["One ", "two ", "three"] })])
      const before = gw.logs.length
      const res = await post(gw, STREAM)
      expect(res.status).toBe(200)
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/)
      expect(res.headers.get("x-openclaw-profile")).toBe("openai:default")
      const text = await res.text()
      // The provider's own frames but its keep-alive comments, [DONE] last.
      const sent = world.fake.requests.at(-1)!
      expect(sent.raw.toString("utf8")).toBe(STREAM.replace(`"model":"openclaw"`, `"model":"gpt-4o-mini"`))
      expect(text).toBe(sent.answer.split("\n\n").filter((e) => e !== "" && !e.startsWith(":")).map((e) => `${e}\n\n`).join(""))
      expect(text.endsWith("data: [DONE]\n\n")).toBe(true)
      expect(laneLines(gw.logs.slice(before))).toEqual(["DEBUG lane: served"])
      expect(gw.logs.slice(before).find((l) => l.startsWith("INFO POST"))).toContain(" 200 ")
    }))

  it.scopedLive("a stream that breaks mid-answer ends with an OpenAI error event, the profile's failure recorded first", () =>
    withGateway(openaiPrimary(), async ({ world, gw }) => {
      await settled(gw)
      world.fake.reset()
      world.fake.script(KEYS.openai, [reply.ok("One two three", { chunks: ["One ", "two ", "three"], errorAfterChunks: 2, streamError: { type: "server_error", message: `upstream broke for ${KEYS.openai}` } })])
      const before = gw.logs.length
      const text = await (await post(gw, STREAM)).text()
      const events = text.split("\n\n").filter((e) => e !== "")
      const last = JSON.parse(events.at(-1)!.slice("data: ".length))
      expect(last.error.message).toContain("The provider failed mid-answer")
      expect(text).not.toContain(KEYS.openai)
      expect(events).not.toContain("data: [DONE]")
      expect(laneLines(gw.logs.slice(before))).toEqual(["DEBUG lane: served"])
      expect(gw.logs.slice(before).some((l) => l.startsWith("WARN stream ended early:"))).toBe(true)
      // Recorded before the error event was written: on disk by the time the client has read it.
      const stats = JSON.parse(await fs.readFile(world.store, "utf8")).usageStats?.["openai:default"]
      expect(stats?.errorCount).toBe(1)

    }))

  it.scopedLive("a provider that says [DONE] and never ends its body loses the connection after the idle deadline", () =>
    Effect.gen(function* () {
      // Whole answers as usual; a stream's body is left open after its end marker.
      const open = new Set<net.Socket>()
      const provider = http.createServer((req, res) => {
        let text = ""
        req.on("data", (c: Buffer) => (text += c.toString("utf8")))
        req.on("end", () => {
          const chunk = { id: "chatcmpl-x", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, delta: { content: "hi" }, finish_reason: "stop" }] }
          if (!JSON.parse(text).stream) {
            res.writeHead(200, { "content-type": "application/json" })
            return res.end(JSON.stringify({ ...chunk, object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }] }))
          }
          open.add(req.socket)
          req.socket.once("close", () => open.delete(req.socket))
          res.writeHead(200, { "content-type": "text/event-stream" })
          res.write(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`)
        })
      })
      yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", () => resolve()))),
        () => Effect.sync(() => provider.close(() => undefined)).pipe(Effect.zipRight(Effect.sync(() => provider.closeAllConnections())))
      )
      const url = `http://127.0.0.1:${(provider.address() as net.AddressInfo).port}/v1`
      const home = { ...openaiPrimary(), config: { agents: { defaults: { model: { primary: FALLBACK, fallbacks: [] } } }, models: { providers: { openai: { baseUrl: url } } } } }
      yield* withGateway(home, { providerTimeouts: { completeMs: 5_000, streamIdleMs: 300 } }, async ({ gw }) => {
        await settled(gw)
        const before = gw.logs.length
        const text = await (await post(gw, STREAM)).text()
        expect(text.endsWith("data: [DONE]\n\n")).toBe(true)
        expect(laneLines(gw.logs.slice(before))).toEqual(["DEBUG lane: served"])
        expect(open.size).toBe(1)
        await expect.poll(() => open.size, POLL).toBe(0)
      })
    }))

  it.scopedLive("a provider's error event ends its stream as [DONE] would: the connection goes back to the pool", () =>
    withGateway(openaiPrimary(twoOpenAi), async ({ world, gw }) => {
      await settled(gw)
      world.fake.reset()
      world.fake.script(KEYS.openai, [reply.ok("One two", { chunks: ["One ", "two"], errorAfterChunks: 1 })])
      const text = await (await post(gw, STREAM)).text()
      expect(text).toContain("The provider failed mid-answer")
      const broken = world.fake.requests.at(-1)!.connection
      // openai:one cools down after its broken stream; openai:two answers over the same connection (one pool per host).
      const next = await post(gw)
      expect([next.status, next.headers.get("x-openclaw-profile")]).toEqual([200, "openai:two"])
      expect(world.fake.requests.at(-1)!.connection).toBe(broken)
    }))

  it.scopedLive("a client that hangs up mid-stream stops the provider's stream at once", () =>
    withGateway(openaiPrimary(), async ({ world, gw }) => {
      await settled(gw)
      world.fake.reset()
      world.fake.script(KEYS.openai, [reply.ok(["a", "b", "c", "d", "e", "f"], { chunks: ["a", "b", "c", "d", "e", "f"], chunkDelayMs: 2_000 })])
      const gone = new AbortController()
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: STREAM, signal: gone.signal })
      const reader = res.body!.getReader()
      await reader.read()
      gone.abort()
      await reader.read().catch(() => undefined)
      await expect.poll(() => world.fake.requests.at(-1)?.outcome, POLL).toBe("aborted")
    }))

  it.scopedLive("a client that hangs up stops the provider's request at once", () =>
    withGateway(openaiPrimary(), async ({ world, gw }) => {
      await settled(gw)
      world.fake.reset()
      world.fake.script(KEYS.openai, [reply.slow(30_000)])
      const before = gw.logs.length
      const gone = new AbortController()
      const request = gw.fetch("/v1/chat/completions", { method: "POST", body: BODY, signal: gone.signal }).catch(() => "aborted")
      await world.fake.waitFor((f) => f.count === 1)
      expect(world.fake.requests.at(-1)?.outcome).toBe("pending")
      gone.abort()
      expect(await request).toBe("aborted")
      // Closed within moments, not after the provider's 30 s; and the lane never handed it over.
      await expect.poll(() => world.fake.requests.at(-1)?.outcome, POLL).toBe("aborted")
      expect(laneLines(gw.logs.slice(before))).toEqual([])
    }))
})
