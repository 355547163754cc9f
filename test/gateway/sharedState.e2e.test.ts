/**
 * §10 against a real `redis-server` (no mock of Redis anywhere): three built gateway processes share one Redis —
 * A and B on one state dir, C on another (a second host). Cooldowns, session pins, `cooldowns clear` and the OAuth
 * refresh (exactly one token call per expiry across all three) are shared; Redis killed mid-load costs no request
 * and /health says degraded with the reason; restarted, the state is shared again.
 */
import type { ChildProcess } from "node:child_process"
import * as fs from "node:fs/promises"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventually, sleep } from "../support/Child.js"
import { closedPort, type FakeProvider, reply, startFakeProvider } from "../support/fakeProviders.js"
import { FakeOAuthServer } from "../support/fakeOAuth.js"
import { type GatewayProcess, startGatewayProcess } from "../support/GatewayProcess.js"
import { hasRedis, startRedis } from "../support/Redis.js"
import { scaled } from "../support/Timing.js"
import { defaultStore, GATEWAY_TOKEN, GatewayHome, KEYS, PRIMARY } from "./harness.js"

if (!hasRedis) console.warn("sharedState.e2e: redis-server is not installed (apt-get install redis-server); skipped")

const OAUTH_ID = "anthropic:oauth"
const REPETITIONS = 20
const REQUESTS = 30

let redisPort: number
let redis: ChildProcess
let fake: FakeProvider
let oauth: FakeOAuthServer
let host1: GatewayHome
let host2: GatewayHome
let gateways: ReadonlyArray<GatewayProcess> = []

const chat = (gw: GatewayProcess, content = "hi", session?: string, token = GATEWAY_TOKEN) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...(session ? { "x-openclaw-session-key": session } : {}) },
    body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content }] })
  })

const served = async (gw: GatewayProcess, content?: string, session?: string) => {
  const res = await chat(gw, content, session)
  const text = await res.text()
  expect(res.status, text).toBe(200)
  return { profile: res.headers.get("x-openclaw-profile"), text }
}

const health = async (gw: GatewayProcess) => (await fetch(`${gw.url}/health`)).json() as Promise<Record<string, any>>

describe.skipIf(!hasRedis)("several gateways, one truth (§10, real redis-server)", () => {
  beforeAll(async () => {
    redisPort = await closedPort()
    redis = await startRedis(redisPort)
    fake = await startFakeProvider()
    oauth = await FakeOAuthServer.start({ refreshDelayMs: 40 })
    const prefix = `t${process.pid}:`
    const config = {
      models: { providers: { anthropic: { baseUrl: fake.url }, openai: { baseUrl: `${fake.url}/v1` } } },
      auth: { oauth: { anthropic: oauth.config({ tokenEncoding: "form" }) } },
      gateway: { auth: { mode: "token", token: GATEWAY_TOKEN }, state: { backend: "redis", url: "${OPENCLAW_REDIS_URL}", prefix } }
    }
    const dotenv = { OPENCLAW_REDIS_URL: `redis://127.0.0.1:${redisPort}/0` }
    ;[host1, host2] = await Promise.all([GatewayHome.make({ config, dotenv, token: true }), GatewayHome.make({ config, dotenv, token: true })])
    gateways = await Promise.all([host1, host1, host2].map((h) => startGatewayProcess({ cwd: h.home, env: h.env() })))
  }, scaled(30_000))

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()))
    redis?.kill("SIGKILL")
    await fake?.close()
    await oauth?.close()
    await host1?.cleanup()
    await host2?.cleanup()
  })

  it("a 429 on one gateway is skipped by the others; cooldowns clear lifts it for all; a pin via A holds on B and C", async () => {
    const [a, b, c] = gateways as [GatewayProcess, GatewayProcess, GatewayProcess]
    for (const gw of gateways) expect(await health(gw)).toMatchObject({ status: "ok", state: { backend: "redis", status: "ok" } })

    fake.script(KEYS.a, [reply.rateLimited(120)])
    expect((await served(a)).profile).toBe("anthropic:b")
    expect(fake.countFor(KEYS.a)).toBe(1)
    // B (same host) and C (another state dir: nothing on its disk says so) skip anthropic:a at once.
    expect((await served(b)).profile).toBe("anthropic:b")
    expect((await served(c)).profile).toBe("anthropic:b")
    expect(fake.countFor(KEYS.a)).toBe(1)
    // The CLI on either host sees the shared cooldown.
    const listed = await host2.run(["models", "auth", "list"])
    expect(listed.stdout).toMatch(/anthropic:a .*cooldown/)

    const cleared = await host2.run(["models", "auth", "cooldowns", "clear"])
    expect(cleared.stdout).toContain("Cleared cooldowns: anthropic:a")
    for (const gw of gateways) expect((await served(gw)).profile).toBe("anthropic:a")

    // A user pin set through A is the session's on B and C.
    const pinned = await served(a, `/model ${PRIMARY}@anthropic:b`, "pinned-session")
    expect(pinned.text).toContain("anthropic:b")
    for (const gw of [b, c, a]) expect((await served(gw, "hello", "pinned-session")).profile).toBe("anthropic:b")
    expect((await served(c, "hello", "another-session")).profile).toBe("anthropic:a")

    // Wrong gateway tokens count together: ten spread over the three, and the next is refused by any of them.
    for (let i = 0; i < 10; i++) expect((await chat(gateways[i % 3]!, "hi", undefined, "wrong-token")).status).toBe(401)
    for (const gw of gateways) expect((await chat(gw, "hi", undefined, "wrong-token")).status).toBe(429)
    expect((await served(b)).profile).toBe("anthropic:a")
  })

  it(`OAuth: ${REQUESTS} concurrent requests over three gateways and two hosts, one refresh per expiry (× ${REPETITIONS})`, async () => {
    const started = Date.now()
    let refresh = oauth.seedRefresh()
    let access = "sk-ant-oat01-FAKEsharedSeed" + "s".repeat(40)
    for (let round = 1; round <= REPETITIONS; round++) {
      const entry = { type: "oauth", provider: "anthropic", access, refresh, expires: Date.now() - 60_000 }
      const store = { version: 1, profiles: { ...defaultStore().profiles, [OAUTH_ID]: entry }, order: { anthropic: [OAUTH_ID] } }
      await Promise.all([host1.writeJson(host1.store, store), host2.writeJson(host2.store, store)])
      const before = oauth.refreshCalls
      const answers = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => chat(gateways[i % 3]!)))
      const bodies = await Promise.all(answers.map((r) => r.text()))
      answers.forEach((r, i) => expect(r.status, `round ${round}: ${bodies[i]}`).toBe(200))
      expect(answers.map((r) => r.headers.get("x-openclaw-profile"))).toEqual(Array(REQUESTS).fill(OAUTH_ID))
      expect(oauth.refreshCalls - before, `round ${round}: calls to the token endpoint`).toBe(1)
      refresh = oauth.latestRefresh!
      access = oauth.latestAccess!
      // Both hosts' stores hold the rotated token (host 2 took it from Redis, not from the token endpoint).
      for (const h of [host1, host2]) expect(JSON.parse(await fs.readFile(h.store, "utf8")).profiles[OAUTH_ID].refresh).toBe(refresh)
    }
    console.log(`OAuth: ${REPETITIONS} rounds of ${REQUESTS} requests in ${Date.now() - started} ms`)

    // One more expiry, refreshed first by the CLI on host 2: the gateways of host 1, whose store still holds the spent
    // refresh token, take the CLI's new credential from Redis instead of spending that token again.
    const entry = { type: "oauth", provider: "anthropic", access, refresh, expires: Date.now() - 60_000 }
    const store = { version: 1, profiles: { ...defaultStore().profiles, [OAUTH_ID]: entry }, order: { anthropic: [OAUTH_ID] } }
    await Promise.all([host1.writeJson(host1.store, store), host2.writeJson(host2.store, store)])
    const before = oauth.refreshCalls
    const cli = await host2.run(["models", "auth", "refresh", "--profile-id", OAUTH_ID])
    expect(cli.code, cli.stderr).toBe(0)
    expect(cli.stdout).toMatch(/^anthropic:oauth: refreshed;/)
    const answers = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => chat(gateways[i % 3]!)))
    for (const r of answers) expect(r.status, await r.text()).toBe(200)
    expect(oauth.refreshCalls - before, "CLI + gateways: calls to the token endpoint").toBe(1)

    // A refused refresh on host 2 (a refresh token the provider does not know) is the shared state's, like a cooldown:
    // host 1's status --check sees the profile expired, although Redis, which knows the profile from a request
    // through a gateway, replaces what host 1's store says of it. A refresh that works heals it for every host.
    const other = "anthropic:oauth2"
    const bogus = { type: "oauth", provider: "anthropic", access: `sk-ant-oat01-FAKEother${"o".repeat(32)}`, refresh: `sk-ant-ort01-FAKEunknown${"u".repeat(24)}` }
    const storeWith = (entry: Record<string, unknown>) => ({ version: 1, profiles: { ...defaultStore().profiles, [other]: entry }, order: { anthropic: [other] } })
    await host1.writeJson(host1.store, storeWith({ ...bogus, expires: Date.now() + 3_600_000 }))
    expect((await served(gateways[0]!)).profile).toBe(other)
    const expired = storeWith({ ...bogus, expires: Date.now() - 60_000 })
    await Promise.all([host1.writeJson(host1.store, expired), host2.writeJson(host2.store, expired)])
    expect((await host2.run(["models", "auth", "refresh", "--profile-id", other])).code).toBe(1)
    const seen = await host1.run(["models", "status", "--check"])
    expect(seen.code, seen.stdout).toBe(1)
    await host2.writeJson(host2.store, storeWith({ ...bogus, refresh: oauth.seedRefresh(), expires: Date.now() - 60_000 }))
    const healed = await host2.run(["models", "auth", "refresh", "--profile-id", other])
    expect(healed.code, healed.stderr).toBe(0)
    // Host 1 with the same new credential (expiring within the hour, refreshable): ok again, unless Redis still
    // held the refused refresh.
    await fs.writeFile(host1.store, await fs.readFile(host2.store, "utf8"))
    const after = await host1.run(["models", "status", "--check"])
    expect(after.code, after.stdout).toBe(0)
    await Promise.all([host1.writeJson(host1.store, defaultStore()), host2.writeJson(host2.store, defaultStore())])
  }, scaled(60_000))

  it("Redis killed mid-load: no request fails, /health is degraded with the reason; restarted, the state is shared again", async () => {
    const [a, b, c] = gateways as [GatewayProcess, GatewayProcess, GatewayProcess]
    let stop = false
    const statuses: Array<number> = []
    const load = Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        while (!stop) {
          const res = await chat(gateways[i % 3]!)
          statuses.push(res.status)
          await res.text()
        }
      })
    )
    await eventually(() => statuses.length >= 30, scaled(10_000), "load running")
    redis.kill("SIGKILL")
    await new Promise((resolve) => redis.once("exit", resolve))
    const atKill = statuses.length
    await eventually(() => statuses.length >= atKill + 60, scaled(10_000), "load after the kill")
    stop = true
    await load
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    for (const gw of gateways) {
      const h = await health(gw)
      expect(h).toMatchObject({ status: "degraded", state: { backend: "redis", status: "degraded" } })
      expect(h.reason).toMatch(/shared state unreachable/)
    }

    redis = await startRedis(redisPort)
    for (const gw of gateways) await eventually(async () => (await health(gw)).status === "ok", scaled(10_000), "health ok again")
    // Shared again: a cooldown recorded on C is honoured by A and B.
    fake.script(KEYS.a, [reply.rateLimited(120)])
    const before = fake.countFor(KEYS.a)
    expect((await served(c)).profile).toBe("anthropic:b")
    expect(fake.countFor(KEYS.a)).toBe(before + 1)
    expect((await served(a)).profile).toBe("anthropic:b")
    expect((await served(b)).profile).toBe("anthropic:b")
    expect(fake.countFor(KEYS.a)).toBe(before + 1)
    await sleep(0)
  }, scaled(40_000))
  it("Redis down: the cooldowns a gateway saw in Redis still hold (it does not call a rate-limited key again)", async () => {
    const [a, , c] = gateways as [GatewayProcess, GatewayProcess, GatewayProcess]
    expect((await host2.run(["models", "auth", "cooldowns", "clear"])).code).toBe(0)
    fake.script(KEYS.a, [reply.rateLimited(120)])
    const before = fake.countFor(KEYS.a)
    expect((await served(c)).profile).toBe("anthropic:b")
    // A learns of it by reading Redis (another host: its file says nothing).
    expect((await served(a)).profile).toBe("anthropic:b")
    expect(fake.countFor(KEYS.a)).toBe(before + 1)

    redis.kill("SIGKILL")
    await new Promise((resolve) => redis.once("exit", resolve))
    for (const gw of [c, a, c, a]) expect((await served(gw)).profile).toBe("anthropic:b")
    expect(fake.countFor(KEYS.a)).toBe(before + 1)
    expect((await health(a)).status).toBe("degraded")

    redis = await startRedis(redisPort)
    for (const gw of gateways) await eventually(async () => (await health(gw)).status === "ok", scaled(10_000), "health ok again")
    expect((await host2.run(["models", "auth", "cooldowns", "clear"])).code).toBe(0)
  }, scaled(40_000))
})
