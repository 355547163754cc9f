import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { ChatChunk, ChatMessage, ChatRequest, ChatUsage, ProviderError } from "../domain/Chat.js"
import { formatModelRef, type ModelRef, modelAliases, parseModelRef } from "../domain/Config.js"
import { classifyFailure } from "../domain/Failure.js"
import { parseModelDirective } from "../domain/ModelDirective.js"
import { profileOrder } from "../domain/Order.js"
import { redactSecrets } from "../services/SecretRegistry.js"
import type { AuthContext } from "../programs/AuthContext.js"
import { type ChatFailedError, type Served, serveWithFailover } from "../programs/Failover.js"
import type { StoreDocument } from "../services/ProfileStore.js"
import { ProviderClient } from "../services/ProviderClient.js"
import { SessionStore } from "../services/SessionStore.js"
import { Background } from "./Background.js"
import { answerChatCommand, type ModelSource } from "./ChatCommands.js"
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

const lastUserText = (messages: ReadonlyArray<ChatMessage>): string | undefined =>
  [...messages].reverse().find((m) => m.role === "user")?.content

/** Earlier chat commands and the gateway's answers to them are not part of the conversation with the model. */
const withoutCommands = (messages: ReadonlyArray<ChatMessage>): ReadonlyArray<ChatMessage> => {
  const out: Array<ChatMessage> = []
  let skipAnswer = false
  for (const m of messages) {
    if (m.role === "user" && parseModelDirective(m.content) !== undefined) {
      skipAnswer = true
      continue
    }
    if (skipAnswer && m.role === "assistant") {
      skipAnswer = false
      continue
    }
    skipAnswer = false
    out.push(m)
  }
  return out
}

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

const failedReply = (error: ChatFailedError, snapshot: GatewaySnapshot, ctx: AuthContext | undefined, models: ReadonlyArray<ModelRef>, now: number): GatewayReply => {
  const message = redactSecrets(error.message, snapshot.secrets)
  const headers: Record<string, string> = {}
  if ((error.reason === "rate_limit" || error.reason === "unavailable") && ctx) {
    // When the soonest profile of the models tried comes back.
    const untils = [...new Set(models.map((m) => m.provider))].flatMap((p) =>
      profileOrder(ctx.store.store, ctx.config, p, now).unavailable.map((u) => u.until)
    )
    if (untils.length > 0) headers["retry-after"] = String(Math.max(1, Math.ceil((Math.min(...untils) - now) / 1000)))
  }
  return jsonError(STATUS_BY_REASON[error.reason], message, error.reason, error.reason, headers)
}

/**
 * `POST /v1/chat/completions` after access and body checks: a chat command, or the model call with failover.
 * Untraced: this runs once per proxied request, and Effect.fn's call-site capture costs ~20 µs, more than the
 * whole choice of credential (the gateway installs no tracer).
 */
export const chatCompletion = Effect.fnUntraced(function* (input: ChatInput, log: ChatLog) {
  const state = yield* GatewayState
  const sessions = yield* SessionStore
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
  const aliases = modelAliases(ctx.config)

  const converted = toChatMessages(body.messages)
  if (Either.isLeft(converted)) return jsonError(400, converted.left, "invalid_request_error", "invalid_value")
  const messages = converted.right

  const rawKey = input.sessionKeyHeader?.trim() || body.user?.trim() || undefined
  if (rawKey !== undefined && rawKey.length > MAX_SESSION_KEY) {
    return jsonError(400, `The session key is longer than ${MAX_SESSION_KEY} characters.`, "invalid_request_error", "invalid_value")
  }
  const sessionKey = rawKey === undefined ? undefined : `${agentId}:${rawKey}`
  const session = sessionKey === undefined ? undefined : yield* sessions.get(sessionKey)

  const override = input.modelHeader?.trim() ? parseModelRef(input.modelHeader, aliases) : undefined
  const current: { model: ModelRef; source: ModelSource } = session?.model
    ? { model: parseModelRef(session.model, aliases), source: "session" }
    : override
      ? { model: override, source: "header" }
      : { model: ctx.models.primary, source: "agent" }
  // A model id may hold text `${VAR}` put into the config: what reaches the client is redacted like any secret.
  const shown = (m: ModelRef) => redactSecrets(formatModelRef(m), snapshot.secrets)
  const completion: Completion = { id: `chatcmpl-${input.requestId}`, created, model: shown(current.model) }

  const directive = parseModelDirective(lastUserText(messages) ?? "")
  if (directive !== undefined) {
    log.command = directive.kind
    // Commands are rare and show or check what is on disk: answer from a fresh load.
    const fresh = (yield* state.refreshStores(`/${directive.kind === "reset" ? "new" : "model"} command`)).agents.get(agentId) ?? ctx
    const outcome = answerChatCommand(directive, {
      ctx: fresh,
      session,
      current,
      persistent: sessionKey !== undefined,
      now: yield* Clock.currentTimeMillis
    })
    if (sessionKey !== undefined && outcome.session !== undefined) yield* sessions.set(sessionKey, outcome.session)
    return textReply({ ...completion, model: `openclaw/${agentId}` }, redactSecrets(outcome.text, snapshot.secrets), stream)
  }

  const seen = new Set<string>()
  const models = [current.model, ...ctx.models.fallbacks].filter((m) => {
    const id = formatModelRef(m)
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
  const conversation = withoutCommands(messages)
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined
  const request = (model: ModelRef): ChatRequest => ({
    model: model.model,
    messages: conversation,
    ...(maxTokens != null ? { maxTokens } : {}),
    ...(body.temperature != null ? { temperature: body.temperature } : {})
  })
  const client = yield* ProviderClient
  const background = yield* Background
  // Cooldowns and usage the failover writes go into the snapshot as written: the next request sees them, unread.
  const written = (doc: StoreDocument) => Effect.asVoid(state.storeWritten(doc))

  /** After an answer: usage bookkeeping off the response path; the session remembers the profile that served. */
  const settle = <A>(served: Served<A>) =>
    Effect.gen(function* () {
      log.model = shown(served.model)
      if (served.profileId) log.profile = served.profileId
      log.attempts = served.attempts.map((a) => `${a.profileId ?? a.model}:${a.outcome}`).join(",")
      // Failover returns Effect.void when there is nothing to write. Until the write is in the snapshot every answer
      // by this profile asks for it again: those coalesce into one write, which is patched into the snapshot.
      if (served.recordUse !== Effect.void) {
        yield* background.runLatest(
          `usage:${served.profileId}`,
          served.recordUse.pipe(Effect.catchAll((e) => Effect.logWarning(`could not record usage of ${served.profileId}: ${e.message}`)))
        )
      }
      if (sessionKey !== undefined && served.profileId !== undefined && session?.userPin === undefined && session?.autoPin !== served.profileId) {
        yield* sessions.set(sessionKey, { ...session, autoPin: served.profileId, updatedAt: yield* Clock.currentTimeMillis })
      }
    })

  const failed = (error: ChatFailedError) =>
    Effect.gen(function* () {
      log.attempts = error.reason
      // The cooldowns recorded while failing over are in the snapshot already (storeWritten).
      const fresh = yield* state.current
      const now = yield* Clock.currentTimeMillis
      return failedReply(error, fresh, fresh.agents.get(agentId), models, now)
    })

  if (!stream) {
    const result = yield* Effect.either(
      serveWithFailover(ctx, models, session, (target, auth, model) => client.complete(target, auth, request(model), input.timeouts.completeMs), written)
    )
    if (Either.isLeft(result)) return yield* failed(result.left)
    const served = result.right
    yield* settle(served)
    const answer = { ...completion, model: shown(served.model) }
    return {
      _tag: "json",
      status: 200,
      body: completionBody(answer, served.value),
      headers: servedHeaders(served, snapshot.secrets)
    } satisfies GatewayReply
  }

  const result = yield* Effect.either(
    serveWithFailover(ctx, models, session, (target, auth, model) => client.stream(target, auth, request(model), input.timeouts.streamIdleMs), written)
  )
  if (Either.isLeft(result)) return yield* failed(result.left)
  const served = result.right
  yield* settle(served)
  const answer = { ...completion, model: shown(served.model) }
  return {
    _tag: "sse",
    events: sseEvents(answer, served.value, body.stream_options?.include_usage === true, snapshot.secrets),
    headers: servedHeaders(served, snapshot.secrets)
  } satisfies GatewayReply
})

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

