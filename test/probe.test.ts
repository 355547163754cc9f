import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ProviderError } from "../src/domain/Chat.js"
import type { ChatAnswer } from "../src/domain/chat/Model.js"
import type { ProviderClientShape } from "../src/services/ProviderClient.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, runCli, STORE } from "./support/TestApp.js"
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { reply, startFakeProvider } from "./support/fakeProviders.js"
import { modes, startHostileProvider } from "./support/hostileProvider.js"
import { Sandbox } from "./support/Sandbox.js"
import { scaled } from "./support/Timing.js"

const GOOD = "sk-ant-api03-FAKEgoodProbe" + "g".repeat(30) + "GOOD"
const BAD = "sk-ant-api03-FAKEbadProbe" + "b".repeat(30) + "BAAD"
const OR = "sk-or-v1-FAKEprobe" + "0".repeat(40) + "ORKY"

const provider = (calls: Array<{ secret: string; model: string; maxTokens: number | undefined; timeoutMs: number }>): ProviderClientShape => ({
  complete: (target, auth, request, timeoutMs) =>
    Effect.suspend(() => {
      const secret = auth.secret ? Redacted.value(auth.secret) : ""
      calls.push({ secret, model: request.model, maxTokens: request.maxTokens, timeoutMs })
      if (secret === BAD) {
        // Some providers quote the key back in their error text.
        return Effect.fail(new ProviderError({ provider: target.provider, kind: "http", status: 401, detail: `invalid x-api-key ${BAD}` }))
      }
      const result: ChatAnswer = { id: "x", model: request.model, parts: [{ type: "text", text: "pong" }], toolCalls: [], finishReason: "stop", usage: { inputTokens: 1, outputTokens: 1 } }
      return Effect.succeed(result)
    }),
  stream: (target) => Effect.fail(new ProviderError({ provider: target.provider, kind: "network", detail: "unused" })),
  forward: (target) => Effect.fail(new ProviderError({ provider: target.provider, kind: "network", detail: "unused" }))
})

const world = () =>
  new MemoryFs({
    [CONFIG]: JSON.stringify({ agents: { defaults: { model: { primary: "anthropic/claude-opus-4-6" }, models: { "openrouter/meta/llama": { alias: "llama" } } } } }),
    [STORE]: JSON.stringify({
      version: 1,
      profiles: {
        "anthropic:good": { type: "api_key", provider: "anthropic", key: GOOD },
        "anthropic:bad": { type: "api_key", provider: "anthropic", key: BAD },
        "openrouter:x": { type: "api_key", provider: "openrouter", key: OR },
        "groq:g": { type: "api_key", provider: "groq", key: "gsk_FAKE" + "q".repeat(30) }
      }
    })
  })

describe("models status --probe (§6.1)", () => {
  it("sends one tiny request per profile and tabulates model, profile, status, latency, detail", async () => {
    const calls: Parameters<typeof provider>[0] = []
    const fs = world()
    const before = fs.read(STORE)
    const r = await runCli(["models", "status", "--probe", "--probe-max-tokens", "4", "--probe-timeout", "1234"], { fs, provider: provider(calls) })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/anthropic\/claude-opus-4-6\s+anthropic:good\s+ok\s+0ms/)
    expect(r.stdout).toMatch(/anthropic\/claude-opus-4-6\s+anthropic:bad\s+auth\s+0ms\s+anthropic request failed \(HTTP 401\): invalid x-api-key sk-ant-api03-…BAAD/)
    expect(r.stdout).toMatch(/openrouter\/meta\/llama\s+openrouter:x\s+ok/)
    expect(r.stdout).toMatch(/-\s+groq:g\s+unknown\s+-\s+no model configured for groq/)
    expect(r.stdout).not.toContain(BAD)
    expect(calls.every((c) => c.maxTokens === 4 && c.timeoutMs === 1234)).toBe(true)
    expect(fs.read(STORE)).toBe(before)
  })

  it("filters by provider and profile, comma lists or repeated, and adds rows to --json", async () => {
    const calls: Parameters<typeof provider>[0] = []
    const r = await runCli(
      ["models", "status", "--json", "--probe", "--probe-provider", "anthropic", "--probe-profile", "anthropic:bad,openrouter:x"],
      { fs: world(), provider: provider(calls) }
    )
    const json = JSON.parse(r.stdout)
    expect(json.probe.map((p: { profileId: string; status: string }) => [p.profileId, p.status])).toEqual([["anthropic:bad", "auth"]])
    expect(calls).toHaveLength(1)
    expect(r.stdout).not.toContain(BAD)
  })
})


describe("models status --probe: numbers and names it cannot probe with (§6)", () => {
  it.each([
    [["--probe-timeout", "-5"], "--probe-timeout -5 is out of range (1 to 600000 ms)"],
    [["--probe-concurrency", "0"], "--probe-concurrency 0 is out of range (1 to 64)"],
    [["--probe-max-tokens", "-1"], "--probe-max-tokens -1 is out of range (1 to 4096)"],
    [["--probe-provider", "nosuch"], "--probe-provider nosuch is not a provider of agent main"],
    [["--probe-profile", "anthropic:typo"], "--probe-profile anthropic:typo is not a profile of agent main"]
  ])("%j: refused with the fix, nothing probed", async (args, problem) => {
    const calls: Parameters<typeof provider>[0] = []
    const r = await runCli(["models", "status", "--probe", ...args], { fs: world(), provider: provider(calls) })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(problem)
    expect(r.stderr).toContain("Fix:")
    expect(calls).toEqual([])
  })
})

describe("models status --probe progress (§6: slow work shows progress on a terminal, never in pipes or --json)", () => {
  const progress = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("probe "))

  it("stderr a terminal: one line per finished probe on stderr, stdout the same table", async () => {
    const r = await runCli(["models", "status", "--probe"], { fs: world(), provider: provider([]), host: { stderrIsTTY: true } })
    expect(r.code).toBe(0)
    const lines = progress(r.stderr)
    expect(lines).toHaveLength(4)
    expect(lines.map((l) => l.replace(/:.*/, ""))).toEqual(["probe 1/4", "probe 2/4", "probe 3/4", "probe 4/4"])
    expect(lines.some((l) => /^probe \d\/4: anthropic:bad auth 0 ms$/.test(l))).toBe(true)
    expect(lines.some((l) => /^probe \d\/4: groq:g unknown$/.test(l))).toBe(true)
    expect(r.stdout).not.toMatch(/^probe /m)
    expect(r.stderr).not.toContain(BAD)
  })

  it("stderr piped, or --json on a terminal: no progress at all", async () => {
    const piped = await runCli(["models", "status", "--probe"], { fs: world(), provider: provider([]) })
    expect(piped.code).toBe(0)
    expect(progress(piped.stderr)).toEqual([])
    const json = await runCli(["models", "status", "--probe", "--json"], { fs: world(), provider: provider([]), host: { stderrIsTTY: true } })
    expect(progress(json.stderr)).toEqual([])
    expect(JSON.parse(json.stdout).probe).toHaveLength(4)
  })
})

describe("models status --probe against a fake Anthropic (built binary)", () => {
  it("probes through the live adapter: ok, a rejected key, and the Claude-Code-only token explained", async () => {
    const TOKEN = "sk-ant-oat01-FAKEprobeToken" + "t".repeat(80)
    const fake = await startFakeProvider({ credentials: { anthropic: { apiKeys: [GOOD], tokens: [TOKEN] } } })
    fake.script(TOKEN, [reply.claudeCodeOnly()])
    try {
      const home = mkdtempSync(join(tmpdir(), "openclaw-probe-"))
      const state = join(home, ".openclaw")
      mkdirSync(join(state, "agents/main/agent"), { recursive: true })
      writeFileSync(join(state, "openclaw.json"), JSON.stringify({ models: { providers: { anthropic: { baseUrl: fake.url } } } }))
      writeFileSync(
        join(state, "agents/main/agent/auth-profiles.json"),
        JSON.stringify({
          version: 1,
          profiles: {
            "anthropic:good": { type: "api_key", provider: "anthropic", key: GOOD },
            "anthropic:bad": { type: "api_key", provider: "anthropic", key: BAD },
            "anthropic:sub": { type: "token", provider: "anthropic", token: TOKEN }
          }
        })
      )
      const r = await new Promise<{ stdout: string; stderr: string; status: number | null }>((resolve, reject) => {
        const child = spawn(process.execPath, ["dist/openclaw.cjs", "models", "status", "--probe", "--probe-concurrency", "3"], {
          env: { PATH: process.env.PATH ?? "", HOME: home }
        })
        let stdout = ""
        let stderr = ""
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
        child.on("error", reject)
        child.on("close", (status) => resolve({ stdout, stderr, status }))
      })
      expect(r.status).toBe(0)
      expect(r.stdout).toMatch(/anthropic\/claude-opus-4-6\s+anthropic:good\s+ok\s+\d+ms/)
      expect(r.stdout).toMatch(/anthropic:bad\s+auth\s+\d+ms\s+anthropic request failed \(HTTP 401\)/)
      expect(r.stdout).toMatch(/anthropic:sub\s+auth\s+\d+ms.*use an Anthropic API key instead/)
      for (const secret of [GOOD, BAD, TOKEN]) expect(r.stdout + r.stderr).not.toContain(secret.slice(13, 40))
      expect(fake.requests.filter((q) => q.path === "/v1/messages")).toHaveLength(3)
    } finally {
      await fake.close()
    }
  })
})

describe("models status --probe against a hostile provider (built binary, §8.6)", () => {
  it("answers of 1 GB (success and error) are cut at the caps: rows classified, no crash", async () => {
    const hostile = await startHostileProvider()
    const home = await Sandbox.create("probe")
    const OAI = "sk-proj-FAKEhugeProbe" + "h".repeat(30) + "HUGE"
    try {
      await home.write(
        home.config,
        JSON.stringify({
          agents: { defaults: { models: { "openai/gpt-4o-mini": {} } } },
          models: {
            providers: {
              anthropic: { baseUrl: hostile.baseUrl(modes.hugeBody({ bytes: 1024 * 1024 * 1024 })) },
              openai: { baseUrl: hostile.baseUrl(modes.hugeBody({ bytes: 1024 * 1024 * 1024, status: 500 })) }
            }
          }
        })
      )
      await home.write(
        home.store,
        JSON.stringify({
          version: 1,
          profiles: {
            "anthropic:good": { type: "api_key", provider: "anthropic", key: GOOD },
            "openai:huge": { type: "api_key", provider: "openai", key: OAI }
          }
        })
      )
      const r = await home.run(["models", "status", "--probe", "--probe-timeout", String(scaled(60_000))], { timeoutMs: scaled(120_000) })
      expect(r.stderr).not.toMatch(/RangeError|Invalid string length/)
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/anthropic:good\s+format\s+\d+ms\s+anthropic request failed: the answer is larger than the limit of 33554432 bytes/)
      expect(r.stdout).toMatch(/openai:huge\s+unknown\s+\d+ms\s+openai request failed \(HTTP 500\): Internal Server Error/)
      await hostile.waitFor((h) => h.open === 0, scaled(10_000), "the probe's connections to close")
    } finally {
      await hostile.close()
      await home.cleanup()
    }
  }, scaled(180_000))
})
