import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { ChatChunk, ChatRequest, ChatResult, ProviderAuth, ProviderError, ProviderTarget } from "../domain/Chat.js"

/**
 * Calls a model provider in its own API shape (Anthropic Messages or OpenAI Chat Completions). The gateway and
 * `models status --probe` use the same adapters.
 */
export interface ProviderClientShape {
  readonly complete: (
    target: ProviderTarget,
    auth: ProviderAuth,
    request: ChatRequest,
    timeoutMs: number
  ) => Effect.Effect<ChatResult, ProviderError>
  /** Fails before the first chunk when the provider answers with an error status, so the caller can fail over. */
  readonly stream: (
    target: ProviderTarget,
    auth: ProviderAuth,
    request: ChatRequest,
    timeoutMs: number
  ) => Effect.Effect<Stream.Stream<ChatChunk, ProviderError>, ProviderError>
}

export class ProviderClient extends Context.Tag("openclaw/ProviderClient")<ProviderClient, ProviderClientShape>() {}
