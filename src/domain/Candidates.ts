import type { AuthStore } from "./AuthStore.js"
import type { OpenClawConfig } from "./Config.js"
import { type ProfileOrder, profileOrder, whyUnusable } from "./Order.js"
import { type ProfileId, providerOfProfileId } from "./ProfileId.js"
import type { ProviderId } from "./Provider.js"
import { type Session, sessionCandidates } from "./Session.js"

/**
 * Who is tried for one model, in turn (§5.3): the session's user pin alone when it names this provider, else the
 * sticky profile first, then the agent's order without the profiles cooling down. The failover (programs/Failover)
 * walks it; the gateway's lane (src/gateway/Lane.ts) takes its first candidate. One function, so both choose alike.
 */
export interface ModelCandidates {
  /** The session's user pin names this provider: it is the only candidate, whatever its state. */
  readonly pinned: boolean
  /** Why the pin cannot be used (no usable credential), when it cannot. */
  readonly pinUnusable: boolean
  readonly order: ProfileOrder
  readonly candidates: ReadonlyArray<ProfileId>
}

export const modelCandidates = (
  store: AuthStore,
  config: OpenClawConfig,
  provider: ProviderId,
  session: Session | undefined,
  now: number
): ModelCandidates => {
  const pin = session?.userPin
  const pinned = pin !== undefined && (store.profiles.get(pin)?.provider ?? providerOfProfileId(pin)) === provider
  const pinUnusable = pinned && whyUnusable(config, provider, pin, store.profiles.get(pin), now) !== undefined
  const order = profileOrder(store, config, provider, now)
  const cooling = new Set(order.unavailable.map((u) => u.profileId))
  const available = order.candidates.filter((id) => !cooling.has(id))
  return { pinned, pinUnusable, order, candidates: pinned ? [pin] : sessionCandidates(session, available) }
}
