/**
 * Gateway test harness: a sandbox HOME with a state dir and the fake provider behind `models.providers.*.baseUrl`
 * (GatewayHome), the gateway started in-process on port 0 over the live file system for the test's scope, and the
 * official `openai` client pointed at it. The built binary, for signals, is test/support/GatewayProcess.ts.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import OpenAI from "openai"
import type { GatewayOptions } from "../../src/gateway/Options.js"
import { GatewayAddress, GatewayLive } from "../../src/gateway/main.js"
import { GatewayState } from "../../src/gateway/State.js"
import { type AppPorts, makeAppLayer } from "../../src/services/AppLayer.js"
import { Browser } from "../../src/services/Browser.js"
import { livePorts } from "../../src/services/LivePorts.js"
import { ShellEnv } from "../../src/services/ShellEnv.js"
import { FakeClaudeCli, ScriptedPrompter } from "../support/FakeInteraction.js"
import { type FakeProvider, startFakeProvider } from "../support/fakeProviders.js"
import { Sandbox } from "../support/Sandbox.js"
import { expectNoLeak } from "../support/SecretScan.js"
import { hostProcess, noBrowser } from "../support/TestPorts.js"
import { scaled } from "../support/Timing.js"

/** Fake secrets: a public prefix, a distinct body, and FAKE in each. */
export const KEYS = {
  a: "sk-ant-api03-FAKEgatewayProfileA-" + "a".repeat(40) + "-AK01",
  b: "sk-ant-api03-FAKEgatewayProfileB-" + "b".repeat(40) + "-BK02",
  work: "sk-ant-oat01-FAKEgatewayWorkToken-" + "w".repeat(60) + "-WT03",
  openai: "sk-proj-FAKEgatewayOpenAIkey-" + "o".repeat(40) + "-OK04",
  openai2: "sk-proj-FAKEgatewaySecondKey-" + "p".repeat(40) + "-OK07",
  added: "sk-ant-api03-FAKEgatewayAddedLater-" + "n".repeat(40) + "-NK05",
  env: "sk-ant-api03-FAKEgatewayFromDotEnv-" + "e".repeat(40) + "-EK06"
} as const

export const GATEWAY_TOKEN = "gw-FAKE-token-" + "t".repeat(40)

export const PRIMARY = "anthropic/claude-opus-4-6"
export const FALLBACK = "openai/gpt-4o-mini"

/** For `expect.poll` on the gateway's background writes: its default 1 s runs out on a busy machine. */
export const POLL = { timeout: scaled(5_000), interval: 25 } as const

export interface GatewayHomeOptions {
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

/** A sandbox HOME for a gateway: config and store pointing at a fake provider started with it. */
export class GatewayHome extends Sandbox {
  private constructor(
    home: string,
    readonly fake: FakeProvider
  ) {
    super(home)
  }

  static async make(options: GatewayHomeOptions = {}): Promise<GatewayHome> {
    const fake = await startFakeProvider({
      credentials: {
        anthropic: { apiKeys: [KEYS.a, KEYS.b, KEYS.added, KEYS.env], tokens: [KEYS.work] },
        openai: { apiKeys: [KEYS.openai, KEYS.openai2] }
      }
    })
    const world = new GatewayHome(await Sandbox.makeHome("gw"), fake)
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

  /** For the test's scope: made, then removed with its fake provider. */
  static scoped(options: GatewayHomeOptions = {}): Effect.Effect<GatewayHome, never, Scope.Scope> {
    return Effect.acquireRelease(
      Effect.promise(() => GatewayHome.make(options)),
      (home) => Effect.promise(() => home.cleanup())
    )
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

  async writeDotenv(vars: Record<string, string>): Promise<void> {
    await fs.mkdir(this.state, { recursive: true, mode: 0o700 })
    await fs.writeFile(path.join(this.state, ".env"), Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\n") + "\n", { mode: 0o600 })
  }

  override async cleanup(): Promise<void> {
    await this.fake.close()
    await super.cleanup()
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
}

/** The live ports over a HOME, unless a test passes its own; the login shell is empty, nobody is there to prompt. */
const servicesFor = (world: GatewayHome, vars: Record<string, string>, ports: Partial<AppPorts> = {}) =>
  makeAppLayer({
    ...livePorts,
    host: hostProcess({ vars: { HOME: world.home, PATH: process.env.PATH ?? "", ...vars }, cwd: world.home, osHome: world.home }),
    shellEnv: Layer.succeed(ShellEnv, { load: () => Effect.succeed({}) }),
    prompter: new ScriptedPrompter().layer,
    claude: new FakeClaudeCli().layer,
    browser: Layer.succeed(Browser, noBrowser),
    ...ports
  })

/**
 * The gateway in-process for the test's scope; it stops, sessions flushed, when the scope closes. Run it under
 * `it.scopedLive`: its debounces and timers need the real clock, not the TestClock of `it.scoped`.
 */
export const startGateway = (
  world: GatewayHome,
  options: Partial<GatewayOptions> & { readonly vars?: Record<string, string>; readonly ports?: Partial<AppPorts> } = {}
) =>
  Effect.gen(function* () {
    const logs: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => {
      const text = (Array.isArray(message) ? message : [message]).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ")
      logs.push(`${logLevel.label} ${text}`)
    })
    const layer = GatewayLive({ version: "test", port: 0, reloadDebounceMs: 40, sessionWriteDelayMs: 20, ...options }).pipe(
      Layer.provide(servicesFor(world, options.vars ?? {}, options.ports))
    )
    const context = yield* Layer.build(layer).pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    )
    const address = Context.get(context, GatewayAddress)
    const state = Context.get(context, GatewayState)
    const base = `http://127.0.0.1:${address.port}`
    const defaultToken = (yield* state.current).access.token !== undefined ? GATEWAY_TOKEN : undefined
    const gateway: RunningGateway = {
      url: base,
      port: address.port,
      logs,
      client: (o = {}) =>
        new OpenAI({ baseURL: `${base}/v1`, apiKey: o.apiKey ?? defaultToken ?? "unused", maxRetries: 0, timeout: scaled(10_000), defaultHeaders: o.headers ?? {} }),
      fetch: (route, init = {}) => {
        const { token, ...rest } = init
        const t = token === undefined ? defaultToken : token
        const headers = new Headers(rest.headers)
        if (t !== undefined && t !== null) headers.set("authorization", `Bearer ${t}`)
        if (rest.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json")
        return fetch(`${base}${route}`, { ...rest, headers })
      },
      // Logged to `logs` like everything the gateway does itself.
      reload: (reason = "test") =>
        Effect.runPromise(
          Effect.map(state.reload(reason), (o) => o.snapshot.generation).pipe(
            Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
            Logger.withMinimumLogLevel(LogLevel.Debug)
          )
        ),
      generation: () => Effect.runPromise(Effect.map(state.current, (s) => s.generation)),
      profiles: () => Effect.runPromise(Effect.map(state.current, (s) => [...(s.agents.get(s.defaultAgentId)?.store.store.profiles.keys() ?? [])]))
    }
    return gateway
  })

/** A home and its gateway for the test's scope. */
export const gatewayIn = (
  homeOptions: GatewayHomeOptions = {},
  options: Parameters<typeof startGateway>[1] = {}
): Effect.Effect<{ readonly world: GatewayHome; readonly gw: RunningGateway }, unknown, Scope.Scope> =>
  Effect.flatMap(GatewayHome.scoped(homeOptions), (world) => Effect.map(startGateway(world, options), (gw) => ({ world, gw })))

type Body<A> = (a: A) => Promise<void>

/** `it.scopedLive` body: a home and its gateway made for the test, `body` run against them, both gone afterwards. */
export function withGateway(homeOptions: GatewayHomeOptions, body: Body<{ world: GatewayHome; gw: RunningGateway }>): Effect.Effect<void, unknown, Scope.Scope>
export function withGateway(
  homeOptions: GatewayHomeOptions,
  options: Parameters<typeof startGateway>[1],
  body: Body<{ world: GatewayHome; gw: RunningGateway }>
): Effect.Effect<void, unknown, Scope.Scope>
export function withGateway(
  homeOptions: GatewayHomeOptions,
  ...rest: [Body<{ world: GatewayHome; gw: RunningGateway }>] | [Parameters<typeof startGateway>[1], Body<{ world: GatewayHome; gw: RunningGateway }>]
): Effect.Effect<void, unknown, Scope.Scope> {
  const [options, body] = rest.length === 1 ? [{}, rest[0]] : rest
  return Effect.flatMap(gatewayIn(homeOptions, options), (t) => Effect.promise(() => body(t)))
}

/** `it.scopedLive` body: a home made for the test (no gateway in-process), `body` run against it, removed afterwards. */
export const withHome = (homeOptions: GatewayHomeOptions, body: Body<GatewayHome>): Effect.Effect<void, never, Scope.Scope> =>
  Effect.flatMap(GatewayHome.scoped(homeOptions), (world) => Effect.promise(() => body(world)))

/** A chat request body. */
export const ask = <X extends Record<string, unknown> = {}>(content: string, extra?: X) => ({
  model: "openclaw",
  messages: [{ role: "user" as const, content }],
  ...(extra as X)
})

/** A response body as JSON, untyped (tests check it field by field). */
export const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json()

/** Asserts that none of the fake secrets (or a 12-character piece of one) occurs in `text`. */
export const expectNoSecrets = (text: string): void => expectNoLeak([{ label: "gateway output", text }], [...Object.values(KEYS), GATEWAY_TOKEN])
