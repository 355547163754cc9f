/**
 * The contract between the live ProviderClient and one adapter per API shape (./anthropic.ts, ./openai.ts): how to
 * build the HTTP call and how to read its answer. Its own module, so adapters and client do not import each other.
 */
import type * as Either from "effect/Either"
import type { ProviderAuth, ProviderTarget } from "../../domain/Chat.js"
import type { StreamDecoder } from "../../domain/chat/Codec.js"
import type { ChatAnswer, ChatRequest, Unsupported } from "../../domain/chat/Model.js"

export interface HttpCall {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface ProviderAdapter {
  /** The request in the provider's shape (`request.stream` says which answer to ask for); Unsupported when it cannot carry it. */
  readonly buildCall: (target: ProviderTarget, auth: ProviderAuth, request: ChatRequest) => Either.Either<HttpCall, Unsupported>
  readonly decodeResult: (body: unknown) => ChatAnswer | undefined
  readonly streamDecoder: () => StreamDecoder
}
