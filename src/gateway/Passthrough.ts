import type * as Scope from "effect/Scope"
import { replaceTopLevelValue } from "../domain/JsonSplice.js"
import { commandTurns } from "../domain/ModelDirective.js"
import type { ModelCall } from "../programs/ChatTurn.js"
import type { ForwardRequest } from "../services/ProviderClient.js"
import type { Answer } from "./ChatRoute.js"
import type { ProviderTimeouts } from "./Options.js"

/**
 * Same shape, client and provider (§8.4): the body goes on as the client sent it but for `model` — and, only when
 * the history holds earlier chat commands (§8.3), without them and the gateway's answers to them. The provider's
 * answer comes back as it was sent (./ChatRoute.ts adds the headers).
 */

export interface ClientBody {
  /** The body's text as received. */
  readonly text: string
  readonly json: Record<string, unknown>
  /** `json.messages`, checked to be records by the route. */
  readonly messages: ReadonlyArray<Record<string, unknown>>
  /** A user message's text in this shape; undefined for other messages. */
  readonly userText: (m: Record<string, unknown>) => string | undefined
  readonly stream: boolean
}

/** The last user message's text, where a chat command would be. */
export const lastUserText = (body: Pick<ClientBody, "messages" | "userText">): string | undefined => {
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m = body.messages[i]!
    if (m.role === "user") return body.userText(m)
  }
  return undefined
}

/** The body for `model`: the text spliced (every other byte kept), or rewritten without earlier commands. */
export const bodyForModel = (body: ClientBody): ((model: string) => string) => {
  const dropped = commandTurns(body.messages, body.userText, (m) => m.role === "assistant")
  const messages = dropped === undefined ? undefined : body.messages.filter((_, i) => !dropped.has(i))
  // Failover tries the same model with several profiles: one body per model.
  let last: { readonly model: string; readonly text: string } | undefined
  return (model) => {
    if (last?.model === model) return last.text
    const text =
      (messages === undefined ? replaceTopLevelValue(body.text, "model", model) : undefined) ?? JSON.stringify({ ...body.json, model, ...(messages ? { messages } : {}) })
    last = { model, text }
    return text
  }
}

/** The attempt for a provider of the client's shape. */
export const passthrough = (
  body: ClientBody,
  headers: ForwardRequest["headers"],
  timeouts: ProviderTimeouts,
  endpoint: ForwardRequest["endpoint"] = "chat",
  betaEndpoint = false
): ModelCall<Answer, Scope.Scope> => {
  const forModel = bodyForModel(body)
  const timeoutMs = body.stream ? timeouts.streamIdleMs : timeouts.completeMs
  return (client, target, auth, model) =>
    client.forward(target, auth, { endpoint, body: forModel(model.model), stream: body.stream, headers, betaEndpoint }, timeoutMs)
}
