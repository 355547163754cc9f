import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { ProviderError } from "../domain/Chat.js"
import { parseJson, type StreamStep } from "../domain/chat/Codec.js"
import { codecFor, shapeOfApi } from "../domain/chat/Codecs.js"
import { type ChatAnswer, type ChatRequest, type Message, type StreamEvent, textOf, type WireShape } from "../domain/chat/Model.js"
import { formatModelRef } from "../domain/Config.js"
import { commandTurns } from "../domain/ModelDirective.js"
import type { ApiShape } from "../domain/Provider.js"
import type { Attempts, ModelCall, Refusal } from "../programs/ChatTurn.js"
import type { EventMapper } from "../services/ProviderClient.js"
import { redactSecrets } from "../services/SecretRegistry.js"
import type { Answer } from "./ChatRoute.js"
import type { ProviderTimeouts } from "./Options.js"

/**
 * Across shapes (§8.4): the client's body decoded into the canonical model (domain/chat) once, encoded for each
 * provider shape the turn may call, and refused with a 400 naming the field when either step cannot carry it —
 * before any provider is called. The provider's answer comes back through the canonical model in the client's
 * shape, a stream event by event. The answer is the gateway's (its id, the model ref that served).
 */

export interface TranslateInput {
  readonly client: WireShape
  readonly json: unknown
  /** The answer's id in the client's shape (`chatcmpl-…`, `msg_…`) and its `created` (seconds). */
  readonly id: string
  readonly created: number
  readonly secrets: ReadonlyArray<string>
  readonly timeouts: ProviderTimeouts
}

const refusal = (u: { readonly field: string; readonly message: string }): Refusal => ({
  code: "untranslatable",
  // The codecs' messages mostly name the field already.
  message: u.field === "" || u.message.startsWith(u.field) ? u.message : `${u.field}: ${u.message}`
})

/** Earlier chat commands and their answers are left out, as the passthrough does (§8.3). */
const withoutCommands = (request: ChatRequest): ChatRequest => {
  const dropped = commandTurns(request.messages, (m: Message) => (m.role === "user" ? textOf(m.parts) : undefined), (m) => m.role === "assistant")
  return dropped === undefined ? request : { ...request, messages: request.messages.filter((_, i) => !dropped.has(i)) }
}

/**
 * The attempts for a client of shape `input.client`: a provider of the same API gets the body as it came (`same`),
 * another gets it translated; a shape the request cannot be translated to is refused (its models are not tried).
 */
export const attemptsFor =
  (clientApi: ApiShape, same: ModelCall<Answer, Scope.Scope>, input: TranslateInput): Attempts<Answer, Scope.Scope> =>
  (apis) => {
    let other = false
    for (const api of apis) if (api !== clientApi) other = true
    if (!other) return { call: same }
    const { call, refused } = translated(input, apis)
    return {
      call: (client, target, auth, model) => (target.api === clientApi || call === undefined ? same : call)(client, target, auth, model),
      refused
    }
  }

/** The attempt for providers of another shape than the client's, and the shapes that cannot carry the request. */
const translated = (
  input: TranslateInput,
  apis: ReadonlySet<ApiShape>
): { readonly call: ModelCall<Answer, Scope.Scope> | undefined; readonly refused: ReadonlyMap<ApiShape, Refusal> } => {
  const refused = new Map<ApiShape, Refusal>()
  const others = [...apis].filter((api) => shapeOfApi(api) !== input.client)
  const decoded = codecFor(input.client).decodeRequest(input.json)
  if (Either.isLeft(decoded)) {
    for (const api of others) refused.set(api, refusal(decoded.left))
    return { call: undefined, refused }
  }
  const request = withoutCommands(decoded.right)
  const bodies = new Map<WireShape, Record<string, unknown>>()
  for (const api of others) {
    const shape = shapeOfApi(api)
    const encoded = codecFor(shape).encodeRequest(request)
    if (Either.isLeft(encoded)) refused.set(api, refusal(encoded.left))
    else bodies.set(shape, encoded.right)
  }
  if (bodies.size === 0) return { call: undefined, refused }
  const clientCodec = codecFor(input.client)
  const call: ModelCall<Answer, Scope.Scope> = (client, target, auth, model) => {
    const shape = shapeOfApi(target.api)
    const providerCodec = codecFor(shape)
    // A model id may hold text `${VAR}` put into the config: what reaches the client is redacted like any secret —
    // unless the id is the client's own text, which goes back as it was sent (domain/Scrub, `known`).
    const id = formatModelRef(model)
    const head = { id: input.id, model: redactSecrets(id, input.secrets, model.byClient ? [id] : undefined), created: input.created }
    const body = JSON.stringify({ ...bodies.get(shape), model: model.model })
    const stream = request.stream
    return Effect.flatMap(
      client.forward(
        target,
        auth,
        { endpoint: "chat", body, stream, headers: {}, translate: () => streamMapper(shape, input.client, head, request.includeUsage === true) },
        stream ? input.timeouts.streamIdleMs : input.timeouts.completeMs
      ),
      (forwarded): Effect.Effect<Answer, ProviderError> => {
        if (forwarded._tag === "events") return Effect.succeed(forwarded)
        const answer = providerCodec.decodeAnswer(parseJson(new TextDecoder().decode(forwarded.body)))
        if (answer === undefined) {
          return Effect.fail(new ProviderError({ provider: target.provider, kind: "http", status: forwarded.status, detail: "unexpected response from the provider: no completion in the body" }))
        }
        const ours: ChatAnswer = { ...answer, ...head }
        // A provider that answered a stream request with one JSON answer: the client still gets the stream it asked for.
        if (stream) return Effect.succeed({ _tag: "events", events: replay(ours, input.client, request.includeUsage === true) })
        return Effect.succeed({ _tag: "json", body: clientCodec.encodeAnswer(ours) })
      }
    )
  }
  return { call, refused }
}

/** Provider events → canonical → the client's frames; the start carries the gateway's id, model ref and time. */
const streamMapper = (provider: WireShape, client: WireShape, head: { readonly id: string; readonly model: string; readonly created: number }, includeUsage: boolean): EventMapper => {
  const decoder = codecFor(provider).streamDecoder()
  const encoder = codecFor(client).streamEncoder({ includeUsage })
  const frames = (step: StreamStep): StreamStep<string> => {
    const out: Array<string> = []
    for (const event of step.events) out.push(...encoder.onEvent(event.type === "start" ? { ...event, ...head } : event))
    if (step.done && step.error === undefined) out.push(...encoder.end())
    return { events: out, done: step.done, ...(step.error === undefined ? {} : { error: step.error }) }
  }
  return {
    onEvent: (event) => frames(decoder.onEvent(event)),
    onEnd: () => {
      const last = decoder.onEnd()
      return last === undefined ? undefined : frames(last)
    }
  }
}

/** A whole answer as the events of a stream, in the client's shape. */
const replay = (answer: ChatAnswer, client: WireShape, includeUsage: boolean) => {
  const encoder = codecFor(client).streamEncoder({ includeUsage })
  const events: Array<StreamEvent> = [{ type: "start", id: answer.id, model: answer.model, ...(answer.created === undefined ? {} : { created: answer.created }) }]
  const text = textOf(answer.parts)
  if (text !== "") events.push({ type: "text", delta: text })
  answer.toolCalls.forEach((call, index) => {
    events.push({ type: "tool_call_start", index, id: call.id, name: call.name })
    if (call.arguments !== "") events.push({ type: "tool_call_delta", index, argumentsDelta: call.arguments })
  })
  events.push({ type: "finish", reason: answer.finishReason, usage: answer.usage })
  return Stream.fromIterable([...events.flatMap((e) => encoder.onEvent(e)), ...encoder.end()])
}
