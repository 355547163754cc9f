import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import type { AuthStore, JsonObject } from "./AuthStore.js"
import { ApiKeyCredential, type Credential, credentialRef, REF_FIELD, TokenCredential } from "./Credential.js"
import type { ProfileId } from "./ProfileId.js"
import { type LocatedRef, resolvedValue, type SecretSnapshot } from "./SecretResolution.js"

/**
 * SecretRefs in credential stores (§9): `profiles.<id>.keyRef` / `tokenRef`. Decoding keeps the ref and drops a
 * plain value beside it (domain/Credential); this module finds the refs, puts what a snapshot resolved them to into
 * the credentials — in memory only — and finds the plain residue a ref left behind.
 */

/** Every ref of a store's profiles, located in the file that holds the profile. */
export const storeRefs = (store: AuthStore, fileOf: (id: ProfileId) => string): ReadonlyArray<LocatedRef> => {
  const out: Array<LocatedRef> = []
  for (const [id, credential] of store.profiles) {
    const ref = credentialRef(credential)
    if (ref !== undefined && credential.type !== "oauth") {
      out.push({ file: fileOf(id), path: `profiles.${id}.${REF_FIELD[credential.type]}`, ref })
    }
  }
  return out
}

/** The credential with its secret as the snapshot has it: the resolved value, or none when the ref did not resolve. */
const materialize = (credential: ApiKeyCredential | TokenCredential, value: string | undefined): Credential => {
  const secret = value === undefined ? {} : { [credential.type === "api_key" ? "key" : "token"]: Redacted.make(value) }
  if (credential.type === "api_key") {
    const { key: _, ...rest } = credential
    return new ApiKeyCredential({ ...rest, ...secret }, true)
  }
  const { token: _, ...rest } = credential
  return new TokenCredential({ ...rest, ...secret }, true)
}

/**
 * The store as the snapshot resolved it: each ref-backed credential holds its resolved value (or, unresolved, no
 * secret, which makes it unusable: domain/Order). The ref stays on the credential, so reports name the source and
 * a write (domain/Credential's encodeCredential) stores the ref, never the value. A store without refs comes back
 * as it is, so the common case costs one pass and no copy.
 */
export const materializeStore = (store: AuthStore, snapshot: SecretSnapshot): AuthStore => {
  let profiles: Map<ProfileId, Credential> | undefined
  for (const [id, credential] of store.profiles) {
    if (credential.type === "oauth") continue
    const ref = credentialRef(credential)
    if (ref === undefined) continue
    profiles ??= new Map(store.profiles)
    profiles.set(id, materialize(credential, resolvedValue(snapshot, ref)))
  }
  return profiles === undefined ? store : { ...store, profiles }
}

/** A plain secret left in the file beside a ref (§9): unused (the ref wins), but still a secret in plain text. */
export interface PlainResidue {
  readonly profileId: string
  /** The plain field: `key`, `apiKey` or `token`. */
  readonly field: string
  /** The ref field beside it. */
  readonly refField: string
}

const PLAIN = [["keyRef", ["key", "apiKey"]], ["tokenRef", ["token"]]] as const

// A store may hold 20,000 profiles, few or none with a ref: a loop that allocates nothing per entry.
const residueOf = (raw: JsonObject, found: (profileId: string, field: string, refField: string, value: string) => void) => {
  const profiles = raw.profiles
  if (!Predicate.isRecord(profiles)) return
  for (const profileId in profiles) {
    if (!Object.hasOwn(profiles, profileId)) continue
    const entry = profiles[profileId]
    if (!Predicate.isRecord(entry) || (entry.keyRef === undefined && entry.tokenRef === undefined)) continue
    for (const [refField, fields] of PLAIN) {
      if (entry[refField] === undefined) continue
      for (const field of fields) {
        const value = entry[field]
        if (typeof value === "string" && value.trim() !== "") found(profileId, field, refField, value)
      }
    }
  }
}

/** Every plain value beside a ref in a raw store, by where it is (never the value). */
export const plainResidue = (raw: JsonObject): ReadonlyArray<PlainResidue> => {
  const out: Array<PlainResidue> = []
  residueOf(raw, (profileId, field, refField) => out.push({ profileId, field, refField }))
  return out
}

/** The residue values themselves: still secrets, so the registry masks them wherever they turn up. */
export const plainResidueValues = (raw: JsonObject): ReadonlyArray<string> => {
  const out: Array<string> = []
  residueOf(raw, (_p, _f, _r, value) => out.push(value))
  return out
}
