import { request } from "node:http"
import { connect } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { reply } from "../support/fakeProviders.js"
import { scaled } from "../support/Timing.js"
import { ask, expectNoSecrets, GATEWAY_TOKEN, GatewayHome, json, KEYS, type RunningGateway, startGateway, withGateway } from "./harness.js"

const post = (gw: RunningGateway, body: string, headers: Record<string, string> = {}, token?: string | null) =>
  gw.fetch("/v1/chat/completions", { method: "POST", body, headers, ...(token === undefined ? {} : { token }) })

describe("gateway: access (§8.2)", () => {
  it.scopedLive("no route but GET (and HEAD) /health answers without the token; a wrong token never reaches a provider", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      for (const route of ["/v1/models", "/v1/auth/status", "/nothing"]) {
        const res = await gw.fetch(route, { token: null })
        expect(res.status, route).toBe(401)
        expect(res.headers.get("www-authenticate")).toBe("Bearer")
        expect((await json(res)).error.code).toBe("missing_gateway_token")
      }
      const wrong = await post(gw, JSON.stringify(ask("hi")), {}, "gw-FAKE-token-wrong")
      expect(wrong.status).toBe(401)
      expect((await json(wrong)).error).toMatchObject({ type: "authentication_error", code: "invalid_gateway_token" })
      const viaClient = await gw.client({ apiKey: GATEWAY_TOKEN + "x" }).chat.completions.create(ask("hi")).catch((e) => e)
      expect(viaClient.status).toBe(401)
      const lowercase = await gw.fetch("/v1/models", { token: null, headers: { authorization: `bearer ${GATEWAY_TOKEN}` } })
      expect(lowercase.status).toBe(200)
      expect(world.fake.count).toBe(0)
      expect((await gw.fetch("/health", { token: null })).status).toBe(200)
      const head = await gw.fetch("/health", { token: null, method: "HEAD" })
      expect([head.status, await head.text()]).toEqual([200, ""])
    }))

  it.scopedLive("a flood of bad tokens from one address gets 429 with Retry-After; the right token is still served", () =>
    withGateway({ token: true }, { badTokenLimit: { limit: 5, windowMs: 60_000 } }, async ({ world, gw }) => {
      for (let i = 0; i < 5; i++) expect((await gw.fetch("/v1/models", { token: `wrong-${i}` })).status).toBe(401)
      const blocked = await gw.fetch("/v1/models", { token: "wrong-again" })
      expect(blocked.status).toBe(429)
      const retry = Number(blocked.headers.get("retry-after"))
      expect(retry).toBeGreaterThan(50)
      expect(retry).toBeLessThanOrEqual(60)
      // Only wrong tokens are blocked: every local client shares 127.0.0.1 (hostileClients.test.ts floods it).
      expect((await gw.fetch("/v1/models")).status).toBe(200)
      // /health stays open.
      expect((await gw.fetch("/health", { token: null })).status).toBe(200)
      expect(world.fake.count).toBe(0)
    }))

  it.scopedLive("oversized, malformed and misshaped bodies get 4xx before any provider call", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const big = JSON.stringify(ask("x".repeat(1024 * 1024 + 10)))
      const tooLarge = await post(gw, big)
      expect(tooLarge.status).toBe(413)
      expect((await json(tooLarge)).error.code).toBe("request_too_large")
      const malformed = await post(gw, '{"model": "openclaw", "messages": [sk-ant-api03-NOTASECRETATALL')
      expect(malformed.status).toBe(400)
      const malformedBody = await json(malformed)
      expect(malformedBody.error.message).toMatch(/^The request body is not valid JSON/)
      expect(malformedBody.error.message).not.toContain("NOTASECRET")
      const cases: Array<[unknown, string]> = [
        [{ messages: [{ role: "user", content: "hi" }] }, "model"],
        [{ model: "openclaw", messages: [] }, "messages"],
        [{ model: "openclaw", messages: [{ role: "robot", content: "hi" }] }, "messages.0.role"],
        [{ model: "openclaw", messages: [{ role: "user", content: "hi" }], temperature: 7 }, "temperature"],
        // The agent's models are Anthropic's: what the translation cannot carry is refused by name (§8.4).
        [{ model: "openclaw", messages: [{ role: "user", content: "hi" }], n: 2 }, "n: "],
        [[1, 2, 3], "chat completion"]
      ]
      for (const [body, mentions] of cases) {
        const res = await post(gw, JSON.stringify(body))
        expect(res.status, JSON.stringify(body)).toBe(400)
        const error = (await json(res)).error
        expect(error.type).toBe("invalid_request_error")
        expect(error.message).toContain(mentions)
      }
      const viaClient = await gw.client().chat.completions.create({ model: "openclaw", messages: [] }).catch((e) => e)
      expect(viaClient.status).toBe(400)
      expect(world.fake.count).toBe(0)
    }))

  it.scopedLive("provider secrets never appear in responses or logs, even when the provider echoes them", () =>
    withGateway({ token: true, dotenv: { OPENCLAW_GATEWAY_TOKEN: "not-used-config-wins-" + "z".repeat(20) } }, async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.echoCredential(401)])
      world.fake.script(KEYS.b, [reply.echoCredential(403)])
      world.fake.script(KEYS.openai, [reply.error(500, { message: `upstream said {credential} and ${KEYS.a}` })])
      const res = await post(gw, JSON.stringify(ask("hi")))
      expect(res.status).toBe(502)
      const text = await res.text()
      expect(text).toContain("<redacted>")
      const streamed = await post(gw, JSON.stringify(ask("hi", { stream: true, model: "openclaw/default" })))
      const status = await (await gw.fetch("/v1/auth/status")).text()
      const modelStatus = await gw.client({ headers: { "x-openclaw-session-key": "k" } }).chat.completions.create(ask("/model status"))
      for (const out of [text, await streamed.text(), status, JSON.stringify(modelStatus), gw.logs.join("\n")]) expectNoSecrets(out)
    }))
})

describe("gateway: binding (§8.2)", () => {
  it.scopedLive("refuses to bind beyond loopback without a token, with a clear error", () =>
    Effect.gen(function* () {
      const world = yield* GatewayHome.scoped()
      const error = yield* Effect.flip(Effect.scoped(startGateway(world, { bind: "lan" })))
      expect(error).toBeInstanceOf(Error)
      expect(String(error.message ?? error)).toContain("Refusing to listen on the network")
      expect(String(error.message ?? error)).toContain("OPENCLAW_GATEWAY_TOKEN")
    }))

  it.scopedLive("binds lan with a token from <state>/.env (read by the gateway itself)", () =>
    withGateway({ dotenv: { OPENCLAW_GATEWAY_TOKEN: GATEWAY_TOKEN } }, { bind: "lan" }, async ({ gw }) => {
      expect(gw.logs.join("\n")).toContain("0.0.0.0")
      expect((await gw.fetch("/v1/models", { token: null })).status).toBe(401)
      expect((await gw.fetch("/v1/models", { token: GATEWAY_TOKEN })).status).toBe(200)
    }))

  it.scopedLive("on loopback without a token: open to local clients, with a warning; other Host names and non-JSON posts are refused", () =>
    withGateway({}, async ({ world, gw }) => {
      expect(gw.logs.some((l) => l.startsWith("WARN") && l.includes("no gateway token is configured"))).toBe(true)
      const c = await gw.client().chat.completions.create(ask("hi"))
      expect(c.choices[0]!.message.content).toBe("Hello from the fake provider.")
      // fetch will not send another Host: a DNS-rebinding page would, so use node:http.
      const rebound = await new Promise<number>((resolve, reject) =>
        request(`${gw.url}/v1/models`, { headers: { host: "evil.example:18789" } }, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        }).on("error", reject).end()
      )
      expect(rebound).toBe(403)
      const form = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify(ask("hi")) })
      expect(form.status).toBe(415)
      expect(world.fake.count).toBe(1)
    }))

  it.scopedLive("reads a body that arrives after its headers, in pieces, and keeps the connection for the next request", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const body = Buffer.from(JSON.stringify(ask("héllo in pieces")))
      const socket = connect(gw.port, "127.0.0.1")
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()))
      let received = ""
      socket.on("data", (b) => (received += b.toString("utf8")))
      const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${GATEWAY_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`
      const answers = () => received.split("HTTP/1.1 ").length - 1
      for (let round = 1; round <= 2; round++) {
        socket.write(head)
        // The body in three pieces, one cut inside the two-byte "é", each after a pause.
        const cut = body.indexOf(Buffer.from("é")) + 1
        for (const piece of [body.subarray(0, cut), body.subarray(cut, cut + 10), body.subarray(cut + 10)]) {
          await new Promise((r) => setTimeout(r, 30))
          socket.write(piece)
        }
        const until = Date.now() + scaled(5_000)
        while (answers() < round && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
        expect(answers()).toBe(round)
      }
      socket.end()
      expect(received.match(/HTTP\/1\.1 200/g)).toHaveLength(2)
      expect(world.fake.requests.map((r) => (r.body as { messages: Array<{ content: string }> }).messages.at(-1)?.content)).toEqual(["héllo in pieces", "héllo in pieces"])
    }))
})
