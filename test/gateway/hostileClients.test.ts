import { request } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import { scaled } from "../support/Timing.js"
import * as Effect from "effect/Effect"
import { connect } from "node:net"
import { ask, FALLBACK, GATEWAY_TOKEN, GatewayHome, json, KEYS, PRIMARY, startGateway, withGateway } from "./harness.js"

/** §8.2, §11: what a web page, a stale script or a careless client can send must not get through or break anything. */

/** A raw request (fetch refuses to send some of these headers, a browser's form post would). */
const raw = (url: string, route: string, headers: Record<string, string>, body?: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${url}${route}`, { method: body === undefined ? "GET" : "POST", headers }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (c: string) => (text += c))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on("error", reject)
    req.end(body)
  })

describe("gateway: browsers are not clients (§8.2)", () => {
  it.scopedLive("a simple cross-site request is refused: non-JSON media types by parsed value, foreign Origins, token or not", () =>
    Effect.forEach([false, true], (withToken) =>
      Effect.scoped(
        withGateway({ token: withToken }, async ({ world, gw }) => {
          const auth: Record<string, string> = withToken ? { authorization: `Bearer ${GATEWAY_TOKEN}` } : {}
          const body = JSON.stringify(ask("hi"))
          // Types a page may send without a preflight, dressed up to contain "application/json".
          for (const type of ["text/plain; charset=application/json", "multipart/form-data; boundary=application/json", "application/x-www-form-urlencoded", "application/jsonp", "text/plain"]) {
            const res = await raw(gw.url, "/v1/chat/completions", { ...auth, "content-type": type }, body)
            expect(res.status, type).toBe(415)
            expect(JSON.parse(res.body).error.code).toBe("unsupported_media_type")
          }
          const untyped = await raw(gw.url, "/v1/chat/completions", auth, body)
          expect(untyped.status).toBe(415)
          const gzipped = await raw(gw.url, "/v1/chat/completions", { ...auth, "content-type": "application/json", "content-encoding": "gzip" }, body)
          expect([gzipped.status, JSON.parse(gzipped.body).error.code]).toEqual([415, "unsupported_content_encoding"])
          for (const origin of ["https://evil.example", "null", "http://127.0.0.1.evil.example", "file://"]) {
            for (const route of ["/v1/models", "/v1/auth/status"]) {
              const res = await raw(gw.url, route, { ...auth, origin })
              expect(res.status, `${origin} ${route}`).toBe(403)
              expect(JSON.parse(res.body).error.code).toBe("origin_not_allowed")
            }
            const post = await raw(gw.url, "/v1/chat/completions", { ...auth, origin, "content-type": "application/json" }, body)
            expect(post.status, origin).toBe(403)
          }
          expect(world.fake.count).toBe(0)
          // What a local program sends still works: parameters are ignored, case does not matter, a loopback Origin is this machine.
          for (const headers of [{ "content-type": "Application/JSON; charset=utf-8" }, { "content-type": "application/json", origin: "http://localhost:5173" }]) {
            const res = await raw(gw.url, "/v1/chat/completions", { ...auth, ...headers }, body)
            expect(res.status, JSON.stringify(headers)).toBe(200)
          }
          expect(world.fake.count).toBe(2)
        })
      )
    ))
})

describe("gateway: the bad-token limiter (§8.2)", () => {
  it.scopedLive("a wrong-token flood from 127.0.0.1 never delays or refuses a request with the right token", () =>
    withGateway({ token: true }, { badTokenLimit: { limit: 5, windowMs: 60_000 } }, async ({ gw }) => {
      const flood = Promise.all(Array.from({ length: 60 }, (_, i) => gw.fetch("/v1/models", { token: `stale-token-${i}` }).then((r) => r.status)))
      const right = Promise.all(Array.from({ length: 30 }, () => gw.fetch("/v1/models").then((r) => r.status)))
      const [wrong, ok] = await Promise.all([flood, right])
      expect(new Set(ok)).toEqual(new Set([200]))
      expect(wrong.filter((s) => s === 401)).toHaveLength(5)
      expect(wrong.filter((s) => s === 429)).toHaveLength(55)
      // Still blocked for wrong tokens, never for the right one, chat included.
      expect((await gw.fetch("/v1/models", { token: "stale-again" })).status).toBe(429)
      expect((await gw.fetch("/v1/models")).status).toBe(200)
      const chat = await gw.client().chat.completions.create(ask("hi"))
      expect(chat.choices[0]!.message.content).toBe("Hello from the fake provider.")
    }))

  it.scopedLive("a gateway token no client can send (spaces, control characters) is refused at start, with the fix", () =>
    Effect.forEach(["my gateway token with spaces", "tab\tseparated-token-value", "non-ascii-tökén-1234567890"], (token) =>
      Effect.scoped(
        Effect.gen(function* () {
          const world = yield* GatewayHome.scoped({ token })
          const error = yield* Effect.flip(Effect.scoped(startGateway(world)))
          const message = String((error as { message?: unknown }).message ?? error)
          expect(message, token).toContain("no client can send it")
          expect(message).toContain("openssl rand -hex 32")
          expect(message).not.toContain(token)
        })
      )
    ))
})

describe("gateway: untrusted ids in sessions (§11)", () => {
  it.scopedLive("a /model id with a newline or non-ASCII characters is refused, and a session stored with one still answers", () =>
    Effect.gen(function* () {
      // No allow-list: any model id may be chosen, so only the id check stands between a client and the header.
      const world = yield* GatewayHome.scoped({ token: true, config: { agents: { defaults: { model: { primary: PRIMARY, fallbacks: [FALLBACK] } } } } })
      const session = { "x-openclaw-session-key": "odd-ids" }
      yield* Effect.scoped(
        Effect.flatMap(startGateway(world), (gw) =>
          Effect.promise(async () => {
            for (const text of ["/model anthropic/claude\nX-Injected: 1", "/model anthropic/clåude-opus", "/model opus@anthropic:a\u0007"]) {
              const res = await gw.client({ headers: session }).chat.completions.create(ask(text))
              expect(res.choices[0]!.message.content, JSON.stringify(text)).toContain("only visible ASCII characters")
            }
          })
        )
      )
      // A sessions.json written by hand (or by an older version) with such an id: answers, with the header encoded.
      yield* Effect.promise(() => world.writeJson(world.sessions, { version: 1, sessions: { "main:odd-ids": { model: "anthropic/claude-opus-4-6\nX-Injected: 1é", updatedAt: 1 } } }))
      const gw = yield* startGateway(world)
      const res = yield* Effect.promise(() => gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")), headers: session }))
      expect(res.status).toBe(200)
      expect(res.headers.get("x-injected")).toBeNull()
      expect(res.headers.get("x-openclaw-model")).toBe("anthropic/claude-opus-4-6%0AX-Injected: 1%C3%A9")
      expect(yield* Effect.promise(() => json(res))).toHaveProperty("choices")
    }))
})

describe("gateway: model ids a client names (§8.2, §8.6, §11)", () => {
  it.scopedLive("x-openclaw-model and /v1/messages' model are held to /model's rule: odd characters, a lone surrogate or 10 KB are a 400 before any provider is called", () =>
    Effect.gen(function* () {
      const world = yield* GatewayHome.scoped({ token: true, config: { agents: { defaults: { model: { primary: PRIMARY, fallbacks: [FALLBACK] } } } } })
      const gw = yield* startGateway(world)
      yield* Effect.promise(async () => {
        for (const model of ["openai/gpt\t4o", "openai/gpt-4o\u0085x", `openai/${"m".repeat(10_000)}`]) {
          const res = await gw.fetch("/v1/chat/completions", { method: "POST", headers: { "x-openclaw-model": Buffer.from(model, "latin1").toString("latin1") }, body: JSON.stringify(ask("hi")) })
          expect(res.status, JSON.stringify(model.slice(0, 40))).toBe(400)
          const body = await json(res)
          expect(body.error.code).toBe("invalid_model")
          expect(body.error.message).toMatch(/^x-openclaw-model: A model id or profile id may (hold only visible ASCII|be at most 256)/)
        }
        for (const model of ["claude\ud800x", "claude-é\u2028\u001b[31m", "c".repeat(300)]) {
          const res = await gw.fetch("/v1/messages", {
            method: "POST",
            headers: { "anthropic-version": "2023-06-01" },
            body: JSON.stringify({ model, max_tokens: 4, messages: [{ role: "user", content: "hi" }] })
          })
          expect(res.status).toBe(400)
          const body = await json(res)
          expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } })
          expect(body.error.message).toMatch(/^The request's model: /)
        }
        const long = await gw.client({ headers: { "x-openclaw-session-key": "long" } }).chat.completions.create(ask(`/model openai/${"m".repeat(300)}`))
        expect(long.choices[0]!.message.content).toContain("at most 256 characters")
        expect(world.fake.count).toBe(0)
        expect(gw.logs.join("\n")).not.toContain("internal error")
      })
    }))
})

describe("gateway: odd request lines and names in errors (§8.2, §11)", () => {
  it.scopedLive("the absolute form of a request target is routed; an agent or model name in an error is escaped, and as sent", () =>
    withGateway({ token: true }, async ({ gw }) => {
      const { port } = new URL(gw.url)
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1", () =>
          socket.end(`GET http://127.0.0.1:${port}/v1/models HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${GATEWAY_TOKEN}\r\nConnection: close\r\n\r\n`)
        )
        let text = ""
        socket.setEncoding("utf8").on("data", (c: string) => (text += c)).on("end", () => resolve(text)).on("error", reject)
      })
      expect(answer).toMatch(/^HTTP\/1\.1 200 /)
      expect(answer).toContain('"openclaw/default"')
      // Targets no URL parser takes (an unclosed IPv6 bracket, a port past 65535) on the routes that read the query.
      const raw = (request: string) =>
        new Promise<string>((resolve, reject) => {
          // Written, not ended: a client that half-closes has hung up for node's server (it answers a slow route nothing).
          const socket = connect(Number(port), "127.0.0.1", () => socket.write(request))
          let text = ""
          socket.setEncoding("utf8").on("data", (c: string) => (text += c)).on("end", () => resolve(text)).on("error", reject)
        })
      const ask = JSON.stringify({ model: "claude-opus-4-6", max_tokens: 5, messages: [{ role: "user", content: "hi" }] })
      for (const request of [
        `GET http://[::1/v1/auth/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${GATEWAY_TOKEN}\r\nConnection: close\r\n\r\n`,
        `GET http://x:99999/v1/auth/status?agent=main HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${GATEWAY_TOKEN}\r\nConnection: close\r\n\r\n`,
        `POST http://[/v1/messages?beta=true HTTP/1.1\r\nHost: x\r\nx-api-key: ${GATEWAY_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${ask.length}\r\nConnection: close\r\n\r\n${ask}`
      ]) {
        const reply = await raw(request)
        expect([request.slice(0, 40), reply.split("\r\n")[0]]).toEqual([request.slice(0, 40), "HTTP/1.1 200 OK"])
      }
      const model = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "openclaw/\u001b[2J\nX", messages: [{ role: "user", content: "hi" }] }) })
      expect(model.status).toBe(404)
      expect((await json(model)).error.message).toContain('The model "openclaw/\\x1b[2J\\nX" does not exist')
      // An agent id holding 8 characters of a key comes back as sent, like one that does not: no guess answered.
      for (const agent of [`x${KEYS.openai.slice(12, 24)}y`, "xZx4Wv7Ty2Ua5y"]) {
        const res = await gw.fetch(`/v1/auth/status?agent=${encodeURIComponent(`${agent}\u001bz`)}`)
        expect(res.status).toBe(404)
        const message = (await json(res)).error.message as string
        expect(message).toContain(`Unknown agent "${agent}\\x1bz"`)
        expect(message).not.toContain("<redacted>")
      }
    }))
})

describe("gateway: connections that never send a request (§8.6)", () => {
  it.scopedLive("are closed once the headers' time is up; a client that asks at once is served", () =>
    withGateway({ token: true }, { headersTimeoutMs: 400 }, async ({ gw }) => {
      const { port } = new URL(gw.url)
      const opened = performance.now()
      const closedAfter = await new Promise<number>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1")
        socket.on("error", () => undefined)
        // Flowing, so that the gateway's close (a FIN) is read and seen at once, not left in a paused buffer.
        socket.resume()
        socket.on("end", () => resolve(performance.now() - opened))
        socket.on("close", () => resolve(performance.now() - opened))
        setTimeout(() => reject(new Error("the idle connection is still open")), scaled(10_000))
      })
      expect(closedAfter).toBeGreaterThanOrEqual(300)
      expect((await gw.fetch("/v1/models")).status).toBe(200)
    }))
})

describe("gateway: deep and odd JSON from clients (§8.6, §11)", () => {
  it.scopedLive("a body nested thousands deep is a 400 naming the limit, never a 500 or a stack trace; prototype keys are plain data", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const n = 50_000
      const bodies = [
        `{"model":"openclaw","messages":[{"role":"user","content":"hi"}],"metadata":${"[".repeat(n)}${"]".repeat(n)}}`,
        `{"model":"openclaw","messages":[{"role":"user","content":"hi"}],"metadata":${'{"a":'.repeat(n)}1${"}".repeat(n)}}`,
        `${"[".repeat(n)}`
      ]
      for (const body of bodies) {
        const res = await gw.fetch("/v1/chat/completions", { method: "POST", body })
        expect(res.status).toBe(400)
        const error = (await json(res)).error
        expect(error.type).toBe("invalid_request_error")
        expect(error.message).toMatch(/nested deeper than \d+ levels/)
      }
      const body = `{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"model":"openclaw","messages":[{"role":"user","content":"hi","__proto__":null}]}`
      // To an OpenAI-shaped model the body passes through as the client wrote it (§8.4): prototype keys and all.
      const proto = await gw.fetch("/v1/chat/completions", { method: "POST", body, headers: { "x-openclaw-model": FALLBACK } })
      expect(proto.status).toBe(200)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      expect(world.fake.count).toBe(1)
      expect(world.fake.requests[0]!.raw.toString("utf8")).toBe(body.replace(`"model":"openclaw"`, `"model":"gpt-4o-mini"`))
      // To the Anthropic default model they are unknown fields, which have no translation: refused by name.
      const across = await gw.fetch("/v1/chat/completions", { method: "POST", body })
      expect(across.status).toBe(400)
      expect((await json(across)).error.message).toContain("__proto__")
      expect(world.fake.count).toBe(1)
      expect(gw.logs.some((l) => l.includes("internal error") || /\n\s+at /.test(l))).toBe(false)
      expect((await gw.fetch("/health", { token: null })).status).toBe(200)
    }))

  it.scopedLive("a key twice at the top level, or bytes that are not UTF-8, are a 400 — never routed one way and sent on another", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const twice = [
        ['{"model":"openclaw/nope","model":"openclaw","messages":[{"role":"user","content":"hi"}]}', "model"],
        ['{"model":"openclaw","stream":true,"messages":[{"role":"user","content":"hi"}],"stream":false}', "stream"],
        ['{"model":"openclaw","messages":[{"role":"user","content":"hi"}],"m\u006fdel":"x"}', "model"]
      ] as const
      for (const [body, key] of twice) {
        const res = await gw.fetch("/v1/chat/completions", { method: "POST", body, headers: { "x-openclaw-model": FALLBACK } })
        expect(res.status).toBe(400)
        expect((await json(res)).error.message).toBe(`The request body has the key "${key}" twice; send each key once.`)
      }
      // A stray byte, an overlong "/", a UTF-16 surrogate written as UTF-8, a character cut short by the next one.
      for (const bad of [[0xff, 0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
        const bytes = Buffer.concat([Buffer.from('{"model":"openclaw","messages":[{"role":"user","content":"a'), Buffer.from(bad), Buffer.from('b"}]}')])
        const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: bytes, headers: { "x-openclaw-model": FALLBACK } })
        expect(res.status, bad.join(" ")).toBe(400)
        expect((await json(res)).error.message).toBe("The request body is not valid UTF-8; send JSON encoded as UTF-8.")
      }
      // Nested duplicates are the provider's to judge: passed on byte for byte.
      const nested = '{"model":"openclaw","messages":[{"role":"user","content":"hi","content":"ho"}]}'
      expect((await gw.fetch("/v1/chat/completions", { method: "POST", body: nested, headers: { "x-openclaw-model": FALLBACK } })).status).toBe(200)
      expect(world.fake.count).toBe(1)
    }))
})
