/**
 * The contract between the live ProviderClient and one adapter per API shape (./anthropic.ts, ./openai.ts): how to
 * build the HTTP call and how to read its answer. Its own module, so adapters and client do not import each other.
 */
import type * as Either from "effect/Either"
import type { ProviderAuth, ProviderTarget } from "../../domain/Chat.js"
import type { StreamDecoder as CodecStreamDecoder } from "../../domain/chat/Codec.js"
import type { ChatAnswer, ChatRequest, StreamEvent, Unsupported } from "../../domain/chat/Model.js"
import type { SseEvent } from "./sse.js"

export interface HttpCall {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface StreamStep<T = StreamEvent> {
  readonly chunks: ReadonlyArray<T>
  /** The provider said it is finished (or failed): nothing after this counts. */
  readonly done: boolean
  readonly error?: { readonly message: string; readonly status?: number }
}

/**
 * Stateful per stream: turns SSE events into canonical stream events (the codec's decoder), or — for a
 * passthrough (./passthrough.ts) — into the frames it hands on.
 */
export interface StreamDecoder<T = StreamEvent> {
  readonly onEvent: (event: SseEvent) => StreamStep<T>
  /** The body ended without the provider's end marker: the final step when it still told us how it finished. */
  readonly onEnd: () => StreamStep<T> | undefined
}

export interface ProviderAdapter {
  /** The request in the provider's shape (`request.stream` says which answer to ask for); Unsupported when it cannot carry it. */
  readonly buildCall: (target: ProviderTarget, auth: ProviderAuth, request: ChatRequest) => Either.Either<HttpCall, Unsupported>
  readonly decodeResult: (body: unknown) => ChatAnswer | undefined
  readonly streamDecoder: () => StreamDecoder
}

/** A codec's stream decoder in the client's terms (events as the chunks it pulls). */
export const fromCodecDecoder = (decoder: CodecStreamDecoder): StreamDecoder => ({
  onEvent: (event) => {
    const step = decoder.onEvent(event)
    return { chunks: step.events, done: step.done, ...(step.error === undefined ? {} : { error: step.error }) }
  },
  onEnd: () => {
    const step = decoder.onEnd()
    return step === undefined ? undefined : { chunks: step.events, done: step.done, ...(step.error === undefined ? {} : { error: step.error }) }
  }
})
