import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { reply } from "../support/fakeProviders.js"
import { BIN, eventually, sleep } from "../support/Child.js"
import { fileSizeLimit, startGatewayProcess } from "../support/GatewayProcess.js"
import { scaled } from "../support/Timing.js"
import { ask, expectNoSecrets, GATEWAY_TOKEN, type GatewayHome, json, KEYS, POLL, withGateway, withHome } from "./harness.js"

const onlyProfile = (id: string, key: string) => ({
  version: 1,
  profiles: { [id]: { type: "api_key", provider: "anthropic", key }, "openai:default": { type: "api_key", provider: "openai", key: KEYS.openai } }
})

const usageRecorded = (world: GatewayHome) => expect.poll(async () => (await world.readJson(world.store)).lastGood?.anthropic, POLL).toBe("anthropic:a")

describe("gateway: reload without a restart (§8.1)", () => {
  it.scopedLive("the CLI changes the order, and the very next request follows it: the watch's callback, not a wait or a stat", () =>
    withGateway(
      {
        token: true,
        config: { agents: { defaults: { model: { primary: "openai/gpt-4o-mini" } } } },
        store: {
          version: 1,
          profiles: {
            "openai:default": { type: "api_key", provider: "openai", key: KEYS.openai },
            "openai:two": { type: "api_key", provider: "openai", key: KEYS.openai2 }
          },
          order: { openai: ["openai:default", "openai:two"] }
        }
      },
      // The watch is trusted for the whole test: a request that follows the change could only see it through the
      // watch's callback (the stat that backs a quiet watch up every second would hide a broken one).
      { quietWatchTrustedMs: 600_000 },
      async ({ world, gw }) => {
        const call = async () => {
          // A new connection per request, as a script's `curl` after the CLI makes.
          const res = await fetch(`${gw.url}/v1/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${GATEWAY_TOKEN}`, "content-type": "application/json", connection: "close" },
            body: JSON.stringify({ ...ask("hi"), model: "openclaw" })
          })
          expect(res.status).toBe(200)
          await res.text()
          return world.fake.requests.at(-1)!.credential
        }
        expect(await call()).toBe("sk-proj-…OK04")
        // The use record of that answer is written in the background (the watch hears it too); then all is quiet.
        await expect.poll(async () => (await world.readJson(world.store)).lastGood?.openai, POLL).toBe("openai:default")
        for (const [first, second, credential] of [
          ["openai:two", "openai:default", "sk-proj-…OK07"],
          ["openai:default", "openai:two", "sk-proj-…OK04"],
          ["openai:two", "openai:default", "sk-proj-…OK07"]
        ] as const) {
          expect(await call()).not.toBe(credential)
          const set = await world.run(["models", "auth", "order", "set", "--provider", "openai", first, second])
          expect(set.code, set.stderr).toBe(0)
          expect(await call()).toBe(credential)
        }
      }
    ))

  it.scopedLive("a profile added to the store on disk is used by the next request", () =>
    withGateway({ token: true, store: onlyProfile("anthropic:a", KEYS.a) }, async ({ world, gw }) => {
      await gw.client().chat.completions.create(ask("hi"))
      expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…AK01")
      // The gateway records that use in the background (under the store lock); the test's writer takes no lock.
      await usageRecorded(world)
      // Another process (the CLI) swaps the store: a new profile first in the order.
      await world.writeJson(world.store, {
        ...onlyProfile("anthropic:a", KEYS.a),
        profiles: { ...onlyProfile("anthropic:a", KEYS.a).profiles, "anthropic:added": { type: "api_key", provider: "anthropic", key: KEYS.added } },
        order: { anthropic: ["anthropic:added", "anthropic:a"] }
      })
      await eventually(async () => (await gw.profiles()).includes("anthropic:added"), scaled(5_000), "the watch to reload")
      await gw.client().chat.completions.create(ask("hi"))
      expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…NK05")
    }))

  it.scopedLive("an agent directory removed and restored (a backup put back) is watched again: its store is read without a request", () =>
    withGateway({ token: true, store: onlyProfile("anthropic:a", KEYS.a) }, async ({ world, gw }) => {
      const agentDir = path.dirname(world.store)
      await fs.rm(agentDir, { recursive: true })
      await sleep(100)
      await world.writeJson(world.store, {
        ...onlyProfile("anthropic:a", KEYS.a),
        profiles: { ...onlyProfile("anthropic:a", KEYS.a).profiles, "anthropic:added": { type: "api_key", provider: "anthropic", key: KEYS.added } }
      })
      await eventually(async () => (await gw.profiles()).includes("anthropic:added"), scaled(5_000), "the restored directory's store to be read")
    }))

  it.scopedLive("a key set in <state>/.env is picked up, and a new gateway token takes effect", () =>
    withGateway({ store: { version: 1, profiles: {} }, config: { agents: { defaults: { model: "anthropic/claude-opus-4-6" } } } }, async ({ world, gw }) => {
      // No key anywhere: a loopback endpoint is called without one, and the fake refuses (upstream auth → 401).
      const refused = await gw.client().chat.completions.create(ask("hi")).catch((e) => e)
      expect(refused.status).toBe(401)
      expect(refused.error.type).toBe("auth")
      expect(world.fake.requests.at(-1)!.credential).toBeUndefined()
      await world.writeDotenv({ ANTHROPIC_API_KEY: KEYS.env, OPENCLAW_GATEWAY_TOKEN: GATEWAY_TOKEN })
      // The token now in force is the sign that the .env was re-read.
      await eventually(async () => (await gw.fetch("/v1/models", { token: null })).status === 401, scaled(5_000), "the .env reload")
      await gw.client({ apiKey: GATEWAY_TOKEN }).chat.completions.create(ask("hi"))
      expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…EK06")
    }))

  it.scopedLive("a store that stops parsing keeps the last good snapshot serving", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      const before = await gw.generation()
      await world.writeJson(world.store, "not an object")
      await eventually(() => gw.logs.some((l) => l.startsWith("WARN") && l.includes("still serving generation")), scaled(5_000), "the failed reload")
      expect(await gw.generation()).toBe(before)
      const c = await gw.client().chat.completions.create(ask("hi"))
      expect(c.choices[0]!.message.content).toBe("Hello from the fake provider.")
    }))

  it.scopedLive("the gateway's own cooldown writes are in the snapshot before the next request", () =>
    withGateway({ token: true }, async ({ world, gw }) => {
      world.fake.script(KEYS.a, [reply.rateLimited(60)])
      await Promise.all([1, 2, 3].map(() => gw.client().chat.completions.create(ask("hi"))))
      const afterBurst = world.fake.countFor(KEYS.a)
      await gw.client().chat.completions.create(ask("hi"))
      expect(world.fake.countFor(KEYS.a)).toBe(afterBurst)
    }))
})

describe("gateway: the process (built binary)", () => {
  it.scopedLive("SIGHUP reloads; SIGTERM lets an in-flight stream finish, then exits 0", () =>
    withHome({ token: true, store: onlyProfile("anthropic:a", KEYS.a) }, async (world) => {
      const proc = await startGatewayProcess({ cwd: world.home, env: world.env() })
      try {
        const auth = { authorization: `Bearer ${GATEWAY_TOKEN}`, "content-type": "application/json" }
        const call = (body: unknown) => fetch(`${proc.url}/v1/chat/completions`, { method: "POST", headers: auth, body: JSON.stringify(body) })
        expect((await call(ask("hi"))).status).toBe(200)
        expect(world.fake.requests.at(-1)!.credential).toBe("sk-ant-api03-…AK01")
        await usageRecorded(world)
        const health = async () => (await json((await fetch(`${proc.url}/health`)))).generation as number
        const before = await health()
        await world.writeJson(world.store, onlyProfile("anthropic:added", KEYS.added))
        proc.child.kill("SIGHUP")
        await eventually(() => proc.output().includes("reloaded on SIGHUP"), scaled(5_000), "the SIGHUP reload")
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
        expect(proc.output()).toContain("stopped after SIGTERM")
        expectNoSecrets(proc.output())
      } finally {
        proc.child.kill("SIGKILL")
      }
    }))

  it.scopedLive("over a file-size limit a sessions write is a logged warning, not a dead gateway", () =>
    withHome({ token: true }, async (world) => {
      const bulk: Record<string, unknown> = {}
      for (let i = 0; i < 400; i++) bulk[`main:bulk-${i}`] = { model: "anthropic/claude-opus-4-6", updatedAt: 1_700_000_000_000 + i }
      await world.writeJson(world.sessions, { version: 1, sessions: bulk })
      const { readFile } = await import("node:fs/promises")
      const before = await readFile(world.sessions, "utf8")
      // 16 blocks of 1 KiB: smaller than the sessions file, so the next write of it fails with EFBIG.
      const proc = await startGatewayProcess({ cwd: world.home, env: world.env(), prefix: fileSizeLimit(16) })
      try {
        const res = await fetch(`${proc.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${GATEWAY_TOKEN}`, "content-type": "application/json", "x-openclaw-session-key": "x" },
          body: JSON.stringify(ask("/model sonnet"))
        })
        expect(res.status).toBe(200)
        await eventually(() => /could not save gateway sessions: .*sessions\.json/.test(proc.output()) || proc.child.signalCode !== null, scaled(5_000), "the warning")
        expect(proc.child.signalCode, proc.output()).toBeNull()
        expect((await fetch(`${proc.url}/health`)).status).toBe(200)
        expect(await readFile(world.sessions, "utf8")).toBe(before)
      } finally {
        proc.child.kill("SIGKILL")
      }
    }))

  it.scopedLive("`gateway install --print` prints a systemd unit or a launchd plist without secrets", () =>
    withHome({ token: true, dotenv: { ANTHROPIC_API_KEY: KEYS.env } }, async (world) => {
      const run = (...args: Array<string>) => world.run(["gateway", "install", "--print", ...args])
      const unit = await run("--platform", "linux", "--port", "18800")
      expect(unit.code, unit.stderr).toBe(0)
      expect(unit.stdout).toContain("[Service]")
      expect(unit.stdout).toContain(`ExecStart="${process.execPath}" "${BIN}" "gateway" "--port" "18800"`)
      expect(unit.stdout).toContain("ExecReload=/bin/kill -HUP $MAINPID")
      expect(unit.stdout).not.toMatch(/^Environment/m)
      const plist = await run("--platform", "darwin")
      expect(plist.code, plist.stderr).toBe(0)
      expect(plist.stdout).toContain("<key>ProgramArguments</key>")
      expect(plist.stdout).toContain(`<string>${BIN}</string>`)
      expect(plist.stdout).not.toContain("EnvironmentVariables")
      for (const out of [unit.stdout, unit.stderr, plist.stdout, plist.stderr]) expectNoSecrets(out)
    }))

  it.scopedLive("`gateway install` writes the unit where systemd --user looks, and says how to start it", () =>
    withHome({ token: true }, async (world) => {
      const run = await world.run(["gateway", "install", "--platform", "linux"])
      expect(run.code, run.stderr).toBe(0)
      const target = `${world.home}/.config/systemd/user/openclaw-gateway.service`
      expect(run.stdout).toContain(`Wrote ${target}`)
      expect(run.stdout).toContain("systemctl --user enable --now openclaw-gateway")
      const { readFile } = await import("node:fs/promises")
      expect(await readFile(target, "utf8")).toContain(`ExecStart="${process.execPath}" "${BIN}" "gateway"`)
      const other = await world.run(["gateway", "install", "--platform", "windows"])
      expect(other.code).toBe(1)
    }))
})
