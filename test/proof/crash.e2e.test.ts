/**
 * Crash safety across every write path (SPEC §3.3, issue 7 item 2): the credential store, the config and
 * `<state>/.env` written by the CLI, and the gateway's `sessions.json`; writers killed with SIGKILL at random
 * moments (seeded PRNG; delays scaled to measured run times, and kills triggered by a writer's temp file showing
 * up, so they land inside writes). After every kill each file parses and holds the old or the new content; temp
 * files left by killed writers are gone after the next successful write of the same file. Then full disks: a
 * file-size limit (`ulimit -f`) and a tiny tmpfs.
 *
 * Replay: OPENCLAW_CRASH_SEED=<n>. Counts (fixed, so a slow machine runs the same schedule, only slower):
 * OPENCLAW_PROOF_CLI_STEPS (kills per CLI lane, 12), OPENCLAW_PROOF_GW_KILLS (gateway kills, 8).
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { spawnSync } from "node:child_process"
import JSON5 from "json5"
import { afterAll, describe, expect, it } from "vitest"
import { type Outcome, sleep } from "../support/Child.js"
import { startGatewayProcess } from "../support/GatewayProcess.js"
import { fakeBody, prng } from "../support/Random.js"
import { Sandbox } from "../support/Sandbox.js"
import { expectNoLeak, outputsOf } from "../support/SecretScan.js"
import { scaled } from "../support/Timing.js"
import { chat, clone, leftoversUnder, normalizeStore, onTempFile, parseDotenv, readText, runUnderFileLimit, tempsOf, writeAtomicTest } from "./support/proof.js"

const SEED = Number(process.env.OPENCLAW_CRASH_SEED ?? 0xc0ffee)
const CLI_STEPS = Number(process.env.OPENCLAW_PROOF_CLI_STEPS ?? 12)
const GW_KILLS = Number(process.env.OPENCLAW_PROOF_GW_KILLS ?? 8)

const sandboxes: Array<Sandbox> = []
const newSandbox = async (label: string): Promise<Sandbox> => {
  const s = await Sandbox.create(`proof-${label}`)
  sandboxes.push(s)
  return s
}
const mounts: Array<string> = []
afterAll(async () => {
  for (const m of mounts) spawnSync("umount", ["-l", m], { stdio: "ignore" })
  await Promise.all(sandboxes.map((s) => s.cleanup()))
})

/** Every output, checked for key material at the end. */
const outputs: Array<Outcome> = []
const secretBodies: Array<string> = []
const record = (o: Outcome): Outcome => {
  outputs.push(o)
  return o
}
const newKey = (rand: () => number, tag: string): string => {
  const body = fakeBody(rand, 32)
  secretBodies.push(body)
  return `sk-FAKE${tag}${body}`
}

const envPath = (s: Sandbox) => path.join(s.state, ".env")
const modeOf = async (file: string) => ((await fs.stat(file)).mode & 0o777).toString(8)

/** Drops empty objects and arrays at any depth: a rewrite may add or remove empty sections. */
const deepNormalize = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(deepNormalize)
  if (typeof u !== "object" || u === null) return u
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(u)) {
    const n = deepNormalize(v)
    if (typeof n === "object" && n !== null && (Array.isArray(n) ? n.length === 0 : Object.keys(n).length === 0)) continue
    out[k] = n
  }
  return out
}

// ---- the CLI's write paths: store, config, .env ------------------------------------------------------------------

type Op =
  | { kind: "add"; id: string; key: string }
  | { kind: "order"; ids: Array<string> }
  | { kind: "logout"; id: string }
  | { kind: "cooldowns" }
  | { kind: "onboard"; id: string; key: string; model: string }
  | { kind: "onboardEnv"; key: string; model: string }

const KINDS = ["add", "order", "logout", "cooldowns", "onboard", "onboardEnv"] as const
type Kind = (typeof KINDS)[number]

const invocation = (op: Op): { args: Array<string>; input?: string; env?: Record<string, string> } => {
  switch (op.kind) {
    case "add":
      return { args: ["models", "auth", "paste-api-key", "--provider", "openai", "--profile-id", op.id], input: `${op.key}\n` }
    case "order":
      return { args: ["models", "auth", "order", "set", "--provider", "openai", ...op.ids] }
    case "logout":
      return { args: ["models", "auth", "logout", "--profile-id", op.id] }
    case "cooldowns":
      return { args: ["models", "auth", "cooldowns", "clear", "--provider", "openai"] }
    case "onboard":
      // The key comes from the environment, as the help recommends (never on the command line).
      return {
        args: ["onboard", "--non-interactive", "--auth-choice", "api-key", "--provider", "openai", "--profile-id", op.id, "--model", op.model],
        env: { OPENAI_API_KEY: op.key }
      }
    case "onboardEnv":
      return {
        args: ["onboard", "--non-interactive", "--auth-choice", "api-key", "--provider", "openai", "--store", "env", "--model", op.model],
        env: { OPENAI_API_KEY: op.key }
      }
  }
}

/** How many atomic writes an operation makes (for the temp-file trigger). */
const writesOf: Record<Kind, number> = { add: 2, order: 1, logout: 2, cooldowns: 1, onboard: 3, onboardEnv: 2 }

const COOLDOWN_FIELDS = ["cooldownUntil", "disabledUntil", "disabledReason", "errorCount", "failureCounts", "lastFailureAt"]

/** The store after `op`, modelled from the store before it. */
const storeAfter = (op: Op, before: any): any => {
  const n = clone(before)
  n.profiles ??= {}
  switch (op.kind) {
    case "add":
    case "onboard":
      n.profiles[op.id] = { type: "api_key", provider: "openai", key: op.key }
      return n
    case "order":
      n.order = { ...n.order, openai: [...new Set(op.ids)] }
      return n
    case "logout":
      delete n.profiles[op.id]
      if (n.order?.openai) n.order.openai = n.order.openai.filter((x: string) => x !== op.id)
      for (const [p, id] of Object.entries(n.lastGood ?? {})) if (id === op.id) delete n.lastGood[p]
      if (n.usageStats) delete n.usageStats[op.id]
      return n
    case "cooldowns":
      for (const [id, stats] of Object.entries<any>(n.usageStats ?? {})) {
        if (n.profiles[id]?.provider !== "openai") continue
        for (const f of COOLDOWN_FIELDS) delete stats[f]
        if (Object.keys(stats).length === 0) delete n.usageStats[id]
      }
      return n
    case "onboardEnv":
      return n
  }
}

const withProfile = (config: any, id: string): any => {
  const c = clone(config)
  c.auth ??= {}
  c.auth.profiles = { ...c.auth.profiles, [id]: { provider: "openai", mode: "api_key" } }
  return c
}
const withoutProfile = (config: any, id: string): any => {
  const c = clone(config)
  if (c.auth?.profiles) delete c.auth.profiles[id]
  return c
}
const withModel = (config: any, model: string): any => {
  const c = clone(config)
  c.agents ??= {}
  c.agents.defaults ??= {}
  const m = c.agents.defaults.model
  c.agents.defaults.model = typeof m === "object" && m !== null ? { ...m, primary: model } : { primary: model }
  return c
}

/** Every config the op may leave, in the order it writes them. */
const configStates = (op: Op, before: any): Array<any> => {
  switch (op.kind) {
    case "add":
      return [before, withProfile(before, op.id)]
    case "onboard":
      return [before, withProfile(before, op.id), withModel(withProfile(before, op.id), op.model)]
    case "onboardEnv":
      return [before, withModel(before, op.model)]
    case "logout":
      return [before, withoutProfile(before, op.id)]
    default:
      return [before]
  }
}

const ENV_SEED = (key: string) => `# the gateway daemon's environment\nexport OTHER_VAR=keep-me # a comment\n\nOPENAI_API_KEY=${key}\n# the end\n`
const envAfter = (op: Op, before: string): string =>
  op.kind === "onboardEnv" ? before.replace(/^OPENAI_API_KEY=.*$/m, `OPENAI_API_KEY=${op.key}`) : before

const CONFIG_SEED = `// hand-written, with a comment and JSON5 syntax
{
  agents: { defaults: { model: { primary: 'openai/gpt-4o', fallbacks: ['openai/gpt-4o-mini'] } } },
  auth: { profiles: {}, },
  unknownKeyOfTheUser: { keep: true },
}
`

interface CliStats {
  attempts: number
  byKind: Record<string, number>
  killedByDelay: number
  killedByTempTrigger: number
  killedBeforeAnyWrite: number
  killedAfterSomeWrite: number
  completed: number
  killsLeavingTemps: number
  staleLocks: number
  tempsCleanedByNextWrite: number
  configAheadOfStore: number
  configBehindStore: number
  maxDelayMs: Record<string, number>
}

describe("crash safety: CLI writers killed with SIGKILL at random moments", () => {
  it("store, config and .env: after every kill each file parses and is old or new; temps go with the next write", async () => {
    const LANES = 3
    const lanes = await Promise.all(Array.from({ length: LANES }, (_, i) => newSandbox(`cli${i}`)))
    const rands = lanes.map((_, lane) => prng(SEED + lane))

    // Seed: a hand-written JSON5 config, a .env with other lines, and three profiles per store.
    for (const [lane, s] of lanes.entries()) {
      await s.write(s.config, CONFIG_SEED)
      await s.write(envPath(s), ENV_SEED(newKey(rands[lane]!, `e${lane}x`)))
    }
    // One run of every kind per lane, all lanes at once (the load the loop runs under): its time scales the delays.
    const timings: Record<string, Array<number>> = {}
    const warm: Array<Array<Op>> = lanes.map((_, lane) => {
      const r = rands[lane]!
      return [
        { kind: "add", id: `openai:seed${lane}a`, key: newKey(r, `s${lane}a`) },
        { kind: "add", id: `openai:seed${lane}b`, key: newKey(r, `s${lane}b`) },
        { kind: "onboard", id: `openai:seed${lane}c`, key: newKey(r, `s${lane}c`), model: `openai/gpt-seed-${lane}` },
        { kind: "onboardEnv", key: newKey(r, `s${lane}d`), model: `openai/gpt-seed-env-${lane}` },
        { kind: "order", ids: [`openai:seed${lane}b`, `openai:seed${lane}a`] },
        { kind: "cooldowns" },
        { kind: "add", id: `openai:seed${lane}e`, key: newKey(r, `s${lane}e`) },
        { kind: "logout", id: `openai:seed${lane}e` }
      ]
    })
    for (let step = 0; step < warm[0]!.length; step++) {
      const batch = await Promise.all(
        lanes.map((s, lane) => {
          const op = warm[lane]![step]!
          const inv = invocation(op)
          return s.run(inv.args, { ...(inv.input ? { input: inv.input } : {}), ...(inv.env ? { env: inv.env } : {}) })
        })
      )
      for (const r of batch) {
        record(r)
        expect({ args: r.args, code: r.code, stderr: r.stderr }).toEqual({ args: r.args, code: 0, stderr: "" })
        ;(timings[warm[0]![step]!.kind] ??= []).push(r.ms)
      }
    }
    const maxDelayMs: Record<string, number> = {}
    for (const kind of KINDS) {
      const ms = timings[kind]!
      maxDelayMs[kind] = Math.max(150, Math.round((ms.reduce((a, b) => a + b, 0) / ms.length) * 1.3))
    }

    const stats: CliStats = {
      attempts: 0,
      byKind: {},
      killedByDelay: 0,
      killedByTempTrigger: 0,
      killedBeforeAnyWrite: 0,
      killedAfterSomeWrite: 0,
      completed: 0,
      killsLeavingTemps: 0,
      staleLocks: 0,
      tempsCleanedByNextWrite: 0,
      configAheadOfStore: 0,
      configBehindStore: 0,
      maxDelayMs
    }

    const runLane = async (s: Sandbox, lane: number) => {
      const rand = rands[lane]!
      const files = { store: s.store, config: s.config, env: envPath(s) }
      // The fixed steps first; then, only while a kind of kill the proof needs has not happened yet (on a slow
      // machine every delay may land before the first write), extra steps killed at their last temp file.
      const missing = () => stats.killedAfterSomeWrite === 0 || stats.killsLeavingTemps === 0 || stats.killedBeforeAnyWrite === 0
      for (let iter = 0; iter < CLI_STEPS || (missing() && iter < CLI_STEPS * 3); iter++) {
        const extra = iter >= CLI_STEPS
        const beforeStoreText = (await readText(s.store))!
        let before = JSON.parse(beforeStoreText)
        const ids = Object.keys(before.profiles ?? {}).sort()
        const roll = rand()
        let op: Op
        if (ids.length < 3 || roll < 0.22) op = { kind: "add", id: `openai:k${lane}-${iter}`, key: newKey(rand, `k${lane}y${iter}x`) }
        else if (roll < 0.34) {
          const shuffled = [...ids].sort(() => rand() - 0.5)
          op = { kind: "order", ids: shuffled.slice(0, 1 + Math.floor(rand() * Math.min(3, shuffled.length))) }
        } else if (roll < 0.48) op = { kind: "logout", id: ids[Math.floor(rand() * ids.length)]! }
        else if (roll < 0.62) op = { kind: "cooldowns" }
        else if (roll < 0.8) op = { kind: "onboard", id: `openai:o${lane}-${iter}`, key: newKey(rand, `o${lane}y${iter}x`), model: `openai/gpt-${lane}-${iter}` }
        else op = { kind: "onboardEnv", key: newKey(rand, `v${lane}y${iter}x`), model: `openai/gpt-env-${lane}-${iter}` }

        // Give `cooldowns clear` something to clear: marks as the gateway would leave them.
        if (op.kind === "cooldowns" && !Object.values<any>(before.usageStats ?? {}).some((st) => st.cooldownUntil !== undefined)) {
          const now = Date.now()
          before.usageStats ??= {}
          for (const id of ids.filter(() => rand() < 0.5).slice(0, 2).concat(ids[0]!)) {
            before.usageStats[id] = { cooldownUntil: now + 3_600_000, errorCount: 2, failureCounts: { rate_limit: 2 }, lastFailureAt: now }
          }
          await writeAtomicTest(s.store, `${JSON.stringify(before, null, 2)}\n`)
        }
        const storeText = (await readText(s.store))!
        before = JSON.parse(storeText)
        const configText = (await readText(s.config))!
        const config = JSON5.parse(configText)
        const envText = (await readText(files.env))!

        const byTemp = extra ? writesOf[op.kind] >= 2 || stats.killedBeforeAnyWrite === 0 : rand() < 0.3
        const delay = Math.round(rand() * maxDelayMs[op.kind]!)
        const nthTemp = extra ? writesOf[op.kind] : 1 + Math.floor(rand() * writesOf[op.kind])
        stats.attempts++
        stats.byKind[op.kind] = (stats.byKind[op.kind] ?? 0) + 1
        const inv = invocation(op)
        const run = s.start(inv.args, {
          ...(inv.input ? { input: inv.input } : {}),
          ...(inv.env ? { env: inv.env } : {}),
          ...(byTemp ? {} : { killAfterMs: delay }),
          timeoutMs: scaled(25_000)
        })
        let seen = 0
        const unwatch = byTemp
          ? onTempFile([s.state, s.agentDir], () => {
              if (++seen === nthTemp) run.child.kill("SIGKILL")
            })
          : () => undefined
        const r = record(await run.done)
        unwatch()
        const where = `lane ${lane} step ${iter} (${op.kind}, ${byTemp ? `SIGKILL at temp file #${nthTemp}` : `SIGKILL after ${delay} ms`}, seed ${SEED})`
        const killed = r.signal === "SIGKILL"
        if (!killed) {
          // Two lanes never share files, so a run that was not killed must simply work.
          expect({ where, code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({ where, code: 0, signal: null, stderr: "" })
        }

        // Each file parses and is the old or the new content.
        const afterStoreText = await readText(s.store)
        expect(afterStoreText, `${where}: the store must still exist`).toBeDefined()
        let after: any
        try {
          after = JSON.parse(afterStoreText!)
        } catch (e) {
          throw new Error(`${where}: torn store (${String(e)}):\n${afterStoreText!.slice(0, 400)}`)
        }
        const storeChanged = afterStoreText !== storeText
        if (op.kind === "onboardEnv") {
          expect(afterStoreText, `${where}: a store this command does not write is byte-identical`).toBe(storeText)
        }
        expect([deepNormalize(normalizeStore(before)), deepNormalize(normalizeStore(storeAfter(op, before)))], `${where}: store old or new`).toContainEqual(
          deepNormalize(normalizeStore(after))
        )
        if (!storeChanged) expect(afterStoreText).toBe(storeText)

        const afterConfigText = (await readText(s.config))!
        let afterConfig: any
        try {
          afterConfig = JSON5.parse(afterConfigText)
        } catch (e) {
          throw new Error(`${where}: torn config (${String(e)}):\n${afterConfigText.slice(0, 400)}`)
        }
        const states = configStates(op, config).map(deepNormalize)
        expect(states, `${where}: config is one of the states the command passes through`).toContainEqual(deepNormalize(afterConfig))
        if (states.length === 1) expect(afterConfigText, `${where}: a config this command does not write is byte-identical`).toBe(configText)
        const configChanged = afterConfigText !== configText

        const afterEnvText = (await readText(files.env))!
        const env = parseDotenv(afterEnvText)
        expect([envText, envAfter(op, envText)], `${where}: .env old or new, other lines kept`).toContain(afterEnvText)
        expect(env.OTHER_VAR).toBe("keep-me")
        const envChanged = afterEnvText !== envText

        // Dependencies between the files follow the write order.
        if (op.kind === "onboard" && afterConfig.agents?.defaults?.model?.primary === op.model) {
          expect(after.profiles[op.id], `${where}: the model is set only after the profile is stored`).toBeDefined()
        }
        if (op.kind === "onboardEnv" && afterConfig.agents?.defaults?.model?.primary === op.model) {
          expect(env.OPENAI_API_KEY, `${where}: the model is set only after the key is written`).toBe(op.key)
        }
        if (op.kind === "add" && after.profiles[op.id]) expect(afterConfig.auth?.profiles?.[op.id], `${where}: config first`).toBeDefined()

        for (const f of [s.store, s.config, files.env]) expect(await modeOf(f), `${where}: ${f} mode`).toBe("600")

        // Temp files: a kill may leave one; a completed write of the same file removes every orphan.
        const temps = { store: await tempsOf(s.store), config: await tempsOf(s.config), env: await tempsOf(files.env) }
        if (!killed) {
          for (const [name, changed] of [["store", storeChanged], ["config", configChanged], ["env", envChanged]] as const) {
            if (changed) expect(temps[name], `${where}: orphaned temps of the ${name} survive a successful write`).toEqual([])
          }
        }
        if (killed) {
          if (byTemp) stats.killedByTempTrigger++
          else stats.killedByDelay++
          if (storeChanged || configChanged || envChanged) stats.killedAfterSomeWrite++
          else stats.killedBeforeAnyWrite++
          if ([...temps.store, ...temps.config, ...temps.env].some((t) => t.includes(`.${run.child.pid}.`))) stats.killsLeavingTemps++
        } else stats.completed++

        // A killed lock holder leaves its lock directory; the next writer would wait for it to go stale (5 s):
        // clear it to keep the loop fast (stale takeover has its own test in writes.e2e).
        for (const lock of (await leftoversUnder(s.state)).locks) {
          stats.staleLocks++
          await fs.rm(lock, { recursive: true, force: true })
        }

        // The store and the config are separate files written one after the other: count new disagreements.
        const registered = Object.keys(afterConfig.auth?.profiles ?? {})
        const stored = Object.keys(after.profiles ?? {})
        const registeredBefore = Object.keys(config.auth?.profiles ?? {})
        const storedBefore = Object.keys(before.profiles ?? {})
        const ahead = (r: Array<string>, st: Array<string>) => new Set(r.filter((id) => !st.includes(id)))
        const nowAhead = ahead(registered, stored)
        const wasAhead = ahead(registeredBefore, storedBefore)
        stats.configAheadOfStore += [...nowAhead].filter((id) => !wasAhead.has(id)).length
        const nowBehind = ahead(stored, registered)
        const wasBehind = ahead(storedBefore, registeredBefore)
        stats.configBehindStore += [...nowBehind].filter((id) => !wasBehind.has(id)).length
      }

      // A final successful write of every file: no temp file of any killed writer survives it.
      const strays = (await leftoversUnder(s.state)).temps.length
      const fin1 = record(await s.run(invocation({ kind: "add", id: "openai:final", key: newKey(rand, "finx") }).args, { input: `${newKey(rand, "fin2x")}\n` }))
      expect(fin1.code, fin1.stderr).toBe(0)
      const inv = invocation({ kind: "onboardEnv", key: newKey(rand, "fin3x"), model: "openai/gpt-final" })
      const fin2 = record(await s.run(inv.args, { env: inv.env! }))
      expect(fin2.code, fin2.stderr).toBe(0)
      const left = await leftoversUnder(s.state)
      expect(left, `lane ${lane}: nothing left after the final writes`).toEqual({ temps: [], locks: [] })
      stats.tempsCleanedByNextWrite += strays
      const status = record(await s.run(["models", "status", "--json"]))
      expect(status.code, status.stderr).toBe(0)
      expect(JSON.parse(status.stdout).defaultModel).toBe("openai/gpt-final")
    }

    await Promise.all(lanes.map((s, lane) => runLane(s, lane)))
    console.info(`crash-safety CLI (seed ${SEED}, ${LANES} lanes × ${CLI_STEPS} steps): ${JSON.stringify(stats)}`)
    expect(stats.attempts).toBeGreaterThanOrEqual(LANES * CLI_STEPS)
    expect(stats.killedBeforeAnyWrite).toBeGreaterThan(0)
    expect(stats.killedAfterSomeWrite).toBeGreaterThan(0)
    // The temp-file trigger must have landed kills between a temp file's creation and its rename.
    expect(stats.killsLeavingTemps).toBeGreaterThan(0)
  }, scaled(90_000))
})

// ---- the gateway's sessions.json --------------------------------------------------------------------------------

const GW_TOKEN = "gw-FAKE-crash-token-" + "c".repeat(32)
const MODELS = ["anthropic/claude-opus-4-6", "anthropic/claude-sonnet-4-5", "anthropic/claude-haiku-4-5", "openai/gpt-4o-mini"]

describe("crash safety: the gateway killed while persisting sessions", () => {
  it("/model commands for many sessions; SIGKILL at random moments; sessions.json is always whole and old-or-new", async () => {
    const s = await newSandbox("sessions")
    const rand = prng(SEED ^ 0x5e55)
    const sessionsFile = path.join(s.state, "gateway", "sessions.json")
    const gatewayDir = path.dirname(sessionsFile)
    await s.write(
      s.config,
      JSON.stringify({
        agents: {
          defaults: {
            model: { primary: MODELS[0] },
            models: { [MODELS[0]!]: { alias: "opus" }, [MODELS[1]!]: { alias: "sonnet" }, [MODELS[2]!]: { alias: "haiku" }, [MODELS[3]!]: {} }
          }
        },
        models: { providers: { anthropic: { baseUrl: "http://127.0.0.1:9" }, openai: { baseUrl: "http://127.0.0.1:9/v1" } } },
        gateway: { auth: { mode: "token", token: GW_TOKEN } }
      })
    )
    await s.write(s.store, JSON.stringify({ version: 1, profiles: { "anthropic:a": { type: "api_key", provider: "anthropic", key: newKey(rand, "gwa") } } }))
    // Many other sessions make every write large, so a kill is more likely to land inside one.
    const bulk: Record<string, unknown> = {}
    for (let i = 0; i < 2_000; i++) bulk[`main:bulk-${i}`] = { model: MODELS[i % MODELS.length], updatedAt: 1_700_000_000_000 + i }
    await s.write(sessionsFile, `${JSON.stringify({ version: 1, sessions: bulk }, null, 2)}\n`)

    const KEYS = Array.from({ length: 24 }, (_, i) => `k${i}`)
    const WORKERS = 4
    /** Per session key, in order (requests for one key are sequential): the model sent, when, and the ack. */
    const history = new Map<string, Array<{ model: string; iter: number; ackAt?: number }>>(KEYS.map((k) => [k, []]))
    /**
     * When each gateway was killed: an acknowledged change is durable once it is MARGIN_MS older than its gateway's
     * kill (the debounced flush plus the write, which stretch on a busy machine).
     */
    const killTimes: Array<number> = []
    const MARGIN_MS = scaled(2_000)
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: s.home }

    const stats = { iterations: 0, killsByDelay: 0, killsByTemp: 0, killsLeavingTemps: 0, staleLocks: 0, commandsAcked: 0, durableChecks: 0, maxDelayMs: 0, firstFlushMs: 0 }
    let maxDelayMs = 0

    const checkFile = async (where: string) => {
      const text = await readText(sessionsFile)
      expect(text, `${where}: sessions.json exists`).toBeDefined()
      let doc: any
      try {
        doc = JSON.parse(text!)
      } catch (e) {
        throw new Error(`${where}: torn sessions.json (${String(e)}):\n${text!.slice(0, 300)}`)
      }
      expect(doc.version).toBe(1)
      for (const [key, value] of Object.entries(bulk)) expect(doc.sessions[key], `${where}: ${key} untouched`).toEqual(value)
      for (const key of Object.keys(doc.sessions)) expect(key.startsWith("main:bulk-") || KEYS.includes(key.slice(5)), `${where}: unknown session ${key}`).toBe(true)
      for (const key of KEYS) {
        const h = history.get(key)!
        const persisted = doc.sessions[`main:${key}`]?.model as string | undefined
        let durable = -1
        h.forEach((e, i) => {
          if (e.ackAt !== undefined && e.ackAt <= killTimes[e.iter]! - MARGIN_MS) durable = i
        })
        const allowed = new Set(h.slice(Math.max(0, durable)).map((e) => e.model))
        if (durable >= 0) stats.durableChecks++
        if (durable < 0 && persisted === undefined) continue
        expect(persisted, `${where}: session ${key} (acknowledged ≥ ${MARGIN_MS} ms before the kill: ${durable >= 0 ? h[durable]!.model : "nothing"})`).toBeDefined()
        expect([...allowed], `${where}: session ${key} is old or new`).toContain(persisted)
      }
      return doc
    }

    for (let iter = 0; iter < GW_KILLS; iter++) {
      stats.iterations++
      const gw = await startGatewayProcess({ cwd: s.home, env })
      const where = `iteration ${iter} (seed ${SEED})`
      // Temps of a killed gateway may remain until this gateway's first successful write.
      const strayBefore = (await tempsOf(sessionsFile)).filter((t) => !t.includes(`.${gw.pid}.`))
      let stopped = false
      const startedMtime = (await fs.stat(sessionsFile)).mtimeMs
      const trafficStart = Date.now()
      const workers = Array.from({ length: WORKERS }, async (_, w) => {
        const own = KEYS.filter((_, i) => i % WORKERS === w)
        while (!stopped) {
          const key = own[Math.floor(rand() * own.length)]!
          const model = MODELS[Math.floor(rand() * MODELS.length)]!
          const entry: { model: string; iter: number; ackAt?: number } = { model, iter }
          history.get(key)!.push(entry)
          try {
            const r = await chat(gw.url, GW_TOKEN, `/model ${model}`, { session: key })
            if (r.status !== 200) throw new Error(`${where}: /model answered ${r.status}: ${r.body}`)
            expect(r.text).toContain("Model set to")
            entry.ackAt = Date.now()
            stats.commandsAcked++
          } catch (e) {
            if (!stopped) throw e
          }
        }
      })

      let mode: string
      if (iter === 0) {
        // Measure: how long until the first write lands; the kill delays are scaled to it.
        while ((await fs.stat(sessionsFile)).mtimeMs === startedMtime) await sleep(5)
        stats.firstFlushMs = Date.now() - trafficStart
        maxDelayMs = Math.max(2_500, 6 * stats.firstFlushMs)
        stats.maxDelayMs = maxDelayMs
        await sleep(Math.round(rand() * maxDelayMs))
        mode = "after the first write"
        stats.killsByDelay++
      } else if (iter % 2 === 1) {
        const delay = Math.round(rand() * maxDelayMs)
        mode = `after ${delay} ms`
        await sleep(delay)
        stats.killsByDelay++
      } else {
        const nth = 1 + Math.floor(rand() * 3)
        mode = `at temp file #${nth}`
        await new Promise<void>((resolve) => {
          let seen = 0
          const stop = onTempFile([gatewayDir], () => {
            if (++seen === nth) {
              stop()
              resolve()
            }
          })
          setTimeout(() => {
            stop()
            resolve()
          }, maxDelayMs * 4)
        })
        stats.killsByTemp++
      }
      gw.child.kill("SIGKILL")
      killTimes[iter] = Date.now()
      stopped = true
      const exit = await gw.exited
      await Promise.all(workers)
      expect(exit.signal, `${where}: ${gw.output()}`).toBe("SIGKILL")

      const doc = await checkFile(`${where}, killed ${mode}`)
      const wrote = (await fs.stat(sessionsFile)).mtimeMs !== startedMtime
      const temps = await tempsOf(sessionsFile)
      if (wrote) {
        // This gateway wrote sessions.json at least once: the temps of earlier, dead gateways are gone.
        for (const t of strayBefore) expect(temps, `${where}: orphaned temp of a dead gateway survived a successful write`).not.toContain(t)
      }
      if (temps.some((t) => t.includes(`.${gw.pid}.`))) stats.killsLeavingTemps++
      for (const lock of (await leftoversUnder(s.state)).locks) {
        stats.staleLocks++
        await fs.rm(lock, { recursive: true, force: true })
      }
      expect(gw.output(), `${where}: no warnings or errors from the gateway`).not.toMatch(/ (WARN|ERROR|FATAL) /)
      void doc
    }

    // A final restart: it loads exactly what is on disk, answers from it, and a graceful stop leaves no litter.
    const gw = await startGatewayProcess({ cwd: s.home, env })
    const disk = JSON.parse((await readText(sessionsFile))!)
    for (const key of KEYS) {
      const r = await chat(gw.url, GW_TOKEN, "/model", { session: key })
      expect(r.status).toBe(200)
      const model = disk.sessions[`main:${key}`]?.model ?? MODELS[0]
      expect(r.text, `session ${key} after the restart`).toContain(`Current model: ${model}`)
    }
    // One more change, then SIGTERM: it is flushed and nothing is left behind.
    const last = await chat(gw.url, GW_TOKEN, "/model sonnet", { session: "k0" })
    expect(last.status).toBe(200)
    expect(await gw.stop()).toEqual({ code: 0, signal: null })
    expect((JSON.parse((await readText(sessionsFile))!)).sessions["main:k0"].model).toBe(MODELS[1])
    expect(await leftoversUnder(s.state)).toEqual({ temps: [], locks: [] })

    console.info(`crash-safety sessions (seed ${SEED}, ${GW_KILLS} kills): ${JSON.stringify(stats)}`)
    expect(stats.iterations).toBe(GW_KILLS)
    expect(stats.killsLeavingTemps, "some kills must land inside a write").toBeGreaterThan(0)
  }, scaled(90_000))
})

// ---- full disks ------------------------------------------------------------------------------------------------

/** Fills a file so it is `bytes` long with harmless JSON5/dotenv comment lines. */
const padding = (bytes: number, comment: string): string => {
  const line = `${comment} ${"-".repeat(76)}\n`
  return line.repeat(Math.ceil(bytes / line.length))
}

interface DiskCase {
  readonly name: string
  /** The file the write must fail on. */
  readonly file: (s: Sandbox) => string
  /** Prepares the sandbox so that exactly `file` is rewritten (and is large). */
  readonly setup: (s: Sandbox, rand: () => number, big: boolean) => Promise<void>
  readonly run: (rand: () => number) => { args: Array<string>; input?: string; env?: Record<string, string> }
}

const DISK_CASES: ReadonlyArray<DiskCase> = [
  {
    name: "the store (paste-api-key, profile already registered in the config)",
    file: (s) => s.store,
    setup: async (s, rand, big) => {
      const profiles: Record<string, unknown> = {}
      for (let i = 0; i < (big ? 200 : 2); i++) profiles[`openai:bulk${i}`] = { type: "api_key", provider: "openai", key: newKey(rand, `b${i}x`) }
      await s.write(s.store, `${JSON.stringify({ version: 1, profiles }, null, 2)}\n`)
      await s.write(s.config, `${JSON.stringify({ auth: { profiles: { "openai:new": { provider: "openai", mode: "api_key" } } } }, null, 2)}\n`)
    },
    run: (rand) => ({ args: ["models", "auth", "paste-api-key", "--provider", "openai", "--profile-id", "new"], input: `${newKey(rand, "newx")}\n` })
  },
  {
    name: "the config (paste-api-key registers the profile first)",
    file: (s) => s.config,
    setup: async (s, rand, big) => {
      // Data, not comments: a rewrite keeps it (JSON5 comments are not preserved), so the new file is as large.
      const models: Record<string, unknown> = {}
      for (let i = 0; i < (big ? 600 : 2); i++) models[`openai/gpt-bulk-${i}`] = { alias: `bulk${i}` }
      await s.write(s.config, `// hand-written\n{ agents: { defaults: { model: 'openai/gpt-4o', models: ${JSON.stringify(models)} } } }\n`)
      await s.write(s.store, JSON.stringify({ version: 1, profiles: { "openai:a": { type: "api_key", provider: "openai", key: newKey(rand, "ax") } } }))
    },
    run: (rand) => ({ args: ["models", "auth", "paste-api-key", "--provider", "openai", "--profile-id", "new"], input: `${newKey(rand, "newx")}\n` })
  },
  {
    name: "<state>/.env (onboard --store env)",
    file: (s) => envPath(s),
    setup: async (s, rand, big) => {
      await s.write(envPath(s), `${big ? padding(24_000, "#") : ""}OPENAI_API_KEY=${newKey(rand, "oldx")}\n`)
    },
    run: (rand) => ({
      args: ["onboard", "--non-interactive", "--auth-choice", "api-key", "--provider", "openai", "--store", "env"],
      env: { OPENAI_API_KEY: newKey(rand, "newx") }
    })
  }
]

// Concurrent: each case has its own sandbox (and mount), and they mostly wait on a child.
describe.concurrent("full disk: a file-size limit (ulimit -f)", () => {
  const LIMIT_BLOCKS = 16 // 16 KiB: the files below are ~24 KiB, so rewriting them must fail

  const runLimited = async (s: Sandbox, c: DiskCase, rand: () => number) => {
    const inv = c.run(rand)
    return record(
      await runUnderFileLimit(LIMIT_BLOCKS, inv.args, {
        cwd: s.home,
        env: { ...s.env(), ...inv.env },
        ...(inv.input ? { input: inv.input } : {})
      })
    )
  }

  // One limited run per case carries both tests' checks (it used to run twice, once per test, on the same setup).
  // Regression (found by this suite, fixed in 3b97e57): proper-lockfile installs signal-exit, whose SIGXFSZ
  // handler re-raised the signal with the default action, so instead of EFBIG (Node ignores SIGXFSZ) the process
  // was killed mid-write, said nothing, and left a partial temp file holding part of the new (secret) content.
  for (const [n, c] of DISK_CASES.entries()) {
    it(`${c.name}: a clear one-line EFBIG error naming the file and the fix, exit 1, not killed by SIGXFSZ; the old file is intact, and the next successful write leaves no temp file`, async () => {
      const s = await newSandbox(`efbig${n}`)
      const rand = prng(SEED + 100 + n)
      await c.setup(s, rand, true)
      const file = c.file(s)
      const before = await fs.readFile(file, "utf8")
      expect(before.length).toBeGreaterThan(LIMIT_BLOCKS * 1024)
      const r = await runLimited(s, c, rand)
      console.info(`${c.name} under ulimit -f ${LIMIT_BLOCKS}: exit ${r.code}, signal ${r.signal}, stderr ${JSON.stringify(r.stderr)}`)
      expect({ code: r.code, signal: r.signal }).toEqual({ code: 1, signal: null })
      const lines = r.stderr.trimEnd().split("\n")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(file)
      expect(lines[0]).toMatch(/file too large|EFBIG/)
      expect(lines[0]).toContain("ulimit -f")
      expect(await fs.readFile(file, "utf8"), "old file intact").toBe(before)
      expect(await tempsOf(file), "a failed write removes its temp file").toEqual([])
      // Without the limit, the same command works and removes whatever the failed writer left.
      const inv = c.run(rand)
      const ok = record(await s.run(inv.args, { ...(inv.input ? { input: inv.input } : {}), ...(inv.env ? { env: inv.env } : {}) }))
      expect(ok.code, ok.stderr).toBe(0)
      expect(await leftoversUnder(s.state)).toEqual({ temps: [], locks: [] })
    })
  }

  // Regression (same cause, fixed in e88e9cb): a gateway under a file-size limit (systemd LimitFSIZE=, a shell's
  // ulimit) died of SIGXFSZ the first time sessions.json outgrew it, instead of logging that it could not save.
  it("the gateway: a sessions.json write over the limit is a logged warning, not a dead gateway", async () => {
    const s = await newSandbox("efbiggw")
    const sessionsFile = path.join(s.state, "gateway", "sessions.json")
    await s.write(s.config, JSON.stringify({ gateway: { auth: { mode: "token", token: GW_TOKEN } } }))
    const bulk: Record<string, unknown> = {}
    for (let i = 0; i < 400; i++) bulk[`main:bulk-${i}`] = { model: MODELS[0], updatedAt: 1_700_000_000_000 + i }
    await s.write(sessionsFile, `${JSON.stringify({ version: 1, sessions: bulk }, null, 2)}\n`)
    const before = await fs.readFile(sessionsFile, "utf8")
    expect(before.length).toBeGreaterThan(LIMIT_BLOCKS * 1024)
    const gw = await startGatewayProcess({
      cwd: s.home,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: s.home },
      prefix: ["bash", "-c", `ulimit -f ${LIMIT_BLOCKS}; exec "$0" "$@"`]
    })
    try {
      expect((await chat(gw.url, GW_TOKEN, "/model sonnet", { session: "x" })).status).toBe(200)
      const until = Date.now() + scaled(3_000)
      while (Date.now() < until && gw.child.exitCode === null && gw.child.signalCode === null && !/could not save/.test(gw.output())) await sleep(25)
      expect(gw.child.signalCode, gw.output()).toBeNull()
      expect(gw.output()).toMatch(/WARN.*could not save gateway sessions: Cannot write .*sessions\.json: file too large.*ulimit -f/)
      expect((await fetch(`${gw.url}/health`)).status).toBe(200)
      expect(await fs.readFile(sessionsFile, "utf8")).toBe(before)
    } finally {
      await gw.kill()
    }
  })
})

describe.concurrent("full disk: a tiny tmpfs that is full (root only)", () => {
  const tryMount = async (label: string): Promise<{ s: Sandbox; dir: string } | undefined> => {
    if (process.getuid?.() !== 0) return undefined
    const s = await newSandbox(label)
    await fs.mkdir(s.state, { recursive: true, mode: 0o700 })
    const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", s.state], { encoding: "utf8" })
    if (r.status !== 0) return undefined
    mounts.push(s.state)
    return { s, dir: s.state }
  }
  /** Fills the file system: a filler file grows until ENOSPC. */
  const fill = async (dir: string): Promise<string> => {
    const filler = path.join(dir, "filler")
    const handle = await fs.open(filler, "w")
    try {
      for (;;) await handle.write(Buffer.alloc(1024, 0x61))
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe("ENOSPC")
    } finally {
      await handle.close()
    }
    return filler
  }

  for (const [n, c] of DISK_CASES.entries()) {
    it(`${c.name}: ENOSPC is one clear line naming the file; the old file is intact; works again once space is freed`, async (ctx) => {
      const m = await tryMount(`enospc${n}`)
      if (m === undefined) return ctx.skip()
      const { s, dir } = m
      const rand = prng(SEED + 300 + n)
      await c.setup(s, rand, false)
      const file = c.file(s)
      const before = await fs.readFile(file, "utf8")
      const filler = await fill(dir)
      const inv = c.run(rand)
      const r = record(await s.run(inv.args, { ...(inv.input ? { input: inv.input } : {}), ...(inv.env ? { env: inv.env } : {}) }))
      expect({ code: r.code, signal: r.signal, stdout: r.stdout }).toEqual({ code: 1, signal: null, stdout: "" })
      const lines = r.stderr.trimEnd().split("\n")
      expect(lines, r.stderr).toHaveLength(1)
      expect(lines[0]).toMatch(/^openclaw: /)
      expect(lines[0]).toContain(file)
      expect(lines[0]).toContain("no space left on device")
      expect(lines[0]).toContain("Fix:")
      expect(await fs.readFile(file, "utf8"), "old file intact").toBe(before)
      expect(await tempsOf(file), "no partial temp file").toEqual([])
      await fs.rm(filler)
      const again = c.run(rand)
      const ok = record(await s.run(again.args, { ...(again.input ? { input: again.input } : {}), ...(again.env ? { env: again.env } : {}) }))
      expect(ok.code, ok.stderr).toBe(0)
      expect(await leftoversUnder(s.state)).toEqual({ temps: [], locks: [] })
    })
  }

  it("the gateway: sessions.json on a full disk is a logged warning; the gateway keeps serving; the file is intact", async (ctx) => {
    const m = await tryMount("enospcgw")
    if (m === undefined) return ctx.skip()
    const { s, dir } = m
    const sessionsFile = path.join(s.state, "gateway", "sessions.json")
    await s.write(s.config, JSON.stringify({ gateway: { auth: { mode: "token", token: GW_TOKEN } } }))
    await s.write(sessionsFile, `${JSON.stringify({ version: 1, sessions: { "main:old": { model: MODELS[1], updatedAt: 1 } } }, null, 2)}\n`)
    const before = await fs.readFile(sessionsFile, "utf8")
    const filler = await fill(dir)
    const gw = await startGatewayProcess({ cwd: s.home, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: s.home } })
    try {
      const r = await chat(gw.url, GW_TOKEN, `/model ${MODELS[2]}`, { session: "new" })
      expect(r.status).toBe(200)
      const until = Date.now() + scaled(5_000)
      while (Date.now() < until && !/could not save/.test(gw.output())) await sleep(25)
      expect(gw.output()).toMatch(/WARN.*could not save gateway sessions: Cannot write .*sessions\.json: no space left on device/)
      expect((await fetch(`${gw.url}/health`)).status).toBe(200)
      expect(await fs.readFile(sessionsFile, "utf8")).toBe(before)
      // Once there is room again, the pending change is written by the next save.
      await fs.rm(filler)
      expect((await chat(gw.url, GW_TOKEN, `/model ${MODELS[1]}`, { session: "new2" })).status).toBe(200)
      expect(await gw.stop()).toEqual({ code: 0, signal: null })
      const after = JSON.parse((await readText(sessionsFile))!)
      expect(after.sessions["main:new"]?.model).toBe(MODELS[2])
      expect(after.sessions["main:new2"]?.model).toBe(MODELS[1])
      expect(after.sessions["main:old"]?.model).toBe(MODELS[1])
      expect(await leftoversUnder(s.state)).toEqual({ temps: [], locks: [] })
    } finally {
      await gw.kill()
    }
  })
})

it("no output of this file shows a 12-character piece of a key", () => {
  expect(outputs.length).toBeGreaterThan(20)
  expectNoLeak(outputsOf(outputs), secretBodies)
})

