import { describe, expect, it } from "@effect/vitest"
import * as net from "node:net"
import { startGatewayProcess } from "../support/GatewayProcess.js"
import { Sandbox } from "../support/Sandbox.js"
import { expectNoLeak } from "../support/SecretScan.js"
import { ask, expectNoSecrets, GATEWAY_TOKEN, type GatewayHome, json, KEYS, withGateway, withHome } from "./harness.js"

/** A port nothing listens on (now). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

const reloadRoute = "/v1/secrets/reload"
const OTHER_TOKEN = "gw-FAKE-other-" + "o".repeat(30)

describe("POST /v1/secrets/reload (§9)", () => {
  it.scopedLive("is behind the gateway token; with it, re-resolves and swaps in a new generation", () =>
    withGateway({ token: true }, async ({ gw }) => {
      const post = (token: string | null) => gw.fetch(reloadRoute, { method: "POST", body: "{}", token })
      const before = await gw.generation()
      const none = await post(null)
      expect(none.status).toBe(401)
      expect((await json(none)).error.code).toBe("missing_gateway_token")
      expect((await post("gw-wrong-token-" + "x".repeat(30))).status).toBe(401)
      expect(await gw.generation()).toBe(before)
      const ok = await post(GATEWAY_TOKEN)
      expect(ok.status).toBe(200)
      expect(await json(ok)).toEqual({ ok: true, generation: before + 1, degraded: false, unresolved: [] })
      expect(await gw.generation()).toBe(before + 1)
      expect(await json(gw.fetch("/health", { token: null }))).toMatchObject({ status: "ok", generation: before + 1 })
      expect((await gw.fetch(reloadRoute, { method: "GET" })).status).toBe(404)
      expectNoSecrets(gw.logs.join("\n"))
    }))
})

describe("`openclaw secrets reload` (built binary)", () => {
  it.scopedLive("reaches the gateway at gateway.port with the configured token; says how to start one when none runs", () =>
    withHome({ token: true }, async (world) => {
      const port = await freePort()
      const config = await world.readJson(world.config)
      await world.writeJson(world.config, { ...config, gateway: { ...config.gateway, port } })
      const absent = await world.run(["secrets", "reload"])
      expect(absent.code).toBe(1)
      expect(absent.stderr).toContain(`No gateway is running at http://127.0.0.1:${port}`)
      expect(absent.stderr).toContain("start it with `openclaw gateway`")
      expect(absent.stderr.trim().split("\n")).toHaveLength(1)

      const proc = await startGatewayProcess({ cwd: world.home, env: world.env(), port: "config" })
      try {
        expect(proc.port).toBe(port)
        const text = await world.run(["secrets", "reload"])
        expect(text.code, text.stderr).toBe(0)
        expect(text.stdout).toContain(`the gateway at http://127.0.0.1:${port} now serves generation 2`)
        const asJson = await world.run(["secrets", "reload", "--json"])
        expect(asJson.code, asJson.stderr).toBe(0)
        expect(JSON.parse(asJson.stdout)).toEqual({ ok: true, generation: 3, degraded: false, unresolved: [] })
        // Another home's token: refused, exit 1, and neither token shown.
        const other = await Sandbox.create("other")
        try {
          await other.write(other.config, JSON.stringify({ gateway: { port, auth: { token: OTHER_TOKEN } } }))
          const wrong = await other.run(["secrets", "reload"])
          expect(wrong.code).toBe(1)
          expect(wrong.stderr).toContain(`The gateway at http://127.0.0.1:${port} refused the request: 401`)
          expectNoLeak([{ label: "refused run", text: wrong.stdout + wrong.stderr }], [GATEWAY_TOKEN, OTHER_TOKEN])
        } finally {
          await other.cleanup()
        }
        for (const out of [absent, text, asJson]) expectNoSecrets(out.stdout + out.stderr)
        expectNoSecrets(proc.output())
      } finally {
        await proc.stop()
      }
    }))
})

/** The home's config with the gateway on `port` (so the CLI finds it there) and `extra` merged in. */
const configure = async (world: GatewayHome, port: number, extra: Record<string, unknown> = {}) => {
  const config = await world.readJson(world.config)
  await world.writeJson(world.config, { ...config, ...extra, gateway: { ...config.gateway, port } })
}

const count = (text: string, code: string) => text.split("\n").filter((l) => l.includes(code)).length

describe("a ref-backed key through a resolver outage (built binary, §9)", () => {
  it.scopedLive("env ref in <state>/.env: the key goes to the provider; unset, the gateway keeps the old one (degraded once); set again, recovered and the new one used", () =>
    withHome(
      {
        token: true,
        store: {
          version: 1,
          profiles: {
            "anthropic:a": { type: "api_key", provider: "anthropic", keyRef: { source: "env", provider: "default", id: "VAULT_ANTHROPIC_KEY" } },
            "openai:default": { type: "api_key", provider: "openai", key: KEYS.openai }
          }
        },
        dotenv: { VAULT_ANTHROPIC_KEY: KEYS.a }
      },
      async (world) => {
        const port = await freePort()
        await configure(world, port)
        const proc = await startGatewayProcess({ cwd: world.home, env: world.env(), port: "config" })
        try {
          const chat = async () => {
            const res = await fetch(`${proc.url}/v1/chat/completions`, {
              method: "POST",
              headers: { authorization: `Bearer ${GATEWAY_TOKEN}`, "content-type": "application/json" },
              body: JSON.stringify(ask("hi"))
            })
            expect(res.status).toBe(200)
            return world.fake.requests.at(-1)!.credential
          }
          expect(await chat()).toBe("sk-ant-api03-…AK01")

          // The secret goes away: a reload (the CLI's; the watch may run one too) keeps the old snapshot.
          await world.writeDotenv({ UNRELATED: "1" })
          const kept = await world.run(["secrets", "reload"])
          expect(kept.code).toBe(1)
          expect(kept.stderr).toContain(`The gateway at http://127.0.0.1:${port} kept serving its old secrets`)
          expect(kept.stderr).toContain(`profiles.anthropic:a.keyRef in ${world.store} (ref env:VAULT_ANTHROPIC_KEY): VAULT_ANTHROPIC_KEY is not set`)
          const keptJson = await world.run(["secrets", "reload", "--json"])
          expect(keptJson.code).toBe(1)
          expect(JSON.parse(keptJson.stdout)).toMatchObject({ ok: false, degraded: true, unresolved: [{ location: `profiles.anthropic:a.keyRef in ${world.store}`, needed: true }] })
          expect(await chat()).toBe("sk-ant-api03-…AK01")
          expect(await json(fetch(`${proc.url}/health`))).toMatchObject({ status: "degraded" })
          expect(count(proc.output(), "SECRETS_RELOADER_DEGRADED")).toBe(1)

          // It comes back, rotated.
          await world.writeDotenv({ VAULT_ANTHROPIC_KEY: KEYS.b })
          const healed = await world.run(["secrets", "reload"])
          expect(healed.code, healed.stderr).toBe(0)
          expect(await chat()).toBe("sk-ant-api03-…BK02")
          expect(await json(fetch(`${proc.url}/health`))).toMatchObject({ status: "ok" })
          expect(count(proc.output(), "SECRETS_RELOADER_RECOVERED")).toBe(1)
          expect(count(proc.output(), "SECRETS_RELOADER_DEGRADED")).toBe(1)
          for (const out of [kept, keptJson, healed]) expectNoSecrets(out.stdout + out.stderr)
          expectNoSecrets(proc.output())
        } finally {
          await proc.stop()
        }
      }
    ))
})
