import { spawnSync } from "node:child_process"
import { afterEach, describe, expect, it } from "vitest"
import { reply } from "../support/fakeProviders.js"
import { ask, json, BIN, eventually, expectNoSecrets, GATEWAY_TOKEN, KEYS, type RunningGateway, spawnGateway, startGateway, World } from "./harness.js"

let world: World
let gw: RunningGateway | undefined

afterEach(async () => {
  await gw?.stop()
  gw = undefined
  await world.cleanup()
})

const onlyProfile = (id: string, key: string) => ({
  version: 1,
  profiles: { [id]: { type: "api_key", provider: "anthropic", key }, "openai:default": { type: "api_key", provider: "openai", key: KEYS.openai } }
})

const usageRecorded = () => expect.poll(async () => (await world.readJson(world.store)).lastGood?.anthropic).toBe("anthropic:a")

describe("gateway: reload without a restart (§8.1)", () => {
  it("a profile added to the store on disk is used by the next request", async () => {
    world = await World.create({ token: true, store: onlyProfile("anthropic:a", KEYS.a) })
    gw = await startGateway(world)
    await gw.client().chat.completions.create(ask("hi"))
    expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…AK01")
    // The gateway records that use in the background (under the store lock); the test's writer takes no lock.
    await usageRecorded()
    // Another process (the CLI) swaps the store: a new profile first in the order.
    await world.writeJson(world.store, {
      ...onlyProfile("anthropic:a", KEYS.a),
      profiles: { ...onlyProfile("anthropic:a", KEYS.a).profiles, "anthropic:added": { type: "api_key", provider: "anthropic", key: KEYS.added } },
      order: { anthropic: ["anthropic:added", "anthropic:a"] }
    })
    await eventually(async () => (await gw!.profiles()).includes("anthropic:added"), 5_000, "the watch to reload")
    await gw.client().chat.completions.create(ask("hi"))
    expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…NK05")
  })

  it("a key set in <state>/.env is picked up, and a new gateway token takes effect", async () => {
    world = await World.create({ store: { version: 1, profiles: {} }, config: { agents: { defaults: { model: "anthropic/claude-opus-4-6" } } } })
    gw = await startGateway(world)
    // No key anywhere: a loopback endpoint is called without one, and the fake refuses (upstream auth → 502).
    const refused = await gw.client().chat.completions.create(ask("hi")).catch((e) => e)
    expect(refused.status).toBe(502)
    expect(refused.error.type).toBe("auth")
    expect(world.fake.requests.at(-1)!.credential).toBeUndefined()
    await world.writeDotenv({ ANTHROPIC_API_KEY: KEYS.env, OPENCLAW_GATEWAY_TOKEN: GATEWAY_TOKEN })
    // The token now in force is the sign that the .env was re-read.
    await eventually(async () => (await gw!.fetch("/v1/models", { token: null })).status === 401, 5_000, "the .env reload")
    await gw.client({ apiKey: GATEWAY_TOKEN }).chat.completions.create(ask("hi"))
    expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…EK06")
  })

  it("a store that stops parsing keeps the last good snapshot serving", async () => {
    world = await World.create({ token: true })
    gw = await startGateway(world)
    const before = await gw.generation()
    await world.writeJson(world.store, "not an object")
    await eventually(() => gw!.logs.some((l) => l.startsWith("WARN") && l.includes("still serving generation")), 5_000, "the failed reload")
    expect(await gw.generation()).toBe(before)
    const c = await gw.client().chat.completions.create(ask("hi"))
    expect(c.choices[0]!.message.content).toBe("Hello from the fake provider.")
  })

  it("the gateway's own cooldown writes are in the snapshot before the next request", async () => {
    world = await World.create({ token: true })
    gw = await startGateway(world)
    world.fake.script(KEYS.a, [reply.rateLimited(60)])
    await Promise.all([1, 2, 3].map(() => gw!.client().chat.completions.create(ask("hi"))))
    const afterBurst = world.fake.countFor(KEYS.a)
    await gw.client().chat.completions.create(ask("hi"))
    expect(world.fake.countFor(KEYS.a)).toBe(afterBurst)
  })
})

describe("gateway: the process (built binary)", () => {
  it("SIGHUP reloads; SIGTERM lets an in-flight stream finish, then exits 0", async () => {
    world = await World.create({ token: true, store: onlyProfile("anthropic:a", KEYS.a) })
    const proc = await spawnGateway(world)
    try {
      const auth = { authorization: `Bearer ${GATEWAY_TOKEN}`, "content-type": "application/json" }
      const call = (body: unknown) => fetch(`${proc.url}/v1/chat/completions`, { method: "POST", headers: auth, body: JSON.stringify(body) })
      expect((await call(ask("hi"))).status).toBe(200)
      expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…AK01")
      await usageRecorded()
      const health = async () => (await json((await fetch(`${proc.url}/health`)))).generation as number
      const before = await health()
      await world.writeJson(world.store, onlyProfile("anthropic:added", KEYS.added))
      proc.child.kill("SIGHUP")
      await eventually(() => proc.stderr().includes("reloaded on SIGHUP"), 5_000, "the SIGHUP reload")
      expect(await health()).toBeGreaterThan(before)
      expect((await call(ask("hi"))).status).toBe(200)
      expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…NK05")

      // A slow stream in flight when SIGTERM arrives still completes.
      world.fake.script(KEYS.added, [reply.ok("slow and steady", { chunks: ["slow ", "and ", "steady"], chunkDelayMs: 300 })])
      const inFlight = call(ask("stream", { stream: true })).then((r) => r.text())
      await world.fake.waitFor((f) => f.requests.some((r) => (r.body as { stream?: boolean }).stream === true))
      proc.child.kill("SIGTERM")
      const body = await inFlight
      expect(body).toContain('"content":"steady"')
      expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true)
      const exit = await proc.exited
      expect(exit).toEqual({ code: 0, signal: null })
      // New connections are refused once it stopped.
      await expect(fetch(`${proc.url}/health`)).rejects.toThrow()
      expect(proc.stderr()).toContain("stopped after SIGTERM")
      expectNoSecrets(proc.stderr())
    } finally {
      proc.child.kill("SIGKILL")
    }
  })

  it("over a file-size limit a sessions write is a logged warning, not a dead gateway", async () => {
    world = await World.create({ token: true })
    const bulk: Record<string, unknown> = {}
    for (let i = 0; i < 400; i++) bulk[`main:bulk-${i}`] = { model: "anthropic/claude-opus-4-6", updatedAt: 1_700_000_000_000 + i }
    await world.writeJson(world.sessions, { version: 1, sessions: bulk })
    const { readFile } = await import("node:fs/promises")
    const before = await readFile(world.sessions, "utf8")
    // 16 blocks of 1 KiB: smaller than the sessions file, so the next write of it fails with EFBIG.
    const proc = await spawnGateway(world, [], { fileSizeLimitBlocks: 16 })
    try {
      const res = await fetch(`${proc.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${GATEWAY_TOKEN}`, "content-type": "application/json", "x-openclaw-session-key": "x" },
        body: JSON.stringify(ask("/model sonnet"))
      })
      expect(res.status).toBe(200)
      await eventually(() => /could not save gateway sessions: .*sessions\.json/.test(proc.stderr()) || proc.child.signalCode !== null, 5_000, "the warning")
      expect(proc.child.signalCode, proc.stderr()).toBeNull()
      expect((await fetch(`${proc.url}/health`)).status).toBe(200)
      expect(await readFile(world.sessions, "utf8")).toBe(before)
    } finally {
      proc.child.kill("SIGKILL")
    }
  })

  it("`gateway install --print` prints a systemd unit or a launchd plist without secrets", async () => {
    world = await World.create({ token: true, dotenv: { ANTHROPIC_API_KEY: KEYS.env } })
    const run = (...args: Array<string>) => spawnSync(process.execPath, [BIN, "gateway", "install", "--print", ...args], { cwd: world.home, env: world.env(), encoding: "utf8" })
    const unit = run("--platform", "linux", "--port", "18800")
    expect(unit.status).toBe(0)
    expect(unit.stdout).toContain("[Service]")
    expect(unit.stdout).toContain(`ExecStart="${process.execPath}" "${BIN}" "gateway" "--port" "18800"`)
    expect(unit.stdout).toContain("ExecReload=/bin/kill -HUP $MAINPID")
    expect(unit.stdout).not.toMatch(/^Environment/m)
    const plist = run("--platform", "darwin")
    expect(plist.status).toBe(0)
    expect(plist.stdout).toContain("<key>ProgramArguments</key>")
    expect(plist.stdout).toContain(`<string>${BIN}</string>`)
    expect(plist.stdout).not.toContain("EnvironmentVariables")
    for (const out of [unit.stdout, unit.stderr, plist.stdout, plist.stderr]) expectNoSecrets(out)
  })

  it("`gateway install` writes the unit where systemd --user looks, and says how to start it", async () => {
    world = await World.create({ token: true })
    const run = spawnSync(process.execPath, [BIN, "gateway", "install", "--platform", "linux"], { cwd: world.home, env: world.env(), encoding: "utf8" })
    expect(run.status).toBe(0)
    const target = `${world.home}/.config/systemd/user/openclaw-gateway.service`
    expect(run.stdout).toContain(`Wrote ${target}`)
    expect(run.stdout).toContain("systemctl --user enable --now openclaw-gateway")
    const { readFile } = await import("node:fs/promises")
    expect(await readFile(target, "utf8")).toContain(`ExecStart="${process.execPath}" "${BIN}" "gateway"`)
    const other = spawnSync(process.execPath, [BIN, "gateway", "install", "--platform", "windows"], { cwd: world.home, env: world.env(), encoding: "utf8" })
    expect(other.status).toBe(1)
  })
})
