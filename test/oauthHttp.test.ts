import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as http from "node:http"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import type { AddressInfo } from "node:net"
import { OAuthHttp, TOKEN_BODY_BYTES, type TokenRequest } from "../src/services/OAuthHttp.js"
import { hostileProvider, modes } from "./support/hostileProvider.js"

const REFRESH = "sk-ant-ort01-FAKEechoedRefresh" + "e".repeat(30) + "TEST"
let server: http.Server
let base = ""
const seen: Array<{ contentType: string; body: string }> = []

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    const chunks: Array<Buffer> = []
    for await (const c of req) chunks.push(c as Buffer)
    seen.push({ contentType: String(req.headers["content-type"]), body: Buffer.concat(chunks).toString() })
    const path = req.url ?? "/"
    if (path === "/echo") {
      res.writeHead(400, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: "invalid_grant", error_description: `token ${REFRESH} was reused; also ${"Z".repeat(40)}` }))
    } else if (path === "/anthropic-shape") {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: { type: "authentication_error", message: "bad client" } }))
    } else if (path === "/html") {
      res.writeHead(200, { "content-type": "text/html" }).end("<html>hi</html>")
    } else if (path === "/slow") {
      setTimeout(() => res.writeHead(200).end("{}"), 2_000)
    } else if (path === "/bare") {
      res.writeHead(503).end("down")
    } else {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "x" }))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

/** A port nothing listens on: opened by us, then closed. */
const freePort = async (): Promise<number> => {
  const s = http.createServer()
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise((resolve) => s.close(resolve))
  return port
}

const request = (path: string, extra: Partial<TokenRequest> = {}) =>
  Effect.flatMap(OAuthHttp, (h) =>
    h.requestToken({ url: `${base}${path}`, params: { grant_type: "refresh_token", refresh_token: REFRESH, client_id: "cid" }, encoding: "form", timeoutMs: 5_000, ...extra })
  ).pipe(Effect.provide(OAuthHttp.layer))

describe("OAuthHttp live (node:http)", () => {
  it.effect("POSTs form-encoded or JSON and returns the parsed body", () =>
    Effect.gen(function* () {
      expect(yield* request("/ok")).toEqual({ access_token: "x" })
      expect(seen.at(-1)).toEqual({
        contentType: "application/x-www-form-urlencoded",
        body: `grant_type=refresh_token&refresh_token=${REFRESH}&client_id=cid`
      })
      yield* request("/ok", { encoding: "json" })
      expect(seen.at(-1)).toEqual({ contentType: "application/json", body: JSON.stringify({ grant_type: "refresh_token", refresh_token: REFRESH, client_id: "cid" }) })
    })
  )

  it.effect("the provider's error and description, with anything token-like cut out", () =>
    Effect.gen(function* () {
      const e = yield* Effect.flip(request("/echo"))
      expect(e).toMatchObject({ kind: "http", status: 400, error: "invalid_grant" })
      expect(e.reason).toBe("invalid_grant (token … was reused; also …)")
      expect(JSON.stringify(e) + e.message).not.toContain("FAKEechoed")
      expect((yield* Effect.flip(request("/anthropic-shape"))).reason).toBe("authentication_error (bad client)")
      expect((yield* Effect.flip(request("/bare"))).reason).toBe(`HTTP 503 from ${new URL(base).host}`)
    })
  )

  it.effect("the timeout holds while the garbage collector runs (nodejs/node#57736)", () =>
    Effect.gen(function* () {
      v8.setFlagsFromString("--expose-gc")
      const gc = vm.runInNewContext("gc") as () => void
      const collecting = setInterval(gc, 25)
      const started = Date.now()
      const error = yield* Effect.flip(request("/slow", { timeoutMs: 300 })).pipe(Effect.ensuring(Effect.sync(() => clearInterval(collecting))))
      expect(error.reason).toContain("no answer from 127.0.0.1")
      expect(Date.now() - started).toBeLessThan(1_500)
    })
  )

  it.effect("not JSON, a timeout, an unreachable host", () =>
    Effect.gen(function* () {
      expect((yield* Effect.flip(request("/html"))).reason).toContain("answered with something that is not a token response (HTTP 200, not JSON)")
      expect((yield* Effect.flip(request("/slow", { timeoutMs: 200 }))).reason).toContain("no answer from 127.0.0.1")
      const port = yield* Effect.promise(freePort)
      const closed = yield* Effect.flip(
        Effect.flatMap(OAuthHttp, (h) => h.requestToken({ url: `http://127.0.0.1:${port}/t`, params: {}, encoding: "form", timeoutMs: 2_000 })).pipe(
          Effect.provide(OAuthHttp.layer)
        )
      )
      expect(closed).toMatchObject({ kind: "network" })
      expect(closed.reason).toBe(`cannot reach 127.0.0.1:${port} (ECONNREFUSED)`)
    })
  )
})

/** A hostile token endpoint (§8.6, §11): every answer costs a bounded amount of memory and time, and says what happened. */
describe("OAuthHttp against a hostile token endpoint", () => {
  const post = (url: string, timeoutMs = 5_000) =>
    Effect.flatMap(OAuthHttp, (h) =>
      h.requestToken({ url: `${url}/oauth/token`, params: { grant_type: "refresh_token", refresh_token: REFRESH, client_id: "cid" }, encoding: "form", timeoutMs })
    ).pipe(Effect.provide(OAuthHttp.layer))

  const noSecret = (e: unknown) => {
    const all = JSON.stringify(e) + String((e as { message?: unknown }).message)
    expect(all).not.toContain("FAKEechoed")
    expect(all).not.toContain(REFRESH.slice(10, 30))
  }

  it.scoped("a 1 GB answer (success or error, with or without Content-Length) is cut at 1 MiB and its connection closed", () =>
    Effect.gen(function* () {
      const hostile = yield* hostileProvider
      for (const mode of [
        modes.hugeBody({ bytes: 1 << 30 }),
        modes.hugeBody({ bytes: 1 << 30, status: 400 }),
        modes.hugeBody({ bytes: 1 << 30, declareLength: true })
      ]) {
        const started = Date.now()
        const e = yield* Effect.flip(post(hostile.baseUrl(mode)))
        expect(e).toMatchObject({ _tag: "OAuthHttpError", kind: "too-large" })
        expect(e.reason).toBe(
          `${new URL(hostile.url).host} sent a token answer that is too large (over ${TOKEN_BODY_BYTES / 1024 / 1024} MiB, where a token response is a few hundred bytes: the rest was not read and the connection was closed; check that the token endpoint URL points at the provider, not at a proxy or portal)`
        )
        noSecret(e)
        // The rest was not read: the server sees the connection close (it would stream 1 GB otherwise).
        yield* Effect.promise(() => hostile.waitFor((h) => h.open === 0, 5_000, "the connection to close"))
        expect(Date.now() - started).toBeLessThan(5_000)
      }
    })
  )

  it.scoped("an answer that drips forever, or never comes, ends at the deadline and closes the connection", () =>
    Effect.gen(function* () {
      const hostile = yield* hostileProvider
      const drip = yield* Effect.flip(post(hostile.baseUrl(modes.drip({ intervalMs: 20 })), 400))
      expect(drip).toMatchObject({ kind: "timeout" })
      expect(drip.reason).toBe(`no answer from ${new URL(hostile.url).host} in time (its answer did not end within 400 ms)`)
      const held = yield* Effect.flip(post(hostile.baseUrl(modes.hold()), 400))
      expect(held.reason).toBe(`no answer from ${new URL(hostile.url).host} in time (after 400 ms)`)
      for (const e of [drip, held]) noSecret(e)
      yield* Effect.promise(() => hostile.waitFor((h) => h.open === 0, 5_000, "the connections to close"))
    })
  )
})
