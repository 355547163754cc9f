import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { FailureLimiter, type FailureLimiterOptions } from "../domain/FailureLimiter.js"

/**
 * The limit on wrong gateway tokens per address (§8.2): one port, two layers chosen at the edge by
 * `gateway.state.backend` (§10) — this process's memory, or a window every gateway sharing Redis counts in.
 */
export interface TokenLimiterShape {
  /** A wrong token from `address`: how long it must wait when it has used up its tries (nothing counted then), else counted. */
  readonly wrongToken: (address: string, now: number) => Effect.Effect<number | undefined>
}

export class TokenLimiter extends Context.Tag("openclaw/TokenLimiter")<TokenLimiter, TokenLimiterShape>() {
  static readonly memory = (options: FailureLimiterOptions = {}) => Layer.sync(TokenLimiter, () => memoryTokenLimiter(options))
}

export const memoryTokenLimiter = (options: FailureLimiterOptions = {}): TokenLimiterShape & { readonly limiter: FailureLimiter } => {
  const limiter = new FailureLimiter(options)
  return {
    limiter,
    wrongToken: (address, now) =>
      Effect.sync(() => {
        const blocked = limiter.blockedFor(address, now)
        if (blocked === undefined) limiter.recordFailure(address, now)
        return blocked
      })
  }
}
