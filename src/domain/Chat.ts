import * as Schema from "effect/Schema"
import type * as Redacted from "effect/Redacted"
import type { ApiShape, ProviderId } from "./Provider.js"
import { ExplainedError } from "./Errors.js"

/* The chat itself — requests, answers, stream events — is the canonical model of ./chat/Model.ts. */

/** Where and how to call a provider. */
export interface ProviderTarget {
  readonly provider: ProviderId
  readonly api: ApiShape
  readonly baseUrl: string
  /** Extra headers from `models.providers.<p>.headers`. */
  readonly headers: Readonly<Record<string, string>>
  /** The most an answer, or one event of a stream, may hold (`gateway.limits.maxProviderBodyBytes`, §8.6). */
  readonly maxBodyBytes: number
}

/**
 * The credential as a request carries it. Anthropic: an API key goes in `x-api-key`; a token or OAuth access
 * token goes in `Authorization: Bearer` with the OAuth beta header. OpenAI-shaped APIs: always Bearer.
 */
export interface ProviderAuth {
  readonly kind: "api_key" | "token" | "none"
  readonly secret: Redacted.Redacted<string> | undefined
}

/** A provider call that failed: the HTTP status and the provider's own error text, classified later (§5.3). */
export class ProviderError extends ExplainedError("ProviderError", {
  provider: Schema.String,
  /**
   * `format`: the answer was not one we can take (larger than the configured limit). `local`: the gateway itself
   * could not make the call (out of file descriptors or memory): nothing the provider or the credential did.
   */
  kind: Schema.Literal("http", "network", "timeout", "format", "local"),
  status: Schema.optional(Schema.Number),
  /** The provider's error message (its `error.message`), never a secret of ours. */
  detail: Schema.String,
  /** From `Retry-After` (seconds or an HTTP date), in ms. */
  retryAfterMs: Schema.optional(Schema.Number),
  /** What the provider's message said by §5.3's rules, read before its quotes of the request were taken out. */
  said: Schema.optional(Schema.Literal("auth", "format", "rate_limit", "billing", "timeout", "unknown", "claude_code_only"))
}) {
  get problem(): string {
    const status = this.status === undefined ? "" : ` (HTTP ${this.status})`
    return `${this.provider} request failed${status}: ${this.detail.replace(/\.$/, "")}`
  }
  // Classified later (§5.3): the failover and the probe say the fix that fits the class of failure.
  get fix(): undefined {
    return undefined
  }
}
