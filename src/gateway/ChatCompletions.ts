import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ChatChunk, ChatMessage, ChatRequest, ChatUsage, ProviderError } from "../domain/Chat.js"
import { formatModelRef } from "../domain/Config.js"
import { commandTurns } from "../domain/ModelDirective.js"
import type { Attempts, ModelCall } from "../programs/ChatTurn.js"
import { redactSecrets } from "../services/SecretRegistry.js"
import { agentForTarget, agentTargets, type Answer, type ChatLog, type ClientWire, knownAgent, serveChat, sessionKeyProblem } from "./ChatRoute.js"
import {
  type ChatRouting,
  chatRouting,
  chunkBody,
  type Completion,
  completionBody,
  decodeChatRequest,
  errorBody,
  SSE_DONE,
  sseData,
  toChatMessages,
  usageChunkBody,
  userText
} from "./OpenAiWire.js"
import type { ProviderTimeouts } from "./Options.js"
import { type ClientBody, lastUserText, passthrough } from "./Passthrough.js"
import { type GatewayReply, jsonError } from "./Reply.js"
import type { GatewaySnapshot } from "./State.js"

/**
 * `POST /v1/chat/completions` in OpenAI's shape: the agent target, the session key and the last user message are
 * read from the request, the chat turn (./ChatRoute.ts, programs/ChatTurn) does the rest. An OpenAI-shaped
 * provider gets the client's body as it came (§8.4); another shape gets it translated.
 */

/** A whole answer may take minutes; a stream must make progress within this long between reads. */
export const DEFAULT_TIMEOUTS: ProviderTimeouts = { completeMs: 300_000, streamIdleMs: 120_000 }

export interface ChatInput {
  readonly snapshot: GatewaySnapshot
  /** The body as received, and parsed. */
  readonly text: string
  readonly json: unknown
  readonly sessionKeyHeader: string | undefined
  readonly modelHeader: string | undefined
  readonly requestId: string
  readonly timeouts: ProviderTimeouts
}

const openAiWire = (completion: Omit<Completion, "model">, request: ChatRouting): ClientWire => ({
  shape: "openai-completions",
  error: (status, message, reason, code, headers) => jsonError(status, message, reason, code ?? reason, headers),
  commandReply: (text, model) => textReply({ ...completion, model }, text, request.stream, request.includeUsage),
  streamError: (reason, message) => sseData(errorBody(message, reason))
})

/** A chat command's answer; no model was called, so its usage (sent when the client asked) is zero. */
const textReply = (completion: Completion, text: string, stream: boolean, includeUsage: boolean): GatewayReply => {
  const usage: ChatUsage = { promptTokens: 0, completionTokens: 0 }
  if (!stream) return { _tag: "json", status: 200, body: completionBody(completion, { content: text, finishReason: "stop", usage }) }
  return {
    _tag: "sse",
    events: Stream.make(
      sseData(chunkBody(completion, { role: "assistant", content: "" })),
      sseData(chunkBody(completion, { content: text })),
      sseData(chunkBody(completion, {}, "stop")),
      ...(includeUsage ? [sseData(usageChunkBody(completion, usage))] : []),
      SSE_DONE
    )
  }
}

/**
 * `POST /v1/chat/completions` after access and body checks. Untraced: this runs once per proxied request, and
 * Effect.fn's call-site capture costs ~20 µs, more than the whole choice of credential (the gateway installs no tracer).
 */
export const chatCompletion = Effect.fnUntraced(function* (input: ChatInput, log: ChatLog) {
  const { snapshot } = input
  const routing = chatRouting(input.json)
  if (Either.isLeft(routing)) return jsonError(400, `Invalid chat completion request: ${routing.left}`, "invalid_request_error", "invalid_request")
  const request = routing.right
  const agentId = agentForTarget(request.model, snapshot)
  if (!knownAgent(snapshot, agentId)) {
    return jsonError(
      404,
      `The model "${request.model}" does not exist on this gateway. Use an agent target: ${agentTargets(snapshot).join(", ")}; choose the backend model with the x-openclaw-model header or the /model chat command.`,
      "invalid_request_error",
      "model_not_found"
    )
  }
  const sessionKey = input.sessionKeyHeader?.trim() || request.user?.trim() || undefined
  const problem = sessionKeyProblem(sessionKey)
  if (problem !== undefined) return jsonError(400, problem, "invalid_request_error", "invalid_value")

  const created = Math.floor((yield* Clock.currentTimeMillis) / 1000)
  const completion = { id: `chatcmpl-${input.requestId}`, created }
  const body: ClientBody = { text: input.text, json: input.json as Record<string, unknown>, messages: request.messages, userText, stream: request.stream }
  const attempts: Attempts<Answer, Scope.Scope> = (apis) => {
    const same = passthrough(body, {}, input.timeouts)
    if (!apis.has("anthropic-messages")) return Either.right(same)
    const other = translated(input, request, completion, snapshot.secrets)
    return Either.map(other, (call): ModelCall<Answer, Scope.Scope> => (client, target, auth, model) =>
      target.api === "openai-completions" ? same(client, target, auth, model) : call(client, target, auth, model)
    )
  }
  return yield* serveChat(
    openAiWire(completion, request),
    { snapshot, agentId, sessionKey, modelOverride: input.modelHeader, lastUserText: lastUserText(body), attempts },
    log
  )
})

/** For a provider of another shape: the request decoded and its text turns translated (commands left out). */
const translated = (
  input: ChatInput,
  routing: ChatRouting,
  completion: Omit<Completion, "model">,
  secrets: ReadonlyArray<string>
): Either.Either<ModelCall<Answer, Scope.Scope>, { message: string; code: string }> => {
  const decoded = decodeChatRequest(input.json)
  if (Either.isLeft(decoded)) return Either.left({ message: `Invalid chat completion request: ${decoded.left}`, code: "invalid_request" })
  const converted = toChatMessages(decoded.right.messages)
  if (Either.isLeft(converted)) return Either.left({ message: converted.left, code: "invalid_value" })
  const dropped = commandTurns(converted.right, (m: ChatMessage) => (m.role === "user" ? m.content : undefined), (m) => m.role === "assistant")
  const messages = dropped === undefined ? converted.right : converted.right.filter((_, i) => !dropped.has(i))
  const b = decoded.right
  const maxTokens = b.max_completion_tokens ?? b.max_tokens ?? undefined
  const request = (model: string): ChatRequest => ({
    model,
    messages,
    ...(maxTokens != null ? { maxTokens } : {}),
    ...(b.temperature != null ? { temperature: b.temperature } : {})
  })
  // A model id may hold text `${VAR}` put into the config: what reaches the client is redacted like any secret.
  const named = (model: Parameters<ModelCall<Answer>>[3]): Completion => ({ ...completion, model: redactSecrets(formatModelRef(model), secrets) })
  return Either.right((client, target, auth, model) =>
    routing.stream
      ? Effect.map(client.stream(target, auth, request(model.model), input.timeouts.streamIdleMs), (chunks): Answer => ({
          _tag: "events",
          events: sseEvents(named(model), chunks, routing.includeUsage)
        }))
      : Effect.map(client.complete(target, auth, request(model.model), input.timeouts.completeMs), (result): Answer => ({
          _tag: "json",
          body: completionBody(named(model), result)
        }))
  )
}

/** The provider's chunks as OpenAI chunks; a failure is left to the route, which ends the stream with an error event. */
const sseEvents = (completion: Completion, chunks: Stream.Stream<ChatChunk, ProviderError>, includeUsage: boolean): Stream.Stream<string, ProviderError> => {
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
  const tail = Stream.suspend(() => Stream.make(...(includeUsage && usage ? [sseData(usageChunkBody(completion, usage))] : []), SSE_DONE))
  return Stream.make(sseData(chunkBody(completion, { role: "assistant", content: "" }))).pipe(Stream.concat(body), Stream.concat(tail))
}
