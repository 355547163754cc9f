import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { ProviderError } from "../domain/Chat.js"
import { formatModelRef } from "../domain/Config.js"
import { fallbackNote } from "../domain/ChatFailure.js"
import { classifyFailure } from "../domain/Failure.js"
import { jsonStrings } from "../domain/JsonStrings.js"
import type { ApiShape } from "../domain/Provider.js"
import { type Attempts, chatTurn, type TriedFirst } from "../programs/ChatTurn.js"
import type { Served } from "../programs/Failover.js"
import type { StoreDocument } from "../services/ProfileStore.js"
import { catchEnd } from "../services/PullStream.js"
import { redactSecrets } from "../services/SecretRegistry.js"
import { headerValue } from "./Headers.js"
import type { GatewayReply } from "./Reply.js"
import type { GatewaySnapshot } from "./Snapshot.js"
import { GatewayState } from "./State.js"

/**
 * The HTTP side of a chat turn, whatever the client's wire shape (OpenAI Chat Completions in ./ChatCompletions.ts,
 * Anthropic Messages in ./Messages.ts): the turn itself is programs/ChatTurn; a route says how its shape writes
 * errors, command answers and a stream's last error event, and how one attempt calls the model.
 */

/** What the access log says about a chat request: ids and outcomes only, never content or secrets. */
export interface ChatLog {
  agent?: string
  model?: string
  profile?: string
  attempts?: string
  command?: string
}

/** The access log's line for a request: method, path, status, time, address, then the ChatLog's fields. */
export const accessLine = (method: string, path: string, status: number, ms: number, address: string, log: ChatLog): string => {
  let details = ""
  for (const k in log) details += ` ${k}=${log[k as keyof ChatLog]}`
  return `${method} ${path} ${status} ${ms}ms ${address}${details}`
}

/** The client's session key: the header's, else the body's own (OpenAI `user`, Anthropic `metadata.user_id`). */
export const sessionKeyOf = (headerValue: string | undefined, bodyValue: string | undefined): string | undefined =>
  headerValue?.trim() || bodyValue?.trim() || undefined

/** A served answer, already in the client's shape; the route adds only its `x-openclaw-*` headers. */
export type Answer =
  /** The provider's own bytes (same shape, §8.4). */
  | { readonly _tag: "body"; readonly status: number; readonly contentType: string; readonly body: Uint8Array }
  /** A translated answer. */
  | { readonly _tag: "json"; readonly body: unknown }
  /** SSE frames, or a same-shape provider's own bytes; a failure after the first ends the stream with the shape's error event. */
  | { readonly _tag: "events"; readonly events: Stream.Stream<string | Uint8Array, ProviderError> }

export interface ClientWire {
  readonly shape: ApiShape
  /** An error in the client's shape; `reason` is the classified reason or the gateway's own error type. */
  readonly error: (status: number, message: string, reason: string, code?: string, headers?: Record<string, string>) => GatewayReply
  /** The gateway's answer to a chat command, as a whole answer or a stream (as the client asked). */
  readonly commandReply: (text: string, model: string) => GatewayReply
  /** The SSE frame that ends a stream which failed after it started (§8.4). */
  readonly streamError: (reason: string, message: string) => string
}

export interface ChatRouteInput {
  /** The snapshot current when the request arrived: the whole request is served from it. */
  readonly snapshot: GatewaySnapshot
  /** An agent the snapshot knows (loaded or failed to load). */
  readonly agentId: string
  readonly sessionKey: string | undefined
  /** A model chosen for this request only (`x-openclaw-model`). */
  readonly modelOverride: string | undefined
  /** The backend model the body names (Anthropic clients). */
  readonly requestModel?: string | undefined
  readonly lastUserText: string | undefined
  readonly attempts: Attempts<Answer, Scope.Scope>
  /** What the client sent (body and headers): echoed back to it as sent, never through the scrubber (domain/Scrub). */
  readonly clientText: Iterable<string>
  /** The gateway's lane already called the model, and failed (./Lane.ts). */
  readonly triedFirst?: TriedFirst | undefined
}

/**
 * What the client sent that the gateway may echo back to it: the body, the headers it reads and passes on, and —
 * only when the scrubber found something and asks — every string of the parsed body, decoded and lower-cased too (a
 * JSON escape or a provider name's lower-casing must not turn the client's own text into a `<redacted>`, §11).
 */
export const clientText = (input: ClientInput): Iterable<string> => new ClientText(input)

interface ClientInput {
  readonly text: string
  readonly json: unknown
  readonly modelHeader: string | undefined
  readonly sessionKeyHeader: string | undefined
  readonly headers?: Readonly<Record<string, string>>
}

/** A class, not an object literal with a generator method: made once per request, and most are never iterated. */
class ClientText implements Iterable<string> {
  private decoded: Array<string> | undefined
  constructor(private readonly input: ClientInput) {}
  *[Symbol.iterator]() {
    const input = this.input
    yield input.text
    if (input.modelHeader !== undefined) yield* [input.modelHeader, input.modelHeader.toLowerCase()]
    if (input.sessionKeyHeader !== undefined) yield input.sessionKeyHeader
    if (input.headers !== undefined) yield* Object.values(input.headers)
    yield* (this.decoded ??= jsonStrings(input.json))
  }
}

/** `known` and one more text, without iterating `known` now. */
const alsoKnown = (known: Iterable<string>, more: string): Iterable<string> => ({
  *[Symbol.iterator]() {
    yield more
    yield* known
  }
})

const MAX_SESSION_KEY = 256

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

export const knownAgent = (snapshot: GatewaySnapshot, agentId: string | undefined): agentId is string =>
  agentId !== undefined && (snapshot.agents.has(agentId) || snapshot.agentErrors.has(agentId))

/** The session key's problem, if it has one. */
export const sessionKeyProblem = (key: string | undefined): string | undefined =>
  key !== undefined && key.length > MAX_SESSION_KEY ? `The session key is longer than ${MAX_SESSION_KEY} characters.` : undefined

/**
 * The turn (a chat command, or the model call with failover) and its outcome in the client's shape. Untraced: this
 * runs once per proxied request, and Effect.fn's call-site capture costs ~20 µs, more than the whole choice of
 * credential (the gateway installs no tracer).
 */
export const serveChat = Effect.fnUntraced(function* (wire: ClientWire, input: ChatRouteInput, log: ChatLog) {
  const state = yield* GatewayState
  const { agentId, snapshot } = input
  log.agent = agentId
  const ctx = snapshot.agents.get(agentId)
  if (ctx === undefined) {
    return wire.error(503, `Agent ${agentId} is unavailable: ${snapshot.agentErrors.get(agentId)?.message}`, "unavailable")
  }
  const outcome = yield* chatTurn(
    {
      agentId,
      ctx,
      lastUserText: input.lastUserText,
      sessionKey: input.sessionKey,
      modelOverride: input.modelOverride,
      requestModel: input.requestModel,
      refreshStores: (reason: string) => Effect.map(state.refreshStores(reason), (fresh) => fresh.agents.get(agentId)),
      // Cooldowns and usage the failover writes go into the snapshot as written: the next request sees them, unread.
      storeWritten: (doc: StoreDocument) => Effect.asVoid(state.storeWritten(doc)),
      triedFirst: input.triedFirst
    },
    input.attempts
  )
  // The client's own text, and its model from an earlier request (the session's), go back to it as it sent them.
  const known = outcome._tag === "Refused" || outcome.clientModel === undefined ? input.clientText : alsoKnown(input.clientText, outcome.clientModel)
  switch (outcome._tag) {
    case "Refused":
      return wire.error(outcome.refusal.status ?? 400, outcome.refusal.message, "invalid_request_error", outcome.refusal.code)
    case "Command":
      log.command = outcome.kind
      return wire.commandReply(redactSecrets(outcome.text, snapshot.secrets, known), `openclaw/${agentId}`)
    case "Failed": {
      // The verdict (domain/ChatFailure, §8.5) as it is: status, classified reason, code, profiles tried, fix.
      const { error } = outcome
      log.attempts = error.reason
      // The fresh snapshot's secrets (a token refreshed on the way) are scrubbed too.
      const secrets = (yield* state.current).secrets
      const headers: Record<string, string> = error.retryAfterSeconds === undefined ? {} : { "retry-after": String(error.retryAfterSeconds) }
      return wire.error(error.status, redactSecrets(error.message, secrets, known), error.reason, error.code, headers)
    }
    case "Served": {
      const served = outcome.served
      const model = formatModelRef(served.model)
      logServed(served, redactSecrets(model, snapshot.secrets), log)
      return servedReply(wire, served, model, snapshot.secrets, known)
    }
  }
})

/** The access log names the model and profile that served, and every attempt before. */
export const logServed = (served: Pick<Served<unknown>, "profileId" | "attempts">, model: string, log: ChatLog): void => {
  log.model = model
  if (served.profileId) log.profile = served.profileId
  // A profile left out because it was cooling down is marked so: it was not called.
  log.attempts = served.attempts.map((a) => `${a.profileId ?? a.model}:${a.skippedUntil === undefined ? "" : "skipped-"}${a.outcome}`).join(",")
}

/** `model`: the ref that served, formatted; `known`: the client's own text (echoed as sent). */
export const servedHeaders = (served: Pick<Served<unknown>, "profileId" | "attempts">, model: string, secrets: ReadonlyArray<string>, known: Iterable<string>): Record<string, string> => {
  const fallback = fallbackNote(served.attempts, model)
  const headers: Record<string, string> = { "x-openclaw-model": headerValue(redactSecrets(model, secrets, known)) }
  if (served.profileId) headers["x-openclaw-profile"] = headerValue(served.profileId)
  // A fallback model served: the models before it and why they did not (§8.5).
  if (fallback) headers["x-openclaw-fallback"] = headerValue(redactSecrets(fallback, secrets, known))
  return headers
}

const servedReply = (wire: ClientWire, served: Served<Answer>, model: string, secrets: ReadonlyArray<string>, known: Iterable<string>): GatewayReply => {
  const headers = servedHeaders(served, model, secrets, known)
  const answer = served.value
  switch (answer._tag) {
    case "body":
      return { _tag: "raw", status: answer.status, contentType: answer.contentType, body: answer.body, headers }
    case "json":
      return { _tag: "json", status: 200, body: answer.body, headers }
    case "events":
      return { _tag: "sse", events: endWithError(wire, served, answer.events, secrets, known), headers }
  }
}

/**
 * Failover is over once the provider answered; an error after that ends the stream with an error event in the
 * client's shape (the official clients raise it), recorded first as the serving profile's failure (§8.4).
 */
const endWithError = (
  wire: ClientWire,
  served: Served<unknown>,
  events: Stream.Stream<string | Uint8Array, ProviderError>,
  secrets: ReadonlyArray<string>,
  known: Iterable<string>
): Stream.Stream<string | Uint8Array> =>
  catchEnd(events, (error) => {
    const { reason } = classifyFailure(error)
    const message = redactSecrets(`The provider failed mid-answer: ${error.problem}`, secrets, known)
    return Effect.as(Effect.zipRight(Effect.logWarning(`stream ended early: ${reason}`), served.recordFailure(error)), [wire.streamError(reason, message)])
  })
