import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
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
  /**
   * Fails before the first chunk when the provider answers with an error status, so the caller can fail over.
   * The request stays open at most as long as the scope: closing it aborts a stream that was never run to its end.
   */
  readonly stream: (
    target: ProviderTarget,
    auth: ProviderAuth,
    request: ChatRequest,
    timeoutMs: number
  ) => Effect.Effect<Stream.Stream<ChatChunk, ProviderError>, ProviderError, Scope.Scope>
}

export class ProviderClient extends Context.Tag("openclaw/ProviderClient")<ProviderClient, ProviderClientShape>() {}
