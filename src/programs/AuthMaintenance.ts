import * as Effect from "effect/Effect"
import { clearCooldown, hasCooldownState, holdsProfile, removeProfile } from "../domain/AuthStore.js"
import { ProfileNotFoundError } from "../domain/AuthErrors.js"
import { configReferences, unregisterProfile } from "../domain/ConfigEdits.js"
import { unavailableUntil } from "../domain/Order.js"
import type { ProfileId } from "../domain/ProfileId.js"
import { credentialSecret } from "../domain/Credential.js"
import { rowSource, storedProfileRows, unavailableLabel } from "../domain/StoredProfiles.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { ProfileStore } from "../services/ProfileStore.js"
import { checkedProvider, loadAuthContext } from "./AuthContext.js"
import { UsageState } from "../services/UsageState.js"
import { usageTarget, withUsageState } from "./UsageView.js"

export interface ProfileListEntry {
  readonly profileId: string
  readonly provider: string
  readonly type: string
  /** The masked secret; for a ref-backed profile its source instead (`ref env:OPENAI_API_KEY`, §9). */
  readonly secret: string
  /** Ref-backed profiles: whether the ref resolved when this list was made; null for plain secrets. */
  readonly refResolved: boolean | null
  readonly email: string | null
  readonly status: string
  readonly expiresAt: number | null
  readonly remainingMs: number | null
  readonly unavailable: { readonly reason: string; readonly until: number } | null
}

/** `models auth list` (§6.2): every stored profile, masked, with expiry and cooldown. */
export const listProfiles = Effect.fn("Auth.list")(function* (agent: string | undefined) {
  const ctx = yield* withUsageState(yield* loadAuthContext(agent))
  const { store } = ctx.store
  const profiles = storedProfileRows(store, ctx.now).map((row): ProfileListEntry => {
    const { profileId, credential: c, secret, expiry } = row
    const source = rowSource(row)
    const stats = store.usageStats[profileId]
    const reason = unavailableUntil(stats, ctx.now)
    return {
      profileId,
      provider: c.provider,
      type: c.type,
      secret: source ?? secret,
      refResolved: source === undefined ? null : credentialSecret(c) !== undefined,
      email: c.email ?? null,
      status: expiry.status,
      expiresAt: expiry.expiresAt ?? null,
      remainingMs: expiry.remainingMs ?? null,
      unavailable:
        reason === undefined
          ? null
          : {
              reason: unavailableLabel(reason, stats?.disabledReason),
              until: Math.max(stats?.cooldownUntil ?? 0, stats?.disabledUntil ?? 0)
            }
    }
  })
  return { agentId: ctx.agent.agentId, storePath: ctx.agent.storePath, now: ctx.now, profiles, skipped: store.skipped }
})

/**
 * `models auth logout` (§6.2): removes the profile and every reference to it (order, lastGood, usageStats, config).
 * A skipped (malformed) entry can be removed too, which is how a user gets rid of one.
 */
export const logout = Effect.fn("Auth.logout")(function* (profileIdInput: string, agent: string | undefined) {
  const profileId = profileIdInput.trim() as ProfileId
  const ctx = yield* loadAuthContext(agent)
  yield* (yield* ProfileStore).update(ctx.agent.storePath, (doc) => {
    return holdsProfile(doc.raw, profileId)
      ? Effect.succeed([removeProfile(doc.raw, profileId), undefined] as const)
      : Effect.fail(new ProfileNotFoundError({ profileId, agentDir: ctx.agent.agentDir }))
  })
  const config = yield* ConfigStore
  const configDoc = yield* config.load
  if (configReferences(configDoc.raw, profileId)) {
    yield* config.update((raw) => Effect.succeed([unregisterProfile(raw, profileId), undefined] as const))
  }
  return { profileId, storePath: ctx.agent.storePath }
})

/** `models auth cooldowns clear` (beyond §5.3): lifts cooldowns and billing disables by hand. */
export const clearCooldowns = Effect.fn("Auth.cooldowns.clear")(function* (
  filter: { readonly provider: string | undefined; readonly profileId: string | undefined },
  agent: string | undefined
) {
  const ctx = yield* loadAuthContext(agent)
  const provider = filter.provider === undefined ? undefined : yield* checkedProvider(ctx, filter.provider)
  const profileId = filter.profileId?.trim()
  if (profileId !== undefined && !ctx.store.store.profiles.has(profileId as ProfileId)) {
    return yield* new ProfileNotFoundError({ profileId, agentDir: ctx.agent.agentDir })
  }
  const profiles = ctx.store.store.profiles
  const cleared = yield* (yield* UsageState).clear(usageTarget(ctx), (id, stats) => {
    if (profileId !== undefined && id !== profileId) return undefined
    if (provider !== undefined && profiles.get(id)?.provider !== provider) return undefined
    return hasCooldownState(stats) ? clearCooldown : undefined
  })
  return { cleared: [...cleared], storePath: ctx.agent.storePath }
})
