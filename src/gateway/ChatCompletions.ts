import * as Clock from "effect/Clock"
import { userText } from "../domain/chat/Codec.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { answerEvents } from "../domain/chat/Events.js"
import { escapeControl } from "../domain/Untrusted.js"
import { type ChatAnswer, emptyUsage } from "../domain/chat/Model.js"
import { openaiCodec } from "../domain/chat/openai/Codec.js"
import { agentForTarget, agentTargets, type ChatLog, clientText, type ClientWire, knownAgent, serveChat, sessionKeyOf, sessionKeyProblem } from "./ChatRoute.js"
import { type ChatRouting, chatRouting, type Completion, errorBody, sseData } from "./OpenAiWire.js"
import type { ProviderTimeouts } from "./Options.js"
import { type ClientBody, lastUserText, passthrough } from "./Passthrough.js"
import type { TriedFirst } from "../programs/ChatTurn.js"
import { type GatewayReply, jsonError } from "./Reply.js"
import type { GatewaySnapshot } from "./Snapshot.js"
import { attemptsFor } from "./Translate.js"

/**
 * `POST /v1/chat/completions` in OpenAI's shape: the agent target, the session key and the last user message are
 * read from the request, the chat turn (./ChatRoute.ts, programs/ChatTurn) does the rest. An OpenAI-shaped
 * provider gets the client's body as it came (§8.4); another shape gets it translated (./Translate.ts).
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
  /** The gateway's lane already called the model, and failed (./Lane.ts). */
  readonly triedFirst?: TriedFirst | undefined
}

const openAiWire = (completion: Omit<Completion, "model">, request: ChatRouting): ClientWire => ({
  shape: "openai-completions",
  error: (status, message, reason, code, headers) => jsonError(status, message, reason, code ?? reason, headers),
  commandReply: (text, model) => textReply({ ...completion, model }, text, request.stream, request.includeUsage),
  streamError: (reason, message) => sseData(errorBody(message, reason))
})

/** A chat command's answer; no model was called, so its usage (sent when the client asked) is zero. */
const textReply = (completion: Completion, text: string, stream: boolean, includeUsage: boolean): GatewayReply => {
  const answer: ChatAnswer = { ...completion, parts: [{ type: "text", text }], toolCalls: [], finishReason: "stop", usage: emptyUsage }
  if (!stream) return { _tag: "json", status: 200, body: openaiCodec.encodeAnswer(answer) }
  const encoder = openaiCodec.streamEncoder({ includeUsage })
  return { _tag: "sse", events: Stream.fromIterable([...answerEvents(answer).flatMap(encoder.onEvent), ...encoder.end()]) }
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
      `The model "${escapeControl(request.model.slice(0, 200))}" does not exist on this gateway. Use an agent target: ${agentTargets(snapshot).join(", ")}; choose the backend model with the x-openclaw-model header or the /model chat command.`,
      "invalid_request_error",
      "model_not_found"
    )
  }
  const sessionKey = sessionKeyOf(input.sessionKeyHeader, request.user)
  const problem = sessionKeyProblem(sessionKey)
  if (problem !== undefined) return jsonError(400, problem, "invalid_request_error", "invalid_value")

  const created = Math.floor((yield* Clock.currentTimeMillis) / 1000)
  const completion = { id: `chatcmpl-${input.requestId}`, created }
  const body: ClientBody = { text: input.text, json: input.json as Record<string, unknown>, messages: request.messages, userText, stream: request.stream }
  const attempts = attemptsFor("openai-completions", passthrough(body, {}, input.timeouts), {
    client: "openai",
    json: input.json,
    ...completion,
    secrets: snapshot.secrets,
    timeouts: input.timeouts
  })
  return yield* serveChat(
    openAiWire(completion, request),
    { snapshot, agentId, sessionKey, modelOverride: input.modelHeader, lastUserText: lastUserText(body), attempts, clientText: clientText(input), triedFirst: input.triedFirst },
    log
  )
})
