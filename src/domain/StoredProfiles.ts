import type { AuthStore } from "./AuthStore.js"
import { type Credential, credentialSecret } from "./Credential.js"
import { credentialExpiry, type Expiry } from "./Expiry.js"
import { maskSecret } from "./Mask.js"
import type { Unavailable } from "./Order.js"
import type { ProfileId } from "./ProfileId.js"

/** One stored profile as the reports show it (`models auth list`, `models status`): secret masked, expiry at `now`. */
export interface StoredProfileRow {
  readonly profileId: ProfileId
  readonly credential: Credential
  /** The secret's mask, or `(empty)`. */
  readonly secret: string
  readonly expiry: Expiry
}

/** Every stored profile in store order. */
export const storedProfileRows = (store: AuthStore, now: number): ReadonlyArray<StoredProfileRow> =>
  [...store.profiles].map(([profileId, credential]) => {
    const secret = credentialSecret(credential)
    return { profileId, credential, secret: secret ? maskSecret(secret) : "(empty)", expiry: credentialExpiry(credential, now) }
  })

/** `cooldown`, `disabled` or `disabled:<reason>`: how every report names an unavailable profile. */
export const unavailableLabel = (reason: Unavailable["reason"], disabledReason: string | undefined): string =>
  reason === "disabled" && disabledReason ? `disabled:${disabledReason}` : reason
