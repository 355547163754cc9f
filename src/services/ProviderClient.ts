import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type { ProviderAuth, ProviderError, ProviderTarget } from "../domain/Chat.js"
import type { StreamDecoder } from "../domain/chat/Codec.js"
import type { ChatAnswer, ChatRequest, StreamEvent } from "../domain/chat/Model.js"

/**
 * Calls a model provider in its own API shape (Anthropic Messages or OpenAI Chat Completions): `complete` and
 * `stream` take the canonical request (domain/chat) and give the canonical answer or stream events; the codec of
 * the provider's shape translates. The gateway and `models status --probe` use the same adapters.
 */
/**
 * A client's request for a provider of the client's own wire shape (§8.4): the body goes as the client sent it
 * (`model` already replaced by the caller); the adapter adds the URL and the credential headers.
 */
export interface ForwardRequest {
  /** The shape's chat endpoint, or Anthropic's `/v1/messages/count_tokens`. */
  readonly endpoint: "chat" | "count_tokens"
  readonly body: string
  /** The client asked for a stream (what to accept; the body itself says so to the provider). */
  readonly stream: boolean
  /** Client headers that pass through (`anthropic-version`, `anthropic-beta`), lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** Anthropic: the client called the beta endpoint (`?beta=true`, as the SDK's beta client and Claude Code do). */
  readonly betaEndpoint?: boolean
  /**
   * A body translated for a provider of another shape: its stream's events become the client's frames through
   * this (per stream); without it each event is handed on as it came.
   */
  readonly translate?: () => EventMapper
}

/** Stateful per stream: a provider's SSE events → the client's SSE frames. */
export type EventMapper = StreamDecoder<string>

/** The provider's own answer: its body's bytes, or its stream's events as SSE frames (one string per event). */
export type Forwarded =
  | { readonly _tag: "body"; readonly status: number; readonly contentType: string; readonly body: Uint8Array }
  | { readonly _tag: "events"; readonly events: Stream.Stream<string | Uint8Array, ProviderError> }

/** A same-shape stream, pushed: `start` hands its chunks to the sink as they arrive (services/providers/pump.ts). */
export interface PushedEvents {
  readonly _tag: "push"
  readonly start: (sink: StreamSink<Uint8Array>) => Pumping
}

export interface StreamSink<T> {
  /** Chunks to hand on; false when the client's buffer is full: the body waits for `resume`. */
  readonly chunks: (chunks: ReadonlyArray<T>) => boolean
  /** The provider finished its stream. */
  readonly end: () => void
  /** The stream broke (the provider's error event, a transport error, the deadline, an event over the limit). */
  readonly fail: (error: ProviderError) => void
}

export interface Pumping {
  /** The client took what it was given: read on. */
  readonly resume: () => void
  /** Stops for good (the client hung up, or the gateway is shutting down): the request is aborted. */
  readonly stop: () => void
}

export interface ProviderClientShape {
  /** A whole answer (`request.stream` is ignored). */
  readonly complete: (
    target: ProviderTarget,
    auth: ProviderAuth,
    request: ChatRequest,
    timeoutMs: number
  ) => Effect.Effect<ChatAnswer, ProviderError>
  /**
   * The answer's events, `start` first and `finish` last (`request.stream` is ignored). Fails before the first
   * event when the provider answers with an error status, so the caller can fail over.
   * The request stays open at most as long as the scope: closing it aborts a stream that was never run to its end.
   */
  readonly stream: (
    target: ProviderTarget,
    auth: ProviderAuth,
    request: ChatRequest,
    timeoutMs: number
  ) => Effect.Effect<Stream.Stream<StreamEvent, ProviderError>, ProviderError, Scope.Scope>
  /**
   * The same-shape passthrough (§8.4), with `complete`'s and `stream`'s limits, deadlines, abort and error
   * classification: an error status fails before anything is returned (so the caller can fail over); a stream's
   * events pass one by one, and an error event or an end before the provider's end marker fails the stream.
   */
  readonly forward: (
    target: ProviderTarget,
    auth: ProviderAuth,
    request: ForwardRequest,
    timeoutMs: number
  ) => Effect.Effect<Forwarded, ProviderError, Scope.Scope>
  /**
   * `forward` without a fiber: the gateway's lane for the plainest request (src/gateway/Lane.ts) calls it once per
   * request. Same limits, deadlines, classification and scrubbing; a stream comes pushed. `done` is called once,
   * never after the returned abort. Undefined — the caller uses `forward` — where it cannot be done so: a
   * translation, before the first call has loaded node:http, or a client without it (test doubles).
   */
  readonly forwardNow?: (
    target: ProviderTarget,
    auth: ProviderAuth,
    request: ForwardRequest,
    timeoutMs: number,
    done: (outcome: Either.Either<Extract<Forwarded, { _tag: "body" }> | PushedEvents, ProviderError>) => void
  ) => (() => void) | undefined
}

export class ProviderClient extends Context.Tag("openclaw/ProviderClient")<ProviderClient, ProviderClientShape>() {}
