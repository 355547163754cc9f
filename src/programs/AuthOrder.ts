import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { setOrder } from "../domain/AuthStore.js"
import { ProfileNotFoundError, ProfileProviderMismatchError } from "../domain/AuthErrors.js"
import type { ProfileId } from "../domain/ProfileId.js"
import { ProfileStore } from "../services/ProfileStore.js"
import { agentBeneath, checkedProvider, loadAuthContext } from "./AuthContext.js"

export interface OrderView {
  readonly agentId: string
  readonly provider: string
  readonly authFile: string
  /** OpenClaw 2026.3.31's keys for the agent's directory and its store (same meaning as `authFile`). */
  readonly agentDir: string
  readonly authStorePath: string
  readonly order: ReadonlyArray<string> | null
}

const view = (
  ctx: { agent: { agentId: string; agentDir: string; storePath: string } },
  provider: string,
  order: ReadonlyArray<string> | undefined
): OrderView => ({
  agentId: ctx.agent.agentId,
  provider,
  authFile: ctx.agent.storePath,
  agentDir: ctx.agent.agentDir,
  authStorePath: ctx.agent.storePath,
  order: order ?? null
})

/** `models auth order get` (§6.2). */
export const getOrder = Effect.fn("Auth.order.get")(function* (providerInput: string, agent: string | undefined) {
  const ctx = yield* loadAuthContext(agent)
  const provider = yield* checkedProvider(ctx, providerInput)
  return view(ctx, provider, ctx.store.store.order[provider])
})

/**
 * `models auth order set` (§6.2): every id must exist in the store this agent sees (its own, and for a sub-agent the
 * main agent's underneath) and belong to the provider. Both are read again inside the lock on its own store, so a
 * concurrent logout there cannot slip a dangling id in.
 */
export const setProfileOrder = Effect.fn("Auth.order.set")(function* (
  providerInput: string,
  ids: ReadonlyArray<string>,
  agent: string | undefined
) {
  const ctx = yield* loadAuthContext(agent)
  const provider = yield* checkedProvider(ctx, providerInput)
  const unique = [...new Set(ids.map((id) => id.trim()))] as Array<ProfileId>
  const profiles = yield* ProfileStore
  // A sub-agent orders the main agent's profiles too: it sees them underneath its own (§3.1), as auth list shows.
  const beneath = yield* agentBeneath(ctx.config, ctx.agent)
  const [doc] = yield* profiles.update(ctx.agent.storePath, (doc) =>
    Effect.gen(function* () {
      const main = Option.isSome(beneath) && unique.some((id) => !doc.store.profiles.has(id)) ? (yield* profiles.load(beneath.value.storePath)).store : undefined
      for (const id of unique) {
        const credential = doc.store.profiles.get(id) ?? main?.profiles.get(id)
        if (credential === undefined) return yield* new ProfileNotFoundError({ profileId: id, agentDir: ctx.agent.agentDir })
        if (credential.provider !== provider) {
          return yield* new ProfileProviderMismatchError({ profileId: id, actual: credential.provider, expected: provider })
        }
      }
      return [setOrder(doc.raw, provider, unique), undefined] as const
    })
  )
  return view(ctx, provider, doc.store.order[provider])
})

/** `models auth order clear` (§6.2). */
export const clearProfileOrder = Effect.fn("Auth.order.clear")(function* (providerInput: string, agent: string | undefined) {
  const ctx = yield* loadAuthContext(agent)
  const provider = yield* checkedProvider(ctx, providerInput)
  // Decided on the store as read inside the lock: "Cleared" only when there was an override to clear.
  const [, hadOverride] = yield* (yield* ProfileStore).update(ctx.agent.storePath, (doc) =>
    Effect.succeed([setOrder(doc.raw, provider, undefined), doc.store.order[provider] !== undefined] as const)
  )
  return { ...view(ctx, provider, undefined), hadOverride }
})
