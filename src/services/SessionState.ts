import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { StoreError } from "../domain/Errors.js"
import type { Session } from "../domain/Session.js"

/**
 * The gateway's chat sessions (§8.3): one port, two layers chosen at the edge by `gateway.state.backend` (§10) —
 * this host's `<state>/gateway/sessions.json` (./SessionStore.ts) or a shared Redis (./redis/RedisSessions.ts), so a
 * client whose requests land on several gateways keeps its model and pins.
 */
export interface SessionStateShape {
  readonly get: (key: string) => Effect.Effect<Session | undefined>
  /**
   * Remembers the session (a write may be scheduled, never awaited by the request). `automatic`: the gateway's own
   * choice (the profile a session sticks to), not the user's (`/model`, `/new`): a shared layer may let another
   * gateway's word stand over it.
   */
  readonly set: (key: string, state: Session, options?: { readonly automatic?: boolean }) => Effect.Effect<void>
  /** Writes pending changes now. */
  readonly flush: Effect.Effect<void, StoreError>
  /** Sessions held locally (the file layer's count; a shared layer counts its local fallback). */
  readonly size: Effect.Effect<number>
}

export class SessionState extends Context.Tag("openclaw/SessionState")<SessionState, SessionStateShape>() {}
