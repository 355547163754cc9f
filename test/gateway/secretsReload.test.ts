import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { closedPort } from "../support/fakeProviders.js"
import { startGatewayProcess } from "../support/GatewayProcess.js"
import { Sandbox } from "../support/Sandbox.js"
import { scaled } from "../support/Timing.js"
import { expectNoLeak } from "../support/SecretScan.js"
import { ask, expectNoSecrets, GATEWAY_TOKEN, type GatewayHome, json, KEYS, withGateway, withHome } from "./harness.js"

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

describe("concurrent reloads (§9)", () => {
  it.scopedLive("twenty at once share the resolver runs: one in progress and one after it, not twenty; every asker gets an answer", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "openclaw-slow-vault-")))
      yield* Effect.addFinalizer(() => Effect.promise(() => fs.rm(dir, { recursive: true, force: true })))
      const command = path.join(dir, "resolver")
      const answer = JSON.stringify({ protocolVersion: 1, values: { "anthropic/a": KEYS.a } })
      // Each run waits for the gate (a file) once the gateway has started: the test opens it when every reload is asked.
      const gate = path.join(dir, "gate")
      yield* Effect.promise(() => fs.writeFile(gate, ""))
      yield* Effect.promise(() => fs.writeFile(command, `#!/bin/sh\ncat >/dev/null\necho run >> "${dir}/runs"\nwhile [ ! -e "${gate}" ]; do sleep 0.05; done\nprintf '%s' '${answer}'\n`, { mode: 0o700 }))
      const runs = async () => ((await fs.readFile(path.join(dir, "runs"), "utf8").catch(() => "")).match(/run/g) ?? []).length
      yield* withGateway(
        {
          token: true,
          config: { secrets: { providers: { vault: { source: "exec", command, timeoutMs: 10_000 } } } },
          store: { version: 1, profiles: { "anthropic:a": { type: "api_key", provider: "anthropic", keyRef: { source: "exec", provider: "vault", id: "anthropic/a" } } } }
        },
        async ({ gw }) => {
          const before = await runs()
          await fs.rm(gate)
          const asked = Promise.all(Array.from({ length: 20 }, () => gw.fetch(reloadRoute, { method: "POST", body: "{}" })))
          // The first reload holds the lock in its resolver; every other one arrives meanwhile, however busy the machine.
          await new Promise((resolve) => setTimeout(resolve, scaled(1_000)))
          await fs.writeFile(gate, "")
          const answers = await asked
          expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200))
          const ran = (await runs()) - before
          console.log(`resolver runs for 20 concurrent reloads: ${ran}`)
          expect(ran).toBe(2)
        }
      )
    }))
})

describe("`openclaw secrets reload` (built binary)", () => {
  it.scopedLive("`openclaw gateway` does not start when the token ref it needs does not resolve: one line, where and why, exit 1", () =>
    withHome({}, async (world) => {
      const config = await world.readJson(world.config)
      await world.writeJson(world.config, {
        ...config,
        gateway: { auth: { mode: "token", token: { source: "exec", provider: "vault", id: "gateway/token" } } },
        secrets: { providers: { vault: { source: "exec", command: path.join(world.home, "no-such-resolver") } } }
      })
      const started = await world.run(["gateway", "--port", "0"])
      expect(started.code).toBe(1)
      const lines = started.stderr.trim().split("\n")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(`openclaw: The gateway did not start: the secret reference at gateway.auth.token in ${world.config} (ref exec:vault) did not resolve: `)
      expect(lines[0]).toContain("no-such-resolver")
      expect(started.stdout).toBe("")
    }))

  it.scopedLive("reaches the gateway at gateway.port with the configured token; says how to start one when none runs", () =>
    withHome({ token: true }, async (world) => {
      const port = await closedPort()
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

/** Where the key lives, and how it goes away and comes back (rotated). */
interface Source {
  readonly ref: Record<string, string>
  /** The ref's label and what the failure's reason says. */
  readonly label: string
  readonly reason: string
  readonly setUp: (world: GatewayHome, key: string) => Promise<Record<string, unknown>>
  readonly fail: (world: GatewayHome) => Promise<void>
  readonly heal: (world: GatewayHome, key: string) => Promise<void>
  /** How many times the resolver ran (exec only). */
  readonly runs?: (world: GatewayHome) => Promise<number>
}

const envSource: Source = {
  ref: { source: "env", provider: "default", id: "VAULT_ANTHROPIC_KEY" },
  label: "ref env:VAULT_ANTHROPIC_KEY",
  reason: "VAULT_ANTHROPIC_KEY is not set",
  setUp: async (world, key) => (await world.writeDotenv({ VAULT_ANTHROPIC_KEY: key }), {}),
  fail: (world) => world.writeDotenv({ UNRELATED: "1" }),
  heal: (world, key) => world.writeDotenv({ VAULT_ANTHROPIC_KEY: key })
}

/**
 * A resolver speaking the exec protocol (§9): answers from answer.json beside it, fails while a `sealed` file is
 * there, and counts its runs.
 */
const RESOLVER = `#!/bin/sh
dir=$(dirname "$0")
cat >/dev/null
echo run >> "$dir/runs"
if [ -e "$dir/sealed" ]; then echo "the vault is sealed" >&2; exit 1; fi
cat "$dir/answer.json"
`
const vaultDir = (world: GatewayHome) => path.join(world.home, "vault")
const answer = (key: string) => JSON.stringify({ protocolVersion: 1, values: { "anthropic/a": key } })

const execSource: Source = {
  ref: { source: "exec", provider: "vault", id: "anthropic/a" },
  label: "ref exec:vault",
  reason: "exit",
  setUp: async (world, key) => {
    const dir = await world.mkdir(vaultDir(world))
    await world.write(path.join(dir, "answer.json"), answer(key))
    const command = await world.write(path.join(dir, "resolver"), RESOLVER, 0o700)
    return { secrets: { providers: { vault: { source: "exec", command, timeoutMs: 10_000 } } } }
  },
  fail: async (world) => void (await world.write(path.join(vaultDir(world), "sealed"), "")),
  heal: async (world, key) => {
    await world.write(path.join(vaultDir(world), "answer.json"), answer(key))
    await fs.rm(path.join(vaultDir(world), "sealed"))
  },
  runs: async (world) => ((await world.readText(path.join(vaultDir(world), "runs"))) ?? "").split("\n").filter((l) => l === "run").length
}

describe("a ref-backed key through a resolver outage (built binary, §9)", () => {
  it.scopedLive.each([
    { name: "an env ref in <state>/.env", source: envSource },
    { name: "an exec resolver script", source: execSource }
  ])("$name: the key reaches the provider; failing, the gateway keeps the old one (degraded once); healed, recovered and the new one used", ({ source }) =>
    withHome(
      {
        token: true,
        store: {
          version: 1,
          profiles: {
            "anthropic:a": { type: "api_key", provider: "anthropic", keyRef: source.ref },
            "openai:default": { type: "api_key", provider: "openai", key: KEYS.openai }
          }
        }
      },
      async (world) => {
        const port = await closedPort()
        await configure(world, port, await source.setUp(world, KEYS.a))
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
          // Resolved when the snapshot was built, never per request.
          const runs = await source.runs?.(world)
          for (let i = 0; i < 20; i++) await chat()
          expect(await source.runs?.(world)).toBe(runs)

          // The secret goes away: a reload (the CLI's; the watch may run one too) keeps the old snapshot.
          await source.fail(world)
          const kept = await world.run(["secrets", "reload"])
          expect(kept.code).toBe(1)
          expect(kept.stderr).toContain(`The gateway at http://127.0.0.1:${port} kept serving its old secrets`)
          expect(kept.stderr).toContain(`profiles.anthropic:a.keyRef in ${world.store} (${source.label}): `)
          expect(kept.stderr).toContain(source.reason)
          const keptJson = await world.run(["secrets", "reload", "--json"])
          expect(keptJson.code).toBe(1)
          expect(JSON.parse(keptJson.stdout)).toMatchObject({ ok: false, degraded: true, unresolved: [{ location: `profiles.anthropic:a.keyRef in ${world.store}`, ref: source.label, needed: true }] })
          expect(await chat()).toBe("sk-ant-api03-…AK01")
          expect(await json(fetch(`${proc.url}/health`))).toMatchObject({ status: "degraded" })
          expect(count(proc.output(), "SECRETS_RELOADER_DEGRADED")).toBe(1)

          // It comes back, rotated.
          await source.heal(world, KEYS.b)
          const healed = await world.run(["secrets", "reload"])
          expect(healed.code, healed.stderr).toBe(0)
          expect(healed.stdout).toContain(`the gateway at http://127.0.0.1:${port} now serves generation`)
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
    )
  )
})
