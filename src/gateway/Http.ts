import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { randomBytes } from "node:crypto"
import { modelsStatus } from "../programs/ModelsStatus.js"
import { bearerToken, FailureLimiter, type FailureLimiterOptions, isLoopbackHost, tokenMatches } from "./Access.js"
import { agentTargets, type ChatLog, chatCompletion, DEFAULT_TIMEOUTS, type GatewayReply, jsonError } from "./ChatCompletions.js"
import type { ProviderTimeouts } from "./Gateway.js"
import { decodeChatRequest } from "./OpenAiWire.js"
import { type GatewaySnapshot, GatewayState, scrubSecrets } from "./State.js"

export type Bind = "loopback" | "lan"

export interface GatewayHttpOptions {
  readonly bind: Bind
  readonly version: string
  /** Largest accepted request body; larger ones get 413 before anything else happens. */
  readonly maxBodyBytes?: number
  readonly limiter?: FailureLimiterOptions
  /** When the process started serving (seconds), shown as `created` in the model list. */
  readonly startedAt: number
  readonly providerTimeouts?: ProviderTimeouts | undefined
}

export const MAX_BODY_BYTES = 1024 * 1024
/** Past this a body is not even read to the end: the connection is closed. */
const DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES

const encoder = new TextEncoder()

const respond = (reply: GatewayReply): HttpServerResponse.HttpServerResponse =>
  reply._tag === "json"
    ? HttpServerResponse.unsafeJson(reply.body, { status: reply.status, headers: reply.headers ?? {} })
    : HttpServerResponse.stream(Stream.map(reply.events, (s) => encoder.encode(s)), {
        contentType: "text/event-stream; charset=utf-8",
        headers: { "cache-control": "no-cache", "x-accel-buffering": "no", ...reply.headers }
      })

type BodyProblem = { readonly status: 413 | 400; readonly message: string; readonly close: boolean }

/** Reads at most `max` bytes; a larger body is drained (up to a hard limit) so the client still reads the 413. */
const readBody = (request: HttpServerRequest.HttpServerRequest, max: number): Effect.Effect<string, BodyProblem> =>
  Effect.gen(function* () {
    const tooLarge = (close: boolean): BodyProblem => ({ status: 413, message: `The request body is larger than ${max} bytes.`, close })
    const declared = Number(request.headers["content-length"])
    if (Number.isFinite(declared) && declared > DRAIN_LIMIT_BYTES) return yield* Effect.fail(tooLarge(true))
    const chunks: Array<Uint8Array> = []
    let size = 0
    yield* request.stream.pipe(
      Stream.runForEachWhile((chunk) =>
        Effect.sync(() => {
          size += chunk.length
          if (size <= max) chunks.push(chunk)
          return size <= DRAIN_LIMIT_BYTES
        })
      ),
      Effect.mapError((): BodyProblem => ({ status: 400, message: "The request body could not be read.", close: true }))
    )
    if (size > max) return yield* Effect.fail(tooLarge(size > DRAIN_LIMIT_BYTES))
    const all = new Uint8Array(size)
    let at = 0
    for (const c of chunks) {
      all.set(c, at)
      at += c.length
    }
    return new TextDecoder().decode(all)
  })

/** JSON.parse's own message quotes the input; say only where it broke. */
const parseJson = (text: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(text))
  } catch (e) {
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : "")?.[1]
    return Either.left(text.trim() === "" ? "The request body is empty; send a JSON chat completion request." : `The request body is not valid JSON${at ? ` (at position ${at})` : ""}.`)
  }
}

const header = (request: HttpServerRequest.HttpServerRequest, name: string): string | undefined => {
  const v = request.headers[name]
  return typeof v === "string" ? v : undefined
}

/** The access-log fields of the request being served. */
class RequestLog extends Context.Tag("openclaw/gateway/RequestLog")<RequestLog, ChatLog>() {}
/** The snapshot the request was admitted with; it serves the whole request. */
class RequestSnapshot extends Context.Tag("openclaw/gateway/RequestSnapshot")<RequestSnapshot, GatewaySnapshot>() {}

const requestId = () => randomBytes(12).toString("hex")

export const makeGatewayApp = (options: GatewayHttpOptions) =>
  Effect.gen(function* () {
    const state = yield* GatewayState
    const limiter = new FailureLimiter(options.limiter)
    const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES

    /** §8.2: undefined when the request may go on, else the refusal. */
    const checkAccess = (request: HttpServerRequest.HttpServerRequest, snapshot: GatewaySnapshot, address: string) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const blocked = limiter.blockedFor(address, now)
        if (blocked !== undefined) {
          const seconds = Math.ceil(blocked / 1000)
          return jsonError(429, `Too many requests with a wrong gateway token from ${address}; try again in ${seconds}s.`, "rate_limit", "too_many_bad_tokens", { "retry-after": String(seconds) })
        }
        const expected = snapshot.access.token
        if (expected === undefined) {
          if (options.bind !== "loopback") {
            return jsonError(503, "The gateway has no token configured and refuses requests while bound beyond loopback. Fix: set gateway.auth.token in the config or OPENCLAW_GATEWAY_TOKEN in <state>/.env.", "gateway_token_missing")
          }
          // Open on loopback: only this machine's own clients, not a web page that resolved a name to 127.0.0.1.
          if (!isLoopbackHost(header(request, "host"))) {
            return jsonError(403, "Without a gateway token only requests addressed to 127.0.0.1 or localhost are served. Fix: configure gateway.auth.token and send it as a bearer token.", "forbidden", "host_not_allowed")
          }
          if (request.method === "POST" && !(header(request, "content-type") ?? "").toLowerCase().includes("application/json")) {
            return jsonError(415, "Send the request body as Content-Type: application/json.", "invalid_request_error", "unsupported_media_type")
          }
          return undefined
        }
        const presented = bearerToken(header(request, "authorization"))
        if (presented === undefined) {
          return jsonError(401, "This gateway needs `Authorization: Bearer <token>` (gateway.auth.token or OPENCLAW_GATEWAY_TOKEN).", "authentication_error", "missing_gateway_token", { "www-authenticate": "Bearer" })
        }
        if (!tokenMatches(Redacted.value(expected), presented)) {
          limiter.recordFailure(address, now)
          yield* Effect.logWarning(`wrong gateway token from ${address}`)
          return jsonError(401, "The gateway token is wrong.", "authentication_error", "invalid_gateway_token", { "www-authenticate": "Bearer" })
        }
        return undefined
      })

    const health = Effect.map(RequestSnapshot, (s) =>
      HttpServerResponse.unsafeJson({ status: "ok", version: options.version, generation: s.generation })
    )

    const models = Effect.map(RequestSnapshot, (s) =>
      HttpServerResponse.unsafeJson({
        object: "list",
        data: agentTargets(s).map((id) => ({ id, object: "model", created: options.startedAt, owned_by: "openclaw" }))
      })
    )

    const authStatus = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const snapshot = yield* RequestSnapshot
      const agent = new URL(request.url, "http://gateway").searchParams.get("agent") ?? snapshot.defaultAgentId
      const result = yield* Effect.either(modelsStatus(agent))
      if (Either.isLeft(result)) {
        const e = result.left
        const status = e._tag === "UnknownAgentError" ? 404 : 500
        return respond(jsonError(status, scrubSecrets(e.message, snapshot.secrets), status === 404 ? "invalid_request_error" : "server_error", e._tag))
      }
      return HttpServerResponse.unsafeJson(result.right.report)
    })

    const chat = Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const log = yield* RequestLog
        const body = yield* Effect.either(readBody(request, maxBody))
        if (Either.isLeft(body)) {
          const p = body.left
          return respond(jsonError(p.status, p.message, "invalid_request_error", p.status === 413 ? "request_too_large" : "invalid_body", p.close ? { connection: "close" } : undefined))
        }
        const json = parseJson(body.right)
        if (Either.isLeft(json)) return respond(jsonError(400, json.left, "invalid_request_error", "invalid_json"))
        const decoded = decodeChatRequest(json.right)
        if (Either.isLeft(decoded)) return respond(jsonError(400, `Invalid chat completion request: ${decoded.left}`, "invalid_request_error", "invalid_request"))
        const reply = yield* chatCompletion(
          { snapshot: yield* RequestSnapshot, body: decoded.right, sessionKeyHeader: header(request, "x-openclaw-session-key"), modelHeader: header(request, "x-openclaw-model"), requestId: requestId(), timeouts: options.providerTimeouts ?? DEFAULT_TIMEOUTS },
          log
        )
        return respond(reply)
    })

    const router = HttpRouter.empty.pipe(
      HttpRouter.get("/health", health),
      HttpRouter.get("/v1/models", models),
      HttpRouter.get("/v1/auth/status", authStatus),
      HttpRouter.post("/v1/chat/completions", chat)
    )

    return Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const started = yield* Clock.currentTimeMillis
      const snapshot = yield* state.current
      const address = Option.getOrElse(request.remoteAddress, () => "unknown")
      const path = new URL(request.url, "http://gateway").pathname
      const log: ChatLog = {}
      const denied = request.method === "GET" && path === "/health" ? undefined : yield* checkAccess(request, snapshot, address)
      const response = denied
        ? respond(denied)
        : yield* router.pipe(
            Effect.provideService(RequestLog, log),
            Effect.provideService(RequestSnapshot, snapshot),
            Effect.catchTag("RouteNotFound", () =>
              Effect.succeed(respond(jsonError(404, `No route for ${request.method} ${path}.`, "invalid_request_error", "not_found")))
            )
          )
      const ms = (yield* Clock.currentTimeMillis) - started
      const details = Object.entries(log).map(([k, v]) => `${k}=${v}`).join(" ")
      yield* Effect.logInfo(`${request.method} ${path} ${response.status} ${ms}ms ${address}${details ? ` ${details}` : ""}`)
      return response
    }).pipe(
      Effect.catchAllCause((cause) =>
        Effect.flatMap(state.current, (s) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.failCause(cause)
            : Effect.as(
                Effect.logError(`internal error: ${scrubSecrets(Cause.pretty(cause), s.secrets)}`),
                respond(jsonError(500, "Internal gateway error; see the gateway log.", "server_error"))
              )
        )
      )
    )
  })
