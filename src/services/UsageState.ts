import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { setLastGood, setUsageStats, type UsageStats } from "../domain/AuthStore.js"
import type { StoreError } from "../domain/Errors.js"
import type { ProfileId } from "../domain/ProfileId.js"
import type { ProviderId } from "../domain/Provider.js"
import { ProfileStore, type StoreDocument } from "./ProfileStore.js"
import { serviceLayer } from "./LayerInOrder.js"

/** Whose usage: an agent (the shared key, the same on every host) and its store on this host. */
export interface UsageTarget {
  readonly agentId: string
  readonly storePath: string
}

export interface UsageUpdated {
  /** The profile's stats as written (undefined: none left). */
  readonly stats: UsageStats | undefined
  /** The store document written, when the state lives in the store file (the gateway patches its snapshot with it). */
  readonly doc: StoreDocument | undefined
}

/**
 * Per-profile usage state (cooldowns, counters, lastUsed) and `lastGood` (§5.3): one port, two layers chosen at the
 * edge by `gateway.state.backend` (§10). The file layer keeps them in the agent's `auth-profiles.json`, as OpenClaw
 * does; the Redis layer shares them between gateways. Every update is atomic against concurrent ones: a failure
 * counted by two processes at once is counted twice.
 */
export interface UsageStateShape {
  /** The store document with the usage state of this backend in it (the file layer: as it is). */
  readonly view: (target: UsageTarget, doc: StoreDocument) => Effect.Effect<StoreDocument>
  /** `view` without waiting, where the backend holds the state at hand (the file layer); the gateway's lane needs it. */
  readonly viewNow?: (target: UsageTarget, doc: StoreDocument) => StoreDocument
  /**
   * Applies `f` to the profile's current stats atomically, and sets `lastGood[provider]` to it in the same step when
   * `lastGood` is given.
   */
  readonly update: (
    target: UsageTarget,
    profileId: ProfileId,
    f: (current: UsageStats) => UsageStats | undefined,
    lastGood?: ProviderId
  ) => Effect.Effect<UsageUpdated, StoreError>
  /** Applies `f` to every profile's stats for which it returns a change (`undefined`: no change): the ids changed. */
  readonly clear: (
    target: UsageTarget,
    f: (profileId: ProfileId, current: UsageStats) => ((s: UsageStats) => UsageStats | undefined) | undefined
  ) => Effect.Effect<ReadonlyArray<ProfileId>, StoreError>
}

export class UsageState extends Context.Tag("openclaw/UsageState")<UsageState, UsageStateShape>() {
  /** In the store file, under its lock (§3.3): today's behaviour, the default. */
  static readonly file = serviceLayer(
    UsageState,
    Effect.map(ProfileStore, (profiles) => fileUsageState(profiles))
  )
}

export const fileUsageState = (profiles: Context.Tag.Service<ProfileStore>): UsageStateShape => ({
  view: (_target, doc) => Effect.succeed(doc),
  viewNow: (_target, doc) => doc,
  update: (target, profileId, f, lastGood) =>
    Effect.map(
      profiles.update(target.storePath, (doc) => {
        let stats: UsageStats | undefined
        const raw = setUsageStats(doc.raw, profileId, (current) => (stats = f(current)))
        return Effect.succeed([lastGood === undefined ? raw : setLastGood(raw, lastGood, profileId), stats] as const)
      }),
      ([doc, stats]): UsageUpdated => ({ stats, doc })
    ),
  clear: (target, f) =>
    Effect.map(
      profiles.update(target.storePath, (doc) => {
        const changed: Array<ProfileId> = []
        let raw = doc.raw
        for (const [id, stats] of Object.entries(doc.store.usageStats)) {
          const change = f(id as ProfileId, stats)
          if (change === undefined) continue
          changed.push(id as ProfileId)
          raw = setUsageStats(raw, id as ProfileId, change)
        }
        return Effect.succeed([raw, changed] as const)
      }),
      ([, changed]) => changed
    )
})
