import { type AuthStore, lastRefreshFailed } from "./AuthStore.js"
import { firstControlCharacter } from "./ControlCharacters.js"
import { type Credential, credentialRef, credentialSecret } from "./Credential.js"
import { shellArg } from "./Doctor.js"
import { credentialExpiry, type Expiry } from "./Expiry.js"
import { maskSecret } from "./Mask.js"
import type { Unavailable } from "./Order.js"
import type { ProfileId } from "./ProfileId.js"
import type { ProviderId } from "./Provider.js"
import { type SecretRef, secretRefLabel } from "./SecretRef.js"

/** One stored profile as the reports show it (`models auth list`, `models status`): secret masked, expiry at `now`. */
export interface StoredProfileRow {
  readonly profileId: ProfileId
  readonly credential: Credential
  /** The secret's mask, or `(empty)`; for a ref that did not resolve, `(unresolved)`. */
  readonly secret: string
  /** Where a ref-backed secret comes from (§9). */
  readonly ref?: SecretRef
  readonly expiry: Expiry
}

/** `ref env:OPENAI_API_KEY`, when the row's secret comes from a ref. */
export const rowSource = (row: StoredProfileRow): string | undefined => (row.ref === undefined ? undefined : secretRefLabel(row.ref))

/** Every stored profile in store order. */
export const storedProfileRows = (store: AuthStore, now: number): ReadonlyArray<StoredProfileRow> => {
  // A loop over the map, not a spread of its entries first: a store may hold 20,000 profiles.
  const rows: Array<StoredProfileRow> = []
  for (const [profileId, credential] of store.profiles) {
    const secret = credentialSecret(credential)
    const ref = credentialRef(credential)
    const expiry = credentialExpiry(credential, now, lastRefreshFailed(store.usageStats[profileId]))
    if (ref === undefined) rows.push({ profileId, credential, secret: secret ? maskSecret(secret) : "(empty)", expiry })
    else rows.push({ profileId, credential, secret: secret ? maskSecret(secret) : "(unresolved)", ref, expiry })
  }
  return rows
}

/** `cooldown`, `disabled` or `disabled:<reason>`: how every report names an unavailable profile. */
export const unavailableLabel = (reason: Unavailable["reason"], disabledReason: string | undefined): string =>
  reason === "disabled" && disabledReason ? `disabled:${disabledReason}` : reason

/** The free-text fields of a profile: shown to the user (labels, lists), but naming nothing, so they stay usable. */
const TEXT_FIELDS = ["email", "accountId", "clientId"] as const
export type TextField = (typeof TEXT_FIELDS)[number]

/** A profile whose free-text field holds a control character (§11): printed escaped, and reported so it gets fixed. */
export interface FlaggedProfile {
  readonly profileId: ProfileId
  readonly provider: ProviderId
  readonly field: TextField
  /** `email contains an ESC (a control character); it is shown escaped`. */
  readonly reason: string
  /** Sign in again (OAuth) or edit the field; the store file is the caller's to name. */
  readonly fix: string
}

/** The label flag of a profile with control characters in `field`, next to `[cooldown 5m]`. */
export const flagLabel = (field: TextField): string => `[${field} has control characters]`

/**
 * Every stored profile whose email, account id or client id holds a control character, one entry per field. An id
 * or a provider with one makes the entry skipped instead (decodeAuthStore): those name records, headers and log
 * lines, while these are only shown.
 */
export const flaggedProfiles = (store: AuthStore): ReadonlyArray<FlaggedProfile> => {
  const found: Array<FlaggedProfile> = []
  for (const [profileId, credential] of store.profiles) {
    for (const field of TEXT_FIELDS) {
      const value = (credential as { readonly [K in TextField]?: unknown })[field]
      const control = typeof value === "string" ? firstControlCharacter(value) : undefined
      if (control === undefined) continue
      const edit = `edit its "${field}" in the auth store`
      found.push({
        profileId,
        provider: credential.provider,
        field,
        reason: `${field} contains ${control.name} (a control character); it is shown escaped`,
        fix:
          credential.type === "oauth"
            ? `sign in again (openclaw models auth login --provider ${shellArg(credential.provider)}), or ${edit}`
            : edit
      })
    }
  }
  return found
}
