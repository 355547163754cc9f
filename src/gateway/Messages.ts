import * as Clock from "effect/Clock"
import { userText } from "../domain/chat/Codec.js"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import { escapeControl } from "../domain/Untrusted.js"
import type { Attempts } from "../programs/ChatTurn.js"
import { anthropicError, errorBody, messagesRouting, sseEvent, textReply } from "./AnthropicWire.js"
import { agentForTarget, agentTargets, type Answer, type ChatLog, clientText, type ClientWire, knownAgent, serveChat, sessionKeyOf, sessionKeyProblem } from "./ChatRoute.js"
import type { ProviderTimeouts } from "./Options.js"
import { type ClientBody, lastUserText, passthrough } from "./Passthrough.js"
import type { GatewayReply } from "./Reply.js"
import type { GatewaySnapshot } from "./Snapshot.js"
import { attemptsFor } from "./Translate.js"

/**
 * `POST /v1/messages` and `POST /v1/messages/count_tokens` in Anthropic's shape (§8.2), for Anthropic clients —
 * the official SDK and Claude Code. The same chat turn as chat completions; an Anthropic provider gets the
 * client's body as it came (§8.4), with the client's `anthropic-version`/`anthropic-beta`; an OpenAI-shaped one gets
 * it translated (./Translate.ts).
 */

export interface MessagesInput {
  readonly snapshot: GatewaySnapshot
  readonly text: string
  readonly json: unknown
  readonly endpoint: "chat" | "count_tokens"
  readonly sessionKeyHeader: string | undefined
  readonly modelHeader: string | undefined
  /** `anthropic-version` and `anthropic-beta` as the client sent them (lower-case names). */
  readonly headers: Readonly<Record<string, string>>
  /** The client called `…?beta=true`: so does a same-shape provider call. */
  readonly betaEndpoint: boolean
  readonly requestId: string
  readonly timeouts: ProviderTimeouts
}

const anthropicWire = (id: string, stream: boolean): ClientWire => ({
  shape: "anthropic-messages",
  error: (status, message, _reason, code, headers) => anthropicError(status, message, code, headers),
  commandReply: (text, model) => textReply(id, model, text, stream),
  // The event names no status: the type the classified reason stands for (the SDK raises it by type).
  streamError: (reason, message) => sseEvent("error", errorBody(reason === "rate_limit" ? 429 : reason === "timeout" ? 504 : 500, message, reason))
})

const countRefusal = (model: string) => ({
  status: 404,
  code: "count_tokens_unavailable",
  message: `Token counting is not available for ${model}: its provider speaks the OpenAI Chat Completions API, which has no count_tokens endpoint (only Anthropic's Messages API counts tokens).`
})

/**
 * The request after access and body checks. `model` is an agent target (`openclaw`, `openclaw/<agent>`: the agent's
 * model) or a backend model for the default agent: a bare id means `anthropic/<id>`, a `provider/model` ref or an
 * alias as in the config. Untraced: once per proxied request.
 */
export const messages = Effect.fnUntraced(function* (input: MessagesInput, log: ChatLog) {
  const { snapshot } = input
  const counting = input.endpoint === "count_tokens"
  const routing = messagesRouting(input.json)
  if (Either.isLeft(routing)) return anthropicError(400, `Invalid ${counting ? "count_tokens" : "messages"} request: ${routing.left}`, "invalid_request")
  const request = routing.right
  const target = agentForTarget(request.model, snapshot)
  const agentId = target ?? snapshot.defaultAgentId
  if (!knownAgent(snapshot, agentId)) {
    return anthropicError(404, `The agent of "${escapeControl(request.model.slice(0, 200))}" does not exist on this gateway. Agent targets: ${agentTargets(snapshot).join(", ")}; or name a backend model.`, "model_not_found")
  }
  const sessionKey = sessionKeyOf(input.sessionKeyHeader, request.userId)
  const problem = sessionKeyProblem(sessionKey)
  if (problem !== undefined) return anthropicError(400, problem, "invalid_value")

  const stream = request.stream && !counting
  // Counting is not a chat turn: the body is counted as sent, commands and all.
  const body: ClientBody = { text: input.text, json: input.json as Record<string, unknown>, messages: request.messages, userText: counting ? () => undefined : userText, stream }
  const same = passthrough(body, input.headers, input.timeouts, input.endpoint, input.betaEndpoint)
  const id = `msg_${input.requestId}`
  const created = Math.floor((yield* Clock.currentTimeMillis) / 1000)
  // Token counting exists only in Anthropic's API: OpenAI-shaped models are not asked.
  const attempts: Attempts<Answer, Scope.Scope> = counting
    ? () => ({ call: same, refused: new Map([["openai-completions", countRefusal(request.model)]]) })
    : attemptsFor("anthropic-messages", same, { client: "anthropic", json: input.json, id, created, secrets: snapshot.secrets, timeouts: input.timeouts })
  const reply: GatewayReply = yield* serveChat(
    anthropicWire(id, stream),
    {
      snapshot,
      agentId,
      sessionKey,
      modelOverride: input.modelHeader,
      // The body names a backend model, unless it named an agent.
      requestModel: target === undefined ? request.model : undefined,
      lastUserText: lastUserText(body),
      attempts,
      clientText: clientText(input)
    },
    log
  )
  return reply
})
