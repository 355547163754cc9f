import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { ChatChunk, ChatUsage, ProviderError } from "../domain/Chat.js"
import { formatModelRef, type ModelRef } from "../domain/Config.js"
import { classifyFailure } from "../domain/Failure.js"
import { type ChatTurn, chatTurn, completeWithin, streamWithin } from "../programs/ChatTurn.js"
import type { ChatFailedError, Served } from "../programs/Failover.js"
import type { StoreDocument } from "../services/ProfileStore.js"
import { redactSecrets } from "../services/SecretRegistry.js"
import { headerValue } from "./Headers.js"
import {
  type ChatCompletionRequest,
  chunkBody,
  type Completion,
  completionBody,
  errorBody,
  SSE_DONE,
  sseData,
  STATUS_BY_REASON,
  toChatMessages,
  usageChunkBody
} from "./OpenAiWire.js"
import type { ProviderTimeouts } from "./Options.js"
import { type GatewaySnapshot, GatewayState } from "./State.js"

/**
 * `POST /v1/chat/completions` in OpenAI's shape: the agent target, the session key and the messages are read
 * from the request, the chat turn (programs/ChatTurn) does the rest, and its outcome is encoded back as JSON or SSE.
 */

/** A whole answer may take minutes; a stream must make progress within this long between reads. */
export const DEFAULT_TIMEOUTS: ProviderTimeouts = { completeMs: 300_000, streamIdleMs: 120_000 }
const MAX_SESSION_KEY = 256

export type GatewayReply =
  | {
      readonly _tag: "json"
      readonly status: number
      readonly body: unknown
      readonly headers?: Readonly<Record<string, string>>
    }
  | { readonly _tag: "sse"; readonly events: Stream.Stream<string>; readonly headers?: Readonly<Record<string, string>> }

/** What the access log says about a chat request: ids and outcomes only, never content or secrets. */
export interface ChatLog {
  agent?: string
  model?: string
  profile?: string
  attempts?: string
  command?: string
}

export const jsonError = (status: number, message: string, type: string, code: string | null = type, headers?: Record<string, string>): GatewayReply => ({
  _tag: "json",
  status,
  body: errorBody(message, type, code),
  ...(headers ? { headers } : {})
})

export interface ChatInput {
  /** The snapshot current when the request arrived: the whole request is served from it. */
  readonly snapshot: GatewaySnapshot
  readonly body: ChatCompletionRequest
  readonly sessionKeyHeader: string | undefined
  readonly modelHeader: string | undefined
  readonly requestId: string
  readonly timeouts: ProviderTimeouts
}

/** `openclaw`, `openclaw/default` → the default agent; `openclaw/<id>` → that agent. */
export const agentForTarget = (target: string, snapshot: GatewaySnapshot): string | undefined => {
  if (target === "openclaw" || target === "openclaw/default") return snapshot.defaultAgentId
  return target.startsWith("openclaw/") ? target.slice("openclaw/".length) : undefined
}

export const agentTargets = (snapshot: GatewaySnapshot): ReadonlyArray<string> => [
  "openclaw",
  "openclaw/default",
  ...[...snapshot.agents.keys(), ...snapshot.agentErrors.keys()].map((id) => `openclaw/${id}`)
]

const textReply = (completion: Completion, text: string, stream: boolean): GatewayReply => {
  const usage: ChatUsage = { promptTokens: 0, completionTokens: 0 }
  if (!stream) return { _tag: "json", status: 200, body: completionBody(completion, { content: text, finishReason: "stop", usage }) }
  return {
    _tag: "sse",
    events: Stream.make(
      sseData(chunkBody(completion, { role: "assistant", content: "" })),
      sseData(chunkBody(completion, { content: text })),
      sseData(chunkBody(completion, {}, "stop")),
      SSE_DONE
    )
  }
}

/** A turn that could not be served; the fresh snapshot's secrets (a token refreshed on the way) are scrubbed too. */
const failedReply = (error: ChatFailedError, retryAfterSeconds: number | undefined, secrets: ReadonlyArray<string>): GatewayReply => {
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) }
  return jsonError(STATUS_BY_REASON[error.reason], redactSecrets(error.message, secrets), error.reason, error.reason, headers)
}

/**
 * `POST /v1/chat/completions` after access and body checks: which agent, which session, which messages; then the
 * chat turn (a chat command, or the model call with failover) and its outcome in OpenAI's shape. Untraced: this runs once per proxied request, and Effect.fn's call-site capture costs ~20 µs, more than the
 * whole choice of credential (the gateway installs no tracer).
 */
export const chatCompletion = Effect.fnUntraced(function* (input: ChatInput, log: ChatLog) {
  const state = yield* GatewayState
  const { body, snapshot } = input
  const stream = body.stream === true
  const created = Math.floor((yield* Clock.currentTimeMillis) / 1000)

  const agentId = agentForTarget(body.model, snapshot)
  if (agentId === undefined || !(snapshot.agents.has(agentId) || snapshot.agentErrors.has(agentId))) {
    return jsonError(
      404,
      `The model "${body.model}" does not exist on this gateway. Use an agent target: ${agentTargets(snapshot).join(", ")}; choose the backend model with the x-openclaw-model header or the /model chat command.`,
      "invalid_request_error",
      "model_not_found"
    )
  }
  log.agent = agentId
  const ctx = snapshot.agents.get(agentId)
  if (ctx === undefined) {
    return jsonError(503, `Agent ${agentId} is unavailable: ${snapshot.agentErrors.get(agentId)?.message}`, "unavailable")
  }

  const converted = toChatMessages(body.messages)
  if (Either.isLeft(converted)) return jsonError(400, converted.left, "invalid_request_error", "invalid_value")

  const sessionKey = input.sessionKeyHeader?.trim() || body.user?.trim() || undefined
  if (sessionKey !== undefined && sessionKey.length > MAX_SESSION_KEY) {
    return jsonError(400, `The session key is longer than ${MAX_SESSION_KEY} characters.`, "invalid_request_error", "invalid_value")
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined
  const turn = {
    agentId,
    ctx,
    messages: converted.right,
    sessionKey,
    modelOverride: input.modelHeader,
    maxTokens: maxTokens ?? undefined,
    temperature: body.temperature ?? undefined,
    refreshStores: (reason: string) => Effect.map(state.refreshStores(reason), (fresh) => fresh.agents.get(agentId)),
    current: Effect.map(state.current, (now) => now.agents.get(agentId)),
    // Cooldowns and usage the failover writes go into the snapshot as written: the next request sees them, unread.
    storeWritten: (doc: StoreDocument) => Effect.asVoid(state.storeWritten(doc))
  }
  const completion = (model: string): Completion => ({ id: `chatcmpl-${input.requestId}`, created, model })
  // A model id may hold text `${VAR}` put into the config: what reaches the client is redacted like any secret.
  const shown = (m: ModelRef) => redactSecrets(formatModelRef(m), snapshot.secrets)

  /** The turn's outcome on the wire; `answer` encodes a served one (JSON or SSE). */
  const reply = <A>(outcome: ChatTurn<A>, answer: (served: Served<A>, completion: Completion) => GatewayReply) =>
    Effect.gen(function* () {
      switch (outcome._tag) {
        case "Command":
          log.command = outcome.kind
          return textReply(completion(`openclaw/${agentId}`), redactSecrets(outcome.text, snapshot.secrets), stream)
        case "Failed":
          log.attempts = outcome.error.reason
          return failedReply(outcome.error, outcome.retryAfterSeconds, (yield* state.current).secrets)
        case "Served":
          logServed(outcome.served, shown(outcome.served.model), log)
          return answer(outcome.served, completion(shown(outcome.served.model)))
      }
    })

  if (!stream) {
    return yield* reply(
      yield* chatTurn(turn, completeWithin(input.timeouts.completeMs)),
      (served, answer): GatewayReply => ({
        _tag: "json",
        status: 200,
        body: completionBody(answer, served.value),
        headers: servedHeaders(served, snapshot.secrets)
      })
    )
  }
  return yield* reply(
    yield* chatTurn(turn, streamWithin(input.timeouts.streamIdleMs)),
    (served, answer): GatewayReply => ({
      _tag: "sse",
      events: sseEvents(answer, served.value, body.stream_options?.include_usage === true, snapshot.secrets),
      headers: servedHeaders(served, snapshot.secrets)
    })
  )
})

/** The access log names the model and profile that served, and every attempt before. */
const logServed = (served: Served<unknown>, model: string, log: ChatLog): void => {
  log.model = model
  if (served.profileId) log.profile = served.profileId
  log.attempts = served.attempts.map((a) => `${a.profileId ?? a.model}:${a.outcome}`).join(",")
}

const servedHeaders = (served: Served<unknown>, secrets: ReadonlyArray<string>): Record<string, string> => ({
  "x-openclaw-model": headerValue(redactSecrets(formatModelRef(served.model), secrets)),
  ...(served.profileId ? { "x-openclaw-profile": headerValue(served.profileId) } : {})
})

/**
 * The provider's chunks as OpenAI chunks. Failover is over once the provider answered; an error after that ends
 * the stream with an OpenAI-shaped error event (the official clients raise it).
 */
const sseEvents = (
  completion: Completion,
  chunks: Stream.Stream<ChatChunk, ProviderError>,
  includeUsage: boolean,
  secrets: ReadonlyArray<string>
): Stream.Stream<string> => {
  let usage: ChatUsage | undefined
  const body = chunks.pipe(
    Stream.mapConcat((c): ReadonlyArray<string> => {
      if (c.usage) usage = c.usage
      const out: Array<string> = []
      if (c.delta !== "") out.push(sseData(chunkBody(completion, { content: c.delta })))
      if (c.finishReason) out.push(sseData(chunkBody(completion, {}, c.finishReason)))
      return out
    })
  )
  const tail = Stream.suspend(() =>
    Stream.make(...(includeUsage && usage ? [sseData(usageChunkBody(completion, usage))] : []), SSE_DONE)
  )
  return Stream.make(sseData(chunkBody(completion, { role: "assistant", content: "" }))).pipe(
    Stream.concat(body),
    Stream.concat(tail),
    Stream.catchAll((error) => {
      const { reason } = classifyFailure(error)
      const message = redactSecrets(`The provider failed mid-answer: ${error.problem}`, secrets)
      return Stream.fromEffect(Effect.logWarning(`stream ${completion.id} ended early: ${reason}`)).pipe(
        Stream.drain,
        Stream.concat(Stream.make(sseData(errorBody(message, reason))))
      )
    })
  )
}

