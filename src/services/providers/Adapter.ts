/**
 * The contract between the live ProviderClient and one adapter per API shape (./anthropic.ts, ./openai.ts): how to
 * build the HTTP call and how to read its answer. Its own module, so adapters and client do not import each other.
 */
import type { ChatChunk, ChatRequest, ChatResult, ProviderAuth, ProviderTarget } from "../../domain/Chat.js"
import type { SseEvent } from "./sse.js"

export interface HttpCall {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface StreamStep<T = ChatChunk> {
  readonly chunks: ReadonlyArray<T>
  /** The provider said it is finished (or failed): nothing after this counts. */
  readonly done: boolean
  readonly error?: { readonly message: string; readonly status?: number }
}

/**
 * Stateful per stream: turns SSE events into chunks; the last chunk carries the finish reason and usage. A
 * passthrough's decoder (./passthrough.ts) turns them into the frames it hands on.
 */
export interface StreamDecoder<T = ChatChunk> {
  readonly onEvent: (event: SseEvent) => StreamStep<T>
  /** The body ended without the provider's end marker: the final step when it still told us how it finished. */
  readonly onEnd: () => StreamStep<T> | undefined
}

export interface ProviderAdapter {
  readonly buildCall: (target: ProviderTarget, auth: ProviderAuth, request: ChatRequest, stream: boolean) => HttpCall
  readonly decodeResult: (body: unknown) => ChatResult | undefined
  readonly streamDecoder: () => StreamDecoder
}
