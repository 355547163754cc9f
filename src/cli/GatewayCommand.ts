import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { UsageError } from "../domain/Errors.js"
import { pathVarsOf, renderService, type ServicePlatform, SYSTEMD_UNIT_NAME } from "../domain/ServiceDefinition.js"
import { installGatewayService } from "../programs/GatewayInstall.js"
import { HostProcess } from "../services/HostProcess.js"
import { Paths } from "../services/Paths.js"
import { VERSION } from "./Version.js"

const port = Options.integer("port").pipe(
  Options.withDescription("Port to listen on (default: gateway.port from the config, else 18789)."),
  Options.optional
)
const bind = Options.choice("bind", ["loopback", "lan"]).pipe(
  Options.withDescription("loopback = 127.0.0.1 (this machine only; default, or gateway.bind); lan = 0.0.0.0, which requires a gateway token."),
  Options.optional
)
const gatewayAgent = Options.text("agent").pipe(
  Options.withDescription("The agent that the model targets `openclaw` and `openclaw/default` use (default: the configured default agent, usually main)."),
  Options.optional
)

/** The flags as the service should pass them again. */
const passOn = (opts: { port: Option.Option<number>; bind: Option.Option<string>; agent: Option.Option<string> }) => [
  ...Option.match(opts.port, { onNone: () => [], onSome: (p) => ["--port", String(p)] }),
  ...Option.match(opts.bind, { onNone: () => [], onSome: (b) => ["--bind", b] }),
  ...Option.match(opts.agent, { onNone: () => [], onSome: (a) => ["--agent", a] })
]

const install = Command.make(
  "install",
  {
    print: Options.boolean("print").pipe(Options.withDescription("Print the service definition instead of writing it.")),
    platform: Options.choice("platform", ["linux", "darwin"]).pipe(
      Options.withDescription("linux: a systemd user unit; darwin: a launchd agent plist (default: this machine's)."),
      Options.optional
    ),
    port,
    bind,
    agent: gatewayAgent
  },
  (opts) =>
    Effect.gen(function* () {
      const host = yield* HostProcess
      const paths = yield* Paths
      const platform: ServicePlatform | undefined = Option.getOrUndefined(opts.platform) ??
        (host.platform === "linux" || host.platform === "darwin" ? host.platform : undefined)
      if (platform === undefined) {
        return yield* new UsageError({
          problem: `No service definition for this platform (${host.platform})`,
          fix: "pass --platform linux (systemd) or --platform darwin (launchd) to print one anyway"
        })
      }
      const { processFacts } = yield* Effect.promise(() => import("../gateway/host.js"))
      const facts = yield* processFacts
      const rendered = renderService(platform, { ...facts, args: passOn(opts), stateDir: paths.stateDir, pathVars: pathVarsOf(host.vars, host.cwd) })
      if (Either.isLeft(rendered)) {
        const { what, character } = rendered.left
        return yield* new UsageError({
          problem: `${what} contains ${character}, which would inject lines into the ${platform === "linux" ? "systemd unit" : "launchd plist"}; nothing was written`,
          fix: "use paths and values without control characters (e.g. set OPENCLAW_STATE_DIR to such a directory) and run gateway install again"
        })
      }
      const text = rendered.right
      if (opts.print) return yield* Console.log(text.trimEnd())

      const target = yield* installGatewayService(platform, text)
      yield* Console.log(`Wrote ${target}`)
      if (platform === "linux") {
        yield* Console.log(`Start it now and at login: systemctl --user daemon-reload && systemctl --user enable --now ${SYSTEMD_UNIT_NAME.replace(/\.service$/, "")}`)
        yield* Console.log("To keep it running after you log out: loginctl enable-linger")
      } else {
        yield* Console.log(`Start it now and at login: launchctl bootstrap gui/$(id -u) ${target}`)
      }
    })
).pipe(
  Command.withDescription(
    "Install the gateway as a user service (systemd on Linux, launchd on macOS) that runs `openclaw gateway`; with --print, only print the definition. It holds no secrets: the gateway reads <state>/.env itself."
  )
)

export const gatewayCommand = Command.make("gateway", { port, bind, agent: gatewayAgent }, (opts) =>
  Effect.gen(function* () {
    // Loaded only here: the HTTP server and the provider adapters are not part of any other command's start-up.
    const [{ runGateway }, { ProviderClientLive }] = yield* Effect.promise(() =>
      Promise.all([import("../gateway/main.js"), import("../services/ProviderClientLive.js")])
    )
    yield* runGateway({
      port: Option.getOrUndefined(opts.port),
      bind: Option.getOrUndefined(opts.bind),
      agent: Option.getOrUndefined(opts.agent),
      version: VERSION
    }).pipe(
      // The CLI's client is loaded on its first call (services/ProviderClientOnDemand.ts); the gateway calls one on
      // every request, so it gets the live client without that indirection.
      Effect.provide(ProviderClientLive)
    )
  })
).pipe(
  Command.withDescription(
    "Run the OpenAI-compatible gateway: /v1/chat/completions with credential failover, /v1/models, /v1/auth/status, /health. Reloads stores, config and <state>/.env when they change or on SIGHUP; SIGTERM lets in-flight requests finish."
  ),
  Command.withSubcommands([install])
)
