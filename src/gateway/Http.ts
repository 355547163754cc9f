import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberId from "effect/FiberId"
import * as LogLevel from "effect/LogLevel"
import * as Runtime from "effect/Runtime"
import { randomBytes } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { escapeControl } from "../domain/Untrusted.js"
import { redactSecrets } from "../services/SecretRegistry.js"
import { ProviderClient } from "../services/ProviderClient.js"
import { StateHealth } from "../services/StateHealth.js"
import { UsageState } from "../services/UsageState.js"
import { TokenLimiter } from "../services/TokenLimiter.js"
import { checkAccess, type Denied, isMessagesPath, type Refusal, refuse, shaped } from "./AccessCheck.js"
import { authStatusReply } from "./AuthStatus.js"
import { MAX_BODY_BYTES, parseJson, readBody } from "./Body.js"
import { errorBody as anthropicErrorBody, sseEvent } from "./AnthropicWire.js"
import { errorBody as openAiErrorBody, sseData } from "./OpenAiWire.js"
import { chatCompletion, DEFAULT_TIMEOUTS } from "./ChatCompletions.js"
import { accessLine, agentTargets, type ChatLog } from "./ChatRoute.js"
import { type Handover, type LaneServices, runLane } from "./Lane.js"
import { ACCESS_LOG, clockOf, logNow } from "./LogNow.js"
import { messages } from "./Messages.js"
import { requestHeader as header } from "./Headers.js"
import type { GatewayReply } from "./Reply.js"
import { isStreaming, writeReply } from "./Respond.js"
import { SECRETS_RELOAD_PATH, secretsReloadReply } from "./SecretsReload.js"
import { otherApiFix, pathOf, queryOf } from "./Target.js"
import type { Bind, ProviderTimeouts } from "./Options.js"
import type { RequestHandler } from "./server.js"
import type { GatewaySnapshot } from "./Snapshot.js"
import { GatewayState } from "./State.js"

export interface GatewayHttpOptions {
  readonly bind: Bind
  readonly version: string
  /** Largest accepted request body; larger ones get 413 before anything else happens. */
  readonly maxBodyBytes?: number
  /** When the process started serving (seconds), shown as `created` in the model list. */
  readonly startedAt: number
  readonly providerTimeouts?: ProviderTimeouts | undefined
}

/** The event that ends a stream the gateway could not finish before it stopped, in the client's shape (§8.4). */
const SHUTDOWN_MESSAGE = "The gateway is shutting down and could not finish this answer; send the request again."
const shutdownEvent = (path: string): string =>
  isMessagesPath(path) ? sseEvent("error", anthropicErrorBody(503, SHUTDOWN_MESSAGE, "unavailable")) : sseData(openAiErrorBody(SHUTDOWN_MESSAGE, "unavailable"))

/** 24 hex digits like OpenAI's, unique and cheap: a random prefix chosen at start, then a counter. */
const requestIds = () => {
  const prefix = randomBytes(6).toString("hex")
  let n = 0
  return () => `${prefix}${(++n).toString(16).padStart(12, "0")}`
}

const MODEL_PREFIX = "/v1/models/"

const ok = (body: unknown): GatewayReply => ({ _tag: "json", status: 200, body })

/** Who hung up on a request: the client (its response closed before it ended). */
const clientGone = FiberId.runtime(-499, 0)

export const makeGatewayApp = (options: GatewayHttpOptions) =>
  Effect.gen(function* () {
    const state = yield* GatewayState
    const usage = yield* UsageState
    const client = yield* ProviderClient
    const shared = yield* StateHealth
    const limiter = yield* TokenLimiter
    const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES
    const nextRequestId = requestIds()
    const timeouts = options.providerTimeouts ?? DEFAULT_TIMEOUTS

    /** A wrong token: counted per address (shared between gateways with gateway.state, §10); past the limit, 429. */
    const wrongToken = (address: string, now: number) =>
      Effect.map(limiter.wrongToken(address, now), (blocked): Denied => {
        if (blocked !== undefined) {
          const seconds = Math.ceil(blocked / 1000)
          return { refusal: refuse(429, `Too many requests with a wrong gateway token from ${address}; try again in ${seconds}s.`, "rate_limit", "too_many_bad_tokens", { "retry-after": String(seconds) }) }
        }
        return {
          refusal: refuse(401, "The gateway token is wrong.", "authentication_error", "invalid_gateway_token", { "www-authenticate": "Bearer" }),
          warning: `wrong gateway token from ${address}`
        }
      })

    /**
     * `degraded` while a reload is held back by a ref that does not resolve (§9), or while the shared state is
     * unreachable (§10, with the reason): the gateway serves either way, from older secrets or this host's state.
     */
    const health = (s: GatewaySnapshot) =>
      Effect.map(Effect.zip(state.secretsHealth, shared.current), ([h, st]) =>
        ok({
          status: h.degraded || st.degraded ? "degraded" : "ok",
          version: options.version,
          generation: s.generation,
          ...(st.backend === "file" ? {} : { state: { backend: st.backend, status: st.degraded ? "degraded" : "ok" } }),
          ...(st.reason === undefined ? {} : { reason: st.reason })
        })
      )

    /** Re-resolves every ref and swaps the snapshot, or keeps the old one (§9); behind the token like every route. */
    const secretsReload = Effect.map(state.reload(`POST ${SECRETS_RELOAD_PATH}`), secretsReloadReply)

    const models = (s: GatewaySnapshot) =>
      ok({
        object: "list",
        data: agentTargets(s).map((id) => ({ id, object: "model", created: options.startedAt, owned_by: "openclaw" }))
      })

    /** `GET /v1/models/{id}` (the SDKs send the id percent-encoded: `openclaw%2Fdefault`), 404 in OpenAI's shape. */
    const model = (s: GatewaySnapshot, encoded: string) => {
      let id = encoded
      try {
        id = decodeURIComponent(encoded)
      } catch {
        // not percent-encoding: the id as sent
      }
      const targets = agentTargets(s)
      if (targets.includes(id)) return ok({ id, object: "model", created: options.startedAt, owned_by: "openclaw" })
      return {
        _tag: "json",
        status: 404,
        body: {
          error: {
            message: `The model "${escapeControl(id.slice(0, 200))}" does not exist on this gateway. Its models are the agent targets: ${targets.join(", ")}.`,
            type: "invalid_request_error",
            param: "model",
            code: "model_not_found"
          }
        }
      } satisfies GatewayReply
    }

    const authStatus = (request: IncomingMessage, snapshot: GatewaySnapshot) =>
      Effect.map(Clock.currentTimeMillis, (now) =>
        authStatusReply(snapshot, queryOf(request.url ?? "/").get("agent"), now)
      )

    /** The body read (or as the lane read it), capped and parsed; else the refusal. */
    const readJson = (request: IncomingMessage, read: Handover["body"]) =>
      Effect.map(read === undefined ? Effect.either(readBody(request, maxBody)) : Effect.succeed(read), (body): Either.Either<{ text: string; json: unknown }, Refusal> => {
        if (Either.isLeft(body)) {
          const p = body.left
          return Either.left(refuse(p.status, p.message, "invalid_request_error", p.status === 413 ? "request_too_large" : "invalid_body", p.close ? { connection: "close" } : undefined))
        }
        const json = parseJson(body.right)
        return Either.isLeft(json) ? Either.left(refuse(400, json.left, "invalid_request_error", "invalid_json")) : Either.right({ text: body.right, json: json.right })
      })

    const chat = (request: IncomingMessage, path: string, snapshot: GatewaySnapshot, log: ChatLog, prior: Handover | undefined) =>
      Effect.gen(function* () {
        const body = yield* readJson(request, prior?.body)
        if (Either.isLeft(body)) return shaped(path, body.left)
        const common = {
          snapshot,
          text: body.right.text,
          json: body.right.json,
          sessionKeyHeader: header(request, "x-openclaw-session-key"),
          modelHeader: header(request, "x-openclaw-model"),
          requestId: nextRequestId(),
          timeouts,
          triedFirst: prior?.triedFirst
        }
        if (!isMessagesPath(path)) return yield* chatCompletion(common, log)
        const passed: Record<string, string> = {}
        for (const name of ["anthropic-version", "anthropic-beta"]) {
          const value = header(request, name)
          if (value !== undefined) passed[name] = value
        }
        const url = request.url ?? "/"
        const betaEndpoint = url.length > path.length && queryOf(url).get("beta") === "true"
        return yield* messages({ ...common, endpoint: path === "/v1/messages" ? "chat" : "count_tokens", headers: passed, betaEndpoint }, log)
      })

    /**
     * The routes, by method and path; anything else is a 404. A switch rather than HttpRouter: a few fixed routes,
     * and no per-request route lookup or route context.
     */
    const route = (request: IncomingMessage, path: string, snapshot: GatewaySnapshot, log: ChatLog, prior: Handover | undefined) => {
      const method = request.method
      switch (path) {
        case "/v1/chat/completions":
        case "/v1/messages":
        case "/v1/messages/count_tokens":
          if (method === "POST") return chat(request, path, snapshot, log, prior)
          break
        case "/v1/models":
          if (method === "GET") return Effect.succeed(models(snapshot))
          break
        case "/v1/auth/status":
          if (method === "GET") return authStatus(request, snapshot)
          break
        case "/health":
          // HEAD too: load balancers and probes ask so; node sends the headers only.
          if (method === "GET" || method === "HEAD") return health(snapshot)
          break
        case SECRETS_RELOAD_PATH:
          if (method === "POST") return secretsReload
          break
        default:
          if (method === "GET" && path.startsWith(MODEL_PREFIX)) return Effect.succeed(model(snapshot, path.slice(MODEL_PREFIX.length)))
      }
      return Effect.succeed(shaped(path, refuse(404, `No route for ${method} ${path}.${otherApiFix(path)}`, "invalid_request_error", "not_found")))
    }

    /**
     * One request: access (§8.2), the route, one access-log line, the reply written. Uninterruptible, as
     * @effect/platform ran its handlers, so a client that hangs up cannot cut a store write or an OAuth refresh
     * in half; the provider call (services/ProviderClientLive `send`) and the writing of a stream opt back in, so
     * a hang-up still aborts the provider's request at once (§8.6). Its scope holds a provider's stream and
     * closes after the stream is written. `prior`: what the lane (./Lane.ts) did before it handed the request over.
     */
    const serve = (request: IncomingMessage, res: ServerResponse, path: string, prior?: Handover) =>
      Effect.gen(function* () {
        if (prior !== undefined && "defect" in prior) return yield* Effect.die(prior.defect)
        const started = prior?.started ?? (yield* Clock.currentTimeMillis)
        const method = request.method ?? "GET"
        // What a request chooses from includes a store change the watch reported a moment ago (a cooldown cleared).
        const snapshot = prior?.snapshot ?? (yield* (path === "/health" ? state.current : state.fresh))
        const address = request.socket.remoteAddress ?? "unknown"
        const log: ChatLog = {}
        // The lane hands over a request whose access it checked on the snapshot it hands over.
        const checked =
          prior?.snapshot !== undefined || ((method === "GET" || method === "HEAD") && path === "/health") ? undefined : checkAccess(options.bind, request, path, snapshot, address)
        const denied = checked === "wrong-token" ? yield* wrongToken(address, started) : checked
        if (denied?.warning !== undefined) yield* Effect.logWarning(denied.warning)
        const reply = denied === undefined ? yield* route(request, path, snapshot, log, prior) : shaped(path, denied.refusal)
        const ms = (yield* Clock.currentTimeMillis) - started
        yield* Effect.annotateLogs(Effect.logInfo(accessLine(method, path, reply._tag === "sse" ? 200 : reply.status, ms, address, log)), ACCESS_LOG, true)
        yield* writeReply(res, reply)
      }).pipe(
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.failCause(cause)
            : Effect.flatMap(state.current, (s) =>
                // One line in the log (a stack trace is many, and can quote request data); the trace at debug level.
                Effect.zipRight(
                  Effect.zipRight(
                    Effect.logError(`internal error: ${redactSecrets(JSON.stringify(String(Cause.squash(cause))), s.secrets)}`),
                    Effect.logDebug(`internal error: ${redactSecrets(Cause.pretty(cause), s.secrets)}`)
                  ),
                  Effect.suspend(() => {
                    if (!res.headersSent) return writeReply(res, shaped(path, refuse(500, "Internal gateway error; see the gateway log.", "server_error")))
                    res.end()
                    return Effect.void
                  })
                )
              )
        ),
        Effect.scoped,
        Effect.uninterruptible
      )

    // No tracer is installed, so a span per request (Effect.fn's in the programs) is pure cost: every request's
    // fiber starts from this runtime, its tracer off.
    const runtime = yield* Effect.withTracerEnabled(Effect.runtime<Effect.Effect.Context<ReturnType<typeof serve>>>(), false)
    const runFork = Runtime.runFork(runtime)
    const clock = clockOf(runtime)
    const lane: LaneServices = {
      usage,
      client,
      timeouts,
      maxBodyBytes: maxBody,
      now: () => clock.unsafeCurrentTimeMillis(),
      logAccess: logNow(runtime, LogLevel.Info, { access: true }),
      logDebug: logNow(runtime, LogLevel.Debug),
      run: (effect, then) => void Runtime.runCallback(runtime)(effect, then === undefined ? {} : { onExit: then }),
      storeWritten: (doc) => Effect.asVoid(state.storeWritten(doc))
    }
    const handler: RequestHandler = (request, res) => {
      const path = pathOf(request.url ?? "/")
      let stop = (): void => undefined
      let handedOver = false
      const viaFiber = (prior?: Handover) => {
        handedOver = true
        const fiber = runFork(serve(request, res, path, prior))
        stop = () => fiber.unsafeInterruptAsFork(clientGone)
      }
      const snapshot = path === "/v1/chat/completions" && request.method === "POST" && client.forwardNow !== undefined ? state.freshNow() : undefined
      const address = request.socket.remoteAddress ?? "unknown"
      if (snapshot !== undefined && checkAccess(options.bind, request, path, snapshot, address) === undefined) {
        const stopLane = runLane(lane, { request, res, path, snapshot, address, started: lane.now(), handover: viaFiber })
        // Handed over before runLane returned (a throw on the way in): the fiber's stop, not the lane's.
        if (!handedOver) stop = stopLane
      } else {
        viaFiber()
      }
      return { stop: () => stop(), lastWords: () => (isStreaming(res) ? shutdownEvent(path) : undefined) }
    }
    return handler
  })
