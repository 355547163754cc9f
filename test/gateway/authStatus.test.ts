/**
 * GET /v1/auth/status is built from the gateway's snapshot (§8.2): the `models status --json` object for the same
 * files, with nothing read, run or written per request; and what a failover writes is patched into the snapshot.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { FileError } from "../../src/domain/Errors.js"
import { Files, type FilesShape } from "../../src/services/Files.js"
import { ShellEnv } from "../../src/services/ShellEnv.js"
import { BIN } from "../support/Child.js"
import { reply } from "../support/fakeProviders.js"
import { ask, defaultStore, GatewayHome, json, KEYS, POLL, type RunningGateway, startGateway } from "./harness.js"

const HOUR = 3_600_000
const OPENROUTER_KEY = "sk-or-v1-FAKEauthStatusFromDotEnv" + "r".repeat(40)

/**
 * `it.scopedLive` body: a main agent with a cooling profile and an expiring token, a .env key, a sub-agent with its
 * own profile, and the gateway over them; both gone afterwards.
 */
const withRichGateway = (
  setup: { readonly config?: Record<string, unknown>; readonly before?: (world: GatewayHome) => Promise<void> },
  options: Parameters<typeof startGateway>[1],
  body: (t: { world: GatewayHome; gw: RunningGateway }) => Promise<void>
) =>
  Effect.gen(function* () {
    const world = yield* GatewayHome.scoped(homeOptions())
    yield* Effect.promise(() => prepare(world, setup.config ?? {}))
    if (setup.before) yield* Effect.promise(() => setup.before!(world))
    const gw = yield* startGateway(world, options)
    yield* Effect.promise(() => body({ world, gw }))
  })

const homeOptions = () => {
  const now = Date.now()
  return {
    token: true,
    dotenv: { OPENROUTER_API_KEY: OPENROUTER_KEY },
    store: {
      ...defaultStore(),
      profiles: {
        ...defaultStore().profiles,
        "anthropic:work": { type: "token", provider: "anthropic", token: KEYS.work, expires: now + 5 * 24 * HOUR + 6 * HOUR }
      },
      usageStats: { "anthropic:a": { cooldownUntil: now + 10 * HOUR + 15 * 60_000, errorCount: 2, lastUsed: now - 1_000 } }
    }
  }
}

const prepare = async (w: GatewayHome, config: Record<string, unknown>) => {
  const current = await w.readJson(w.config)
  await w.writeJson(w.config, { ...current, ...config, agents: { ...current.agents, list: [{ id: "main", default: true }, { id: "work" }] } })
  await w.writeJson(path.join(w.state, "agents", "work", "agent", "auth-profiles.json"), {
    version: 1,
    profiles: { "anthropic:work-only": { type: "api_key", provider: "anthropic", key: KEYS.added } }
  })
}

/** `openclaw models status --json [args]` over the same HOME. */
const cliStatus = (world: GatewayHome, args: ReadonlyArray<string> = []) => {
  const r = spawnSync(process.execPath, [BIN, "models", "status", "--json", ...args], { cwd: world.home, env: world.env(), encoding: "utf8" })
  expect(r.stderr).toBe("")
  return JSON.parse(r.stdout)
}

/**
 * Both reports with every `remainingMs` checked to be within a minute of the other's and then dropped: the two
 * were computed a moment apart. Everything else must be equal.
 */
const expectSameReport = (a: any, b: any) => {
  const strip = (x: any, y: any): [any, any] => {
    if (Array.isArray(x) && Array.isArray(y)) {
      const pairs = x.map((v, i) => strip(v, y[i]))
      return [pairs.map((p) => p[0]), pairs.map((p) => p[1])]
    }
    if (x !== null && y !== null && typeof x === "object" && typeof y === "object") {
      const outX: Record<string, unknown> = {}
      const outY: Record<string, unknown> = {}
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (k === "remainingMs" && typeof x[k] === "number" && typeof y[k] === "number") {
          expect(Math.abs(x[k] - y[k])).toBeLessThan(60_000)
          continue
        }
        ;[outX[k], outY[k]] = strip(x[k], y[k])
      }
      return [outX, outY]
    }
    return [x, y]
  }
  const [x, y] = strip(a, b)
  expect(x).toEqual(y)
}

const workStoreOf = (world: GatewayHome) => path.join(world.state, "agents", "work", "agent", "auth-profiles.json")

/** Files over the live adapter that fail every call once `broken()` says so, and count those calls. */
const breakableFiles = (broken: () => boolean, onCall: () => void) =>
  Layer.effect(
    Files,
    Effect.map(Files, (live): FilesShape => {
      const guard =
        <Args extends ReadonlyArray<any>, A>(op: FileError["operation"], f: (path: string, ...rest: Args) => Effect.Effect<A, FileError>) =>
        (path: string, ...rest: Args) =>
          Effect.suspend(() => {
            if (!broken()) return f(path, ...rest)
            onCall()
            return Effect.fail(new FileError({ path, operation: op, code: "EIO" }))
          })
      return {
        readText: guard("read", live.readText),
        writeAtomic: guard("write", live.writeAtomic),
        remove: guard("remove", live.remove),
        stat: guard("stat", live.stat),
        chmod: guard("chmod", live.chmod),
        makeDirectory: guard("mkdir", live.makeDirectory),
        realPath: guard("stat", live.realPath),
        list: guard("read", live.list),
        isSymlink: guard("stat", live.isSymlink)
      }
    })
  ).pipe(Layer.provide(Files.layer))

describe("GET /v1/auth/status from the snapshot", () => {
  it.scopedLive("is the `models status --json` object for the same files: the default agent, ?agent=work, and an unknown agent", () =>
    withRichGateway({}, {}, async ({ world, gw }) => {
      // Every gateway answer first: a CLI run takes seconds on a busy machine, longer than a keep-alive socket idles.
      const main = await json(gw.fetch("/v1/auth/status"))
      const work = await json(gw.fetch("/v1/auth/status?agent=work"))
      const unknown = await gw.fetch("/v1/auth/status?agent=nobody")
      const error = ((await unknown.json()) as any).error
      expectSameReport(main, cliStatus(world))
      expect(main.auth.unusableProfiles).toEqual([expect.objectContaining({ profileId: "anthropic:a", reason: "cooldown" })])
      // API keys are listed too, as static (OpenClaw 2026.3.31's keys, issue 15 item 7).
      expect(main.auth.oauth.profiles.filter((p: { type: string }) => p.type !== "api_key")).toEqual([expect.objectContaining({ profileId: "anthropic:work", status: "ok" })])
      expect(main.auth.providers.find((p: any) => p.provider === "openrouter")).toMatchObject({ effective: { kind: "env" } })

      expectSameReport(work, cliStatus(world, ["--agent", "work"]))
      expect(work.auth.providers[0].profiles.labels.join(" ")).toContain("anthropic:work-only")

      expect(unknown.status).toBe(404)
      expect(error.code).toBe("UnknownAgentError")
      expect(error.message).toContain('Unknown agent "nobody". Configured agents: main, work.')
    }))

  let shellLoads = 0
  const countingShell = Layer.succeed(ShellEnv, { load: () => Effect.sync(() => (shellLoads++, {})) })
  it.scopedLive("answers from the snapshot after the store became unreadable: no file read, no login shell, no legacy import", () =>
    // The login shell is enabled: loading per request would run it every time.
    withRichGateway({ config: { env: { shellEnv: { enabled: true } } } }, { ports: { shellEnv: countingShell } }, async ({ world, gw }) => {
      const before = await json(gw.fetch("/v1/auth/status"))
      const loadsAtStart = shellLoads
      expect(loadsAtStart).toBeGreaterThan(0)

      // The store replaced by a directory (a read fails even as root), and a legacy file a load would import.
      await fs.rm(world.store)
      await fs.mkdir(world.store)
      const legacy = path.join(path.dirname(world.store), "auth.json")
      await fs.writeFile(legacy, JSON.stringify({ openai: { type: "api_key", key: "sk-proj-FAKElegacyKey" + "l".repeat(40) } }))
      // The watch saw the store change; its re-read failed and the snapshot stayed.
      await expect.poll(() => gw.logs.some((l) => l.includes("store refresh") && l.includes("still serving generation")), POLL).toBe(true)

      for (let i = 0; i < 3; i++) {
        const res = await gw.fetch("/v1/auth/status")
        expect(res.status).toBe(200)
        expectSameReport(await res.json(), before)
      }
      expect(shellLoads).toBe(loadsAtStart)
      // Not imported (which would have written the store and deleted the file).
      await expect(fs.readFile(legacy, "utf8")).resolves.toContain("FAKElegacyKey")
    }))

  let broken = false
  let brokenCalls = 0
  it.scopedLive("makes no Files call per request: with every file operation failing, the answer is the same", () =>
    withRichGateway({}, { ports: { files: breakableFiles(() => broken, () => brokenCalls++) } }, async ({ gw }) => {
      const before = await json(gw.fetch("/v1/auth/status"))
      const work = await json(gw.fetch("/v1/auth/status?agent=work"))
      broken = true
      expectSameReport(await json(gw.fetch("/v1/auth/status")), before)
      expectSameReport(await json(gw.fetch("/v1/auth/status?agent=work")), work)
      expect(brokenCalls).toBe(0)
      broken = false
    }))

  it.scopedLive("an agent whose store could not be loaded: the status says why (500), chat says it is unavailable (503)", () =>
    withRichGateway({ before: (world) => fs.writeFile(workStoreOf(world), "{ not json") }, {}, async ({ world, gw }) => {
      const status = await gw.fetch("/v1/auth/status?agent=work")
      expect(status.status).toBe(500)
      const error = ((await status.json()) as any).error
      expect(error.type).toBe("server_error")
      expect(error.message).toContain(workStoreOf(world))
      const chat = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi", { model: "openclaw/work" })) })
      expect(chat.status).toBe(503)
      expect(((await chat.json()) as any).error.message).toBe(`Agent work is unavailable: ${error.message}`)
    }))
})

describe("after a failover the snapshot is patched with the store as written", () => {
  const reads = new Map<string, number>()
  const countingFiles = Layer.effect(
    Files,
    Effect.map(Files, (live): FilesShape => ({
      ...live,
      readText: (p) => Effect.suspend(() => (reads.set(p, (reads.get(p) ?? 0) + 1), live.readText(p)))
    }))
  ).pipe(Layer.provide(Files.layer))

  it.scopedLive("no other agent's store is read on the response path; the cooldown is in the snapshot of both agents at once", () =>
    // No background re-read within the test: whatever the snapshot shows came from the patch.
    withRichGateway({}, { ports: { files: countingFiles }, reloadDebounceMs: 600_000 }, async ({ world, gw }) => {
      // Profile a is cooling already; b answers 429, so the fallback model (openai) serves.
      world.fake.script(KEYS.b, [reply.rateLimited(120)])
      const generation = await gw.generation()
      reads.clear()
      const res = await gw.fetch("/v1/chat/completions", { method: "POST", body: JSON.stringify(ask("hi")) })
      expect(res.status).toBe(200)
      expect(res.headers.get("x-openclaw-profile")).toBe("openai:default")
      expect(reads.get(workStoreOf(world)) ?? 0).toBe(0)
      expect(await gw.generation()).toBeGreaterThan(generation)

      for (const route of ["/v1/auth/status", "/v1/auth/status?agent=work"]) {
        const status = await json(gw.fetch(route))
        expect(status.auth.unusableProfiles.map((u: any) => u.profileId).sort()).toEqual(["anthropic:a", "anthropic:b"])
      }
      expect(reads.get(workStoreOf(world)) ?? 0).toBe(0)
    }))
})
