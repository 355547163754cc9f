import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Data from "effect/Data"
import { setProfile } from "../domain/AuthStore.js"
import { registerProfile } from "../domain/ConfigEdits.js"
import type { Credential } from "../domain/Credential.js"
import type { ProfileId } from "../domain/ProfileId.js"
import { ConfigStore } from "../services/ConfigStore.js"
import { ProfileStore } from "../services/ProfileStore.js"
import type { AuthContext } from "./AuthContext.js"

export interface StoredProfile {
  readonly profileId: ProfileId
  readonly credential: Credential
  /** The agent's explicit order for this provider, when it exists and does not list the new profile. */
  readonly orderWithout: ReadonlyArray<string> | undefined
}

/**
 * Registers a credential in the config (§3.2) and writes it into the agent's store, each under its own lock.
 * The config is rewritten only when something in it changes.
 */
export const storeCredential = Effect.fn("Auth.storeCredential")(function* (
  ctx: AuthContext,
  profileId: ProfileId,
  credential: Credential
) {
  // Config first: if we are killed in between, the config lists a profile the store lacks, which status shows as
  // "listed but not in the store"; the other way round the new profile would be silently left out (§5.1).
  const configs = yield* ConfigStore
  const [, registered] = yield* configs.update((raw) => {
    const next = registerProfile(raw, profileId, credential.provider, credential.type)
    return Effect.succeed(deepEqual(next, raw) ? ([raw, undefined] as const) : ([next, { before: raw, after: next }] as const))
  })
  const [doc] = yield* (yield* ProfileStore).update(ctx.agent.storePath, (doc) =>
    Effect.succeed([setProfile(doc.raw, profileId, credential), undefined] as const)
  ).pipe(
    // The store refused the write (its lock held, a full disk): the config goes back as it was, or a profile listed
    // there and stored nowhere would take the place of the provider's working ones (§5.1). Unless someone changed it since.
    Effect.tapError(() =>
      registered === undefined
        ? Effect.void
        : Effect.ignore(configs.update((raw) => Effect.succeed([deepEqual(raw, registered.after) ? registered.before : raw, undefined] as const)))
    )
  )
  const order = doc.store.order[credential.provider]
  return {
    profileId,
    credential,
    orderWithout: order !== undefined && !order.includes(profileId) ? order : undefined
  } satisfies StoredProfile
})

const toData = (u: unknown): unknown =>
  Array.isArray(u)
    ? Data.array(u.map(toData))
    : typeof u === "object" && u !== null
      ? Data.struct(Object.fromEntries(Object.entries(u).map(([k, v]) => [k, toData(v)])))
      : u

const deepEqual = (a: unknown, b: unknown): boolean => Equal.equals(toData(a), toData(b))
