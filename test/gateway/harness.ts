/**
 * Gateway test harness: a temporary HOME with a state dir, the fake provider behind `models.providers.*.baseUrl`,
 * the gateway started in-process on port 0 over the live file system (or the built binary, for signals), and the
 * official `openai` client pointed at it.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Scope from "effect/Scope"
import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import OpenAI from "openai"
import { expect } from "vitest"
import type { GatewayOptions } from "../../src/gateway/Options.js"
import { GatewayAddress, GatewayLive } from "../../src/gateway/main.js"
import { GatewayState } from "../../src/gateway/State.js"
import { AuthServices } from "../../src/services/AppLayer.js"
import { FileLock } from "../../src/services/FileLock.js"
import { Files } from "../../src/services/Files.js"
import { HostProcess } from "../../src/services/HostProcess.js"
import { SecretRegistry } from "../../src/services/SecretRegistry.js"
import { OAuthHttp } from "../../src/services/OAuthHttp.js"
import { ShellEnv } from "../../src/services/ShellEnv.js"
import { REPO } from "../e2e/harness.js"
import { type FakeProvider, startFakeProvider } from "../support/fakeProviders.js"

/** Fake secrets: a public prefix, a distinct body, and FAKE in each. */
export const KEYS = {
  a: "sk-ant-api03-FAKEgatewayProfileA-" + "a".repeat(40) + "-AK01",
  b: "sk-ant-api03-FAKEgatewayProfileB-" + "b".repeat(40) + "-BK02",
  work: "sk-ant-oat01-FAKEgatewayWorkToken-" + "w".repeat(60) + "-WT03",
  openai: "sk-proj-FAKEgatewayOpenAIkey-" + "o".repeat(40) + "-OK04",
  added: "sk-ant-api03-FAKEgatewayAddedLater-" + "n".repeat(40) + "-NK05",
  env: "sk-ant-api03-FAKEgatewayFromDotEnv-" + "e".repeat(40) + "-EK06"
} as const

export const GATEWAY_TOKEN = "gw-FAKE-token-" + "t".repeat(40)

export const PRIMARY = "anthropic/claude-opus-4-6"
export const FALLBACK = "openai/gpt-4o-mini"

export interface WorldOptions {
  /** Config overrides merged over the default (anthropic primary, openai fallback, the fake as both endpoints). */
  readonly config?: Record<string, unknown>
  readonly store?: Record<string, unknown>
  /** Lines of <state>/.env. */
  readonly dotenv?: Record<string, string>
  /** `true`: the default token in the config; a string: that token. */
  readonly token?: boolean | string
}

export const defaultStore = () => ({
  version: 1,
  profiles: {
    "anthropic:a": { type: "api_key", provider: "anthropic", key: KEYS.a },
    "anthropic:b": { type: "api_key", provider: "anthropic", key: KEYS.b },
    "anthropic:work": { type: "token", provider: "anthropic", token: KEYS.work },
    "openai:default": { type: "api_key", provider: "openai", key: KEYS.openai }
  },
  order: { anthropic: ["anthropic:a", "anthropic:b"] }
})

export class World {
  private constructor(
    readonly home: string,
    readonly fake: FakeProvider
  ) {}

  static async create(options: WorldOptions = {}): Promise<World> {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), "openclaw-gw-"))
    const fake = await startFakeProvider({
      credentials: {
        anthropic: { apiKeys: [KEYS.a, KEYS.b, KEYS.added, KEYS.env], tokens: [KEYS.work] },
        openai: { apiKeys: [KEYS.openai] }
      }
    })
    const world = new World(home, fake)
    const token = options.token === true ? GATEWAY_TOKEN : options.token
    await world.writeJson(world.config, {
      agents: {
        defaults: {
          model: { primary: PRIMARY, fallbacks: [FALLBACK] },
          models: { [PRIMARY]: { alias: "opus" }, "anthropic/claude-sonnet-4-5": { alias: "sonnet" }, [FALLBACK]: {} }
        }
      },
      models: { providers: { anthropic: { baseUrl: fake.url }, openai: { baseUrl: `${fake.url}/v1` } } },
      ...(token ? { gateway: { auth: { mode: "token", token } } } : {}),
      ...options.config
    })
    await world.writeJson(world.store, options.store ?? defaultStore())
    if (options.dotenv) await world.writeDotenv(options.dotenv)
    return world
  }

  get state(): string {
    return path.join(this.home, ".openclaw")
  }
  get config(): string {
    return path.join(this.state, "openclaw.json")
  }
  get store(): string {
    return path.join(this.state, "agents", "main", "agent", "auth-profiles.json")
  }
  get sessions(): string {
    return path.join(this.state, "gateway", "sessions.json")
  }

  async writeJson(file: string, value: unknown): Promise<void> {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
    // Replace by rename, as every openclaw writer does.
    const tmp = `${file}.test-${process.pid}.tmp`
    await fs.writeFile(tmp, JSON.stringify(value, null, 2), { mode: 0o600 })
    await fs.rename(tmp, file)
  }

  async readJson(file: string): Promise<any> {
    return JSON.parse(await fs.readFile(file, "utf8"))
  }

  async writeDotenv(vars: Record<string, string>): Promise<void> {
    await fs.mkdir(this.state, { recursive: true, mode: 0o700 })
    await fs.writeFile(path.join(this.state, ".env"), Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\n") + "\n", { mode: 0o600 })
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: this.home, ...extra }
  }

  async cleanup(): Promise<void> {
    await this.fake.close()
    await fs.rm(this.home, { recursive: true, force: true })
  }
}

export interface RunningGateway {
  readonly url: string
  readonly port: number
  /** Every log line, with its level. */
  readonly logs: Array<string>
  readonly client: (options?: { apiKey?: string; headers?: Record<string, string> }) => OpenAI
  readonly fetch: (route: string, init?: RequestInit & { token?: string | null }) => Promise<Response>
  readonly reload: (reason?: string) => Promise<number>
  readonly generation: () => Promise<number>
  /** The profile ids in the default agent's store, as the gateway's current snapshot has them. */
  readonly profiles: () => Promise<ReadonlyArray<string>>
  readonly stop: () => Promise<void>
}

/** The live ports over a HOME; the login shell is never consulted. */
const servicesFor = (world: World, vars: Record<string, string>) =>
  AuthServices.pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        Files.layer,
        FileLock.layer,
        Layer.succeed(ShellEnv, { load: () => Effect.succeed({}) }),
        SecretRegistry.layer,
        OAuthHttp.layer,
        HostProcess.make({ vars: { HOME: world.home, PATH: process.env.PATH ?? "", ...vars }, cwd: world.home, osHome: world.home })
      )
    )
  )

export const startGateway = async (
  world: World,
  options: Partial<GatewayOptions> & { readonly vars?: Record<string, string> } = {}
): Promise<RunningGateway> => {
  const logs: Array<string> = []
  const logger = Logger.make(({ logLevel, message }) => {
    const text = (Array.isArray(message) ? message : [message]).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ")
    logs.push(`${logLevel.label} ${text}`)
  })
  const scope = Effect.runSync(Scope.make())
  const layer = GatewayLive({ version: "test", port: 0, reloadDebounceMs: 40, sessionWriteDelayMs: 20, ...options }).pipe(
    Layer.provide(servicesFor(world, options.vars ?? {}))
  )
  const context = await Effect.runPromise(
    Layer.buildWithScope(layer, scope).pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    )
  ).catch(async (e) => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    throw e
  })
  const address = Context.get(context, GatewayAddress)
  const state = Context.get(context, GatewayState)
  const base = `http://127.0.0.1:${address.port}`
  const defaultToken = (await Effect.runPromise(state.current)).access.token !== undefined ? GATEWAY_TOKEN : undefined
  return {
    url: base,
    port: address.port,
    logs,
    client: (o = {}) =>
      new OpenAI({ baseURL: `${base}/v1`, apiKey: o.apiKey ?? defaultToken ?? "unused", maxRetries: 0, timeout: 10_000, defaultHeaders: o.headers ?? {} }),
    fetch: (route, init = {}) => {
      const { token, ...rest } = init
      const t = token === undefined ? defaultToken : token
      const headers = new Headers(rest.headers)
      if (t !== undefined && t !== null) headers.set("authorization", `Bearer ${t}`)
      if (rest.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json")
      return fetch(`${base}${route}`, { ...rest, headers })
    },
    reload: (reason = "test") => Effect.runPromise(Effect.map(state.reload(reason), (s) => s.generation)),
    generation: () => Effect.runPromise(Effect.map(state.current, (s) => s.generation)),
    profiles: () => Effect.runPromise(Effect.map(state.current, (s) => [...(s.agents.get(s.defaultAgentId)?.store.store.profiles.keys() ?? [])])),
    stop: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** Polls until `check` holds (file watches and background writes are asynchronous). */
export const eventually = async (check: () => Promise<boolean> | boolean, timeoutMs = 5_000, what = "condition"): Promise<void> => {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** A chat request body. */
export const ask = <X extends Record<string, unknown> = {}>(content: string, extra?: X) => ({
  model: "openclaw",
  messages: [{ role: "user" as const, content }],
  ...(extra as X)
})

/** A response body as JSON, untyped (tests check it field by field). */
export const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json()

/** Asserts that none of the fake secrets (or a 12-character piece of one) occurs in `text`. */
export const expectNoSecrets = (text: string): void => {
  for (const secret of [...Object.values(KEYS), GATEWAY_TOKEN]) {
    const body = secret.replace(/^(sk-ant-api03-|sk-ant-oat01-|sk-proj-|gw-)/, "")
    for (let i = 0; i + 12 <= body.length; i += 6) expect(text).not.toContain(body.slice(i, i + 12))
  }
}

// ---- the built binary --------------------------------------------------------------------------------------------

export const BIN = path.join(REPO, "dist", "openclaw.cjs")

export interface GatewayProcess {
  readonly child: ChildProcess
  readonly url: string
  readonly stderr: () => string
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Spawns `openclaw gateway --port 0 …` and resolves once it listens. */
export const spawnGateway = async (
  world: World,
  args: ReadonlyArray<string> = [],
  options: { readonly fileSizeLimitBlocks?: number } = {}
): Promise<GatewayProcess> => {
  const argv = [process.execPath, BIN, "gateway", "--port", "0", ...args]
  const [command, ...rest] =
    options.fileSizeLimitBlocks === undefined ? argv : ["bash", "-c", `ulimit -f ${options.fileSizeLimitBlocks}; exec "$0" "$@"`, ...argv]
  const child = spawn(command!, rest, {
    cwd: world.home,
    env: world.env(),
    stdio: ["ignore", "pipe", "pipe"]
  })
  let err = ""
  child.stderr!.on("data", (b: Buffer) => (err += b.toString("utf8")))
  child.stdout!.on("data", (b: Buffer) => (err += b.toString("utf8")))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  )
  await eventually(() => /listening on http:\/\/[\d.]+:\d+/.test(err) || child.exitCode !== null, 10_000, "the gateway to listen")
  const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(err)
  if (!match) throw new Error(`gateway did not start:\n${err}`)
  return { child, url: match[1]!, stderr: () => err, exited }
}
