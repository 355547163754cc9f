import * as Terminal from "@effect/platform/Terminal"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import { cli } from "../../src/cli/Cli.js"
import { cliPlatformLayer } from "../../src/cli/CliPlatform.js"
import { withOutputConsole } from "../../src/cli/OutputConsole.js"
import { makeAppLayer } from "../../src/services/AppLayer.js"
import { Browser, type BrowserShape } from "../../src/services/Browser.js"
import type { HostProcessShape } from "../../src/services/HostProcess.js"
import { OAuthCallback } from "../../src/services/OAuthCallback.js"
import { OAuthHttp, type OAuthHttpShape } from "../../src/services/OAuthHttp.js"
import { Progress, type ProgressShape, silentProgress } from "../../src/services/Progress.js"
import { ProviderClient, type ProviderClientShape } from "../../src/services/ProviderClient.js"
import { SecretRegistry } from "../../src/services/SecretRegistry.js"
import { SecureRandom } from "../../src/services/SecureRandom.js"
import { ShellEnv, type ShellEnvShape } from "../../src/services/ShellEnv.js"
import { FakeClaudeCli, ScriptedPrompter } from "./FakeInteraction.js"
import { MemoryFileLock, MemoryFs } from "./MemoryFiles.js"
import { MemorySecretResolver } from "./SecretResolverTest.js"
import { hostProcess, noBrowser, noLoginShell, noOAuthServer, noProvider } from "./TestPorts.js"

export const HOME = "/home/user"
export const STATE = `${HOME}/.openclaw`
export const STORE = `${STATE}/agents/main/agent/auth-profiles.json`
export const CONFIG = `${STATE}/openclaw.json`
/** 2026-01-01T00:00:00Z: tests pin the clock here. */
export const NOW = Date.UTC(2026, 0, 1)
export const HOUR = 3_600_000

export interface World {
  readonly fs: MemoryFs
  readonly prompter?: ScriptedPrompter
  readonly claude?: FakeClaudeCli
  readonly vars?: Record<string, string>
  readonly host?: Partial<HostProcessShape>
  /** The login shell's answer; by default there is none and the import fails (a warning). */
  readonly shellEnv?: ShellEnvShape
  /** The model providers; by default every call fails as if the network were down. */
  readonly provider?: ProviderClientShape
  /** OAuth token endpoints; by default unreachable. */
  readonly oauthHttp?: OAuthHttpShape
  /** The user's browser; by default there is none (login takes the paste path). */
  readonly browser?: BrowserShape
  /** Sees every line printed, as it is printed (a test playing the user reads the URL it is shown). */
  readonly onOutput?: (line: string) => void
  /** SecretRefs' file and exec values; env refs read the world's environment. */
  readonly resolver?: MemorySecretResolver
  /** Progress lines (§6); by default silent, as everywhere but the CLI on a terminal. */
  readonly progress?: ProgressShape
}

/** The app over in-memory and scripted ports. */
export const testServices = (world: World) =>
  makeAppLayer({
    host: hostProcess({ vars: { HOME, ...world.vars }, cwd: "/work", osHome: HOME, ...world.host }),
    files: world.fs.layer,
    locks: MemoryFileLock,
    shellEnv: Layer.succeed(ShellEnv, world.shellEnv ?? noLoginShell),
    oauthHttp: Layer.succeed(OAuthHttp, world.oauthHttp ?? noOAuthServer),
    providers: Layer.succeed(ProviderClient, world.provider ?? noProvider),
    prompter: (world.prompter ?? new ScriptedPrompter()).layer,
    claude: (world.claude ?? new FakeClaudeCli()).layer,
    browser: Layer.succeed(Browser, world.browser ?? noBrowser),
    oauthCallback: OAuthCallback.layer,
    random: SecureRandom.layer,
    secrets: SecretRegistry.layer,
    resolver: (world.resolver ?? new MemorySecretResolver()).layer
  })

const noTerminal = Layer.succeed(
  Terminal.Terminal,
  Terminal.Terminal.of({
    columns: Effect.succeed(80),
    rows: Effect.succeed(24),
    isTTY: Effect.succeed(false),
    display: () => Effect.void,
    readInput: Effect.dieMessage("no terminal in tests"),
    readLine: Effect.dieMessage("no terminal in tests")
  })
)

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const capture = (out: Array<string>, err: Array<string>, onOutput: (line: string) => void = () => undefined) =>
  Effect.map(Effect.console, (c): Console.Console => ({
    ...c,
    log: (...args) => Effect.sync(() => void out.push(args.map(String).join(" "))).pipe(Effect.tap(() => onOutput(out.at(-1)!))),
    error: (...args) => Effect.sync(() => void err.push(args.map(String).join(" "))).pipe(Effect.tap(() => onOutput(err.at(-1)!)))
  }))

/** Runs `openclaw <args>` in-process against the world, with the clock at `now`. */
export const runCli = (args: ReadonlyArray<string>, world: World, now = NOW): Promise<CliResult> => {
  const out: Array<string> = []
  const err: Array<string> = []
  const program = Effect.gen(function* () {
    yield* TestClock.setTime(now)
    const console = yield* capture(out, err, world.onOutput)
    const run = withOutputConsole(cli(["node", "openclaw", ...args]), { plain: world.host?.stdoutIsTTY !== true })
    return yield* Effect.withConsole(Effect.provideService(run, Progress, world.progress ?? silentProgress), console)
  })
  const layer = testServices(world).pipe(Layer.provideMerge(cliPlatformLayer(noTerminal)))
  return Effect.runPromise(program.pipe(Effect.provide(layer), Effect.provide(TestContext.TestContext))).then((code) => ({
    code,
    stdout: out.join("\n"),
    stderr: err.join("\n")
  }))
}
