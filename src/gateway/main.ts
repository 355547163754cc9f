/**
 * The gateway's edge (§8.1): GatewayLive = the app's layers + the Node HTTP listener, launched with
 * `Layer.launch`; signals stop it (gracefully) and reload it. The CLI loads this module only for `openclaw gateway`.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as FiberRef from "effect/FiberRef"
import * as HashSet from "effect/HashSet"
import * as Logger from "effect/Logger"
import * as Runtime from "effect/Runtime"
import { loadStateSettings } from "../programs/StateSettings.js"
import { gatewaySharedStateLayer } from "../services/SharedStateLayer.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { Background } from "../services/Background.js"
import { makeGatewayLogger } from "./GatewayLog.js"
import { FileWatcherLive, signals } from "./host.js"
import { makeGatewayApp } from "./Http.js"
import { planListen } from "./ListenPlan.js"
import type { GatewayOptions } from "./Options.js"
import { forceCloseConnections, listen } from "./server.js"
import { GatewayStartError } from "./StartError.js"
import { GatewayState, gatewayStateLayer } from "./State.js"
import { Progress, silentProgress } from "../services/Progress.js"

export interface GatewayAddressShape {
  readonly host: string
  readonly port: number
  readonly url: string
}

/** Where the running gateway listens (port 0 resolved). */
export class GatewayAddress extends Context.Tag("openclaw/gateway/Address")<GatewayAddress, GatewayAddressShape>() {}

const DRAIN_TIMEOUT_MS = 30_000

const serveGateway = (options: GatewayOptions) =>
  Effect.gen(function* () {
    const state = yield* GatewayState
    const snapshot = yield* state.current
    const plan = yield* planListen(options, snapshot)
    for (const w of plan.warnings) yield* Effect.logWarning(w)
    const startedAt = Math.floor((yield* Clock.currentTimeMillis) / 1000)
    const app = yield* makeGatewayApp({
      bind: plan.bind,
      version: options.version,
      startedAt,
      providerTimeouts: options.providerTimeouts
    })
    const listening = yield* listen(app, { host: plan.host, port: plan.port, drainTimeoutMs: options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS, maxConnections: plan.maxConnections, headersTimeoutMs: options.headersTimeoutMs }).pipe(
      Effect.mapError((e) => {
        const code = (e.cause as { code?: unknown } | undefined)?.code
        return new GatewayStartError({ kind: "listen", value: `${plan.host}:${plan.port}`, ...(typeof code === "string" ? { code } : {}) })
      })
    )
    const url = `http://${listening.host}:${listening.port}`
    const agents = [...snapshot.agents.keys()].join(", ")
    const access = snapshot.access.token
      ? `token from ${snapshot.access.source === "env" ? "OPENCLAW_GATEWAY_TOKEN" : snapshot.access.source === "ref" ? "the gateway.auth.token ref" : "gateway.auth.token"}`
      : "no token (loopback only)"
    yield* Effect.logInfo(
      `openclaw gateway ${options.version} listening on ${url} (bind ${plan.bind}; agent ${snapshot.defaultAgentId}; agents ${agents}; ${access})`
    )
    yield* Effect.addFinalizer(() => Effect.logInfo("shutting down: waiting for in-flight requests"))
    return GatewayAddress.of({ host: listening.host, port: listening.port, url })
  })

/**
 * The running gateway over the app layer (makeAppLayer and its ports) the caller provides: the CLI's, or a test's.
 * Besides where it listens it exposes its state, so a caller can reload it.
 */
export const GatewayLive = (options: GatewayOptions) =>
  Layer.scoped(GatewayAddress, serveGateway(options)).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        gatewayStateLayer({ agent: options.agent, debounceMs: options.reloadDebounceMs, quietWatchTrustedMs: options.quietWatchTrustedMs }),
        // Usage state, sessions, the refresh lock and the bad-token limiter: this host's files or Redis, as gateway.state says (§10).
        Layer.unwrapEffect(
          Effect.map(loadStateSettings(), (settings) =>
            gatewaySharedStateLayer(settings, options.sessionWriteDelayMs === undefined ? {} : { writeDelayMs: options.sessionWriteDelayMs }, options.badTokenLimit ?? {})
          )
        ),
        Background.layer()
      )
    ),
    Layer.provide(FileWatcherLive),
    // A gateway logs; a progress line redrawn among its log lines (a refresh on a request) would garble them.
    Layer.provide(Layer.succeed(Progress, silentProgress))
  )

/** Points the process's SIGHUP handler at this gateway's reload for as long as it runs. */
const HangupReload = (onHangup: { current: () => void }) =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const state = yield* GatewayState
      const runtime = yield* Effect.runtime<never>()
      onHangup.current = () =>
        void Runtime.runFork(runtime)(
          Effect.flatMap(state.reload("SIGHUP"), (o) =>
            o.swapped ? Effect.logInfo(`reloaded on SIGHUP (generation ${o.snapshot.generation})`) : Effect.logWarning(`SIGHUP reload kept generation ${o.snapshot.generation}`)
          )
        )
      yield* Effect.addFinalizer(() => Effect.sync(() => void (onHangup.current = () => undefined)))
    })
  )

/** `openclaw gateway`: runs until SIGTERM/SIGINT, then lets in-flight requests finish; SIGHUP reloads. */
export const runGateway = (options: GatewayOptions) =>
  Effect.gen(function* () {
    const onHangup = { current: (): void => undefined }
    const shutdown = yield* signals({ onHangup: () => onHangup.current(), onRepeat: forceCloseConnections })
    const launched = Layer.launch(HangupReload(onHangup).pipe(Layer.provideMerge(GatewayLive(options))))
    const signal = yield* Effect.raceFirst(launched, shutdown)
    yield* Effect.logInfo(`stopped after ${signal}`)
  }).pipe(
    Effect.scoped,
    // Its log replaces every other (the CLI's warnings-only one too), keeping only the tracer's span events.
    (self) =>
      Effect.flatMap(SecretRegistry, (secrets) => {
        const { logger: log, flush } = makeGatewayLogger(secrets, (text) => process.stderr.write(text))
        // Written when the gateway stops, before the CLI waits for stderr to drain; on exit only as a last resort.
        process.on("exit", flush)
        return Effect.ensuring(
          Effect.locallyWith(self, FiberRef.currentLoggers, (loggers) => HashSet.add(HashSet.filter(loggers, (l) => l === Logger.tracerLogger), log)),
          Effect.sync(flush)
        )
      })
  )
