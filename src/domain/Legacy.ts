import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import { type Credential, decodeCredentialEntry, encodeCredential } from "./Credential.js"
import { makeProfileId, type ProfileId } from "./ProfileId.js"
import { normalizeProvider } from "./Provider.js"

/** What a legacy file contributes to the store (§3.1), and what it could not. */
export interface LegacyImport {
  readonly add: ReadonlyArray<readonly [ProfileId, Credential]>
  /** Entries the store already holds as they are: nothing is lost by removing the legacy file. */
  readonly present: ReadonlyArray<ProfileId>
  /**
   * Entries whose id the store holds with another credential (or an entry it cannot read): the store wins, and
   * the legacy file must stay, since it holds the only copy of that credential.
   */
  readonly conflicts: ReadonlyArray<{ readonly key: string; readonly profileId: ProfileId }>
  readonly skipped: ReadonlyArray<{ readonly key: string; readonly reason: string }>
}

/** What the store holds under an id: a credential, or an entry it could not read (`undefined`). */
export type ExistingProfiles = ReadonlyMap<string, Credential | undefined>

const sameCredential = (a: Credential, b: Credential): boolean =>
  JSON.stringify(encodeCredential(a)) === JSON.stringify(encodeCredential(b))

const collect = (entries: ReadonlyArray<readonly [string, unknown]>, existing: ExistingProfiles): LegacyImport => {
  const add: Array<readonly [ProfileId, Credential]> = []
  const present: Array<ProfileId> = []
  const conflicts: Array<{ key: string; profileId: ProfileId }> = []
  const skipped: Array<{ key: string; reason: string }> = []
  // The store as it will be, so two legacy entries for one id are compared with each other too.
  const held = new Map(existing)
  for (const [key, entry] of entries) {
    Either.match(decodeCredentialEntry(entry), {
      onLeft: (reason) => skipped.push({ key, reason }),
      onRight: (credential) => {
        const id = makeProfileId(credential.provider, "default")
        const current = held.get(id)
        if (!held.has(id)) {
          add.push([id, credential])
          held.set(id, credential)
        } else if (current !== undefined && sameCredential(current, credential)) present.push(id)
        else conflicts.push({ key, profileId: id })
      }
    })
  }
  return { add, present, conflicts, skipped }
}

const notAnObject: LegacyImport = { add: [], present: [], conflicts: [], skipped: [{ key: "(file)", reason: "not a JSON object" }] }

/** `<agentDir>/auth.json`: a flat `{ provider: credential }` map → `<provider>:default`. */
export const importAuthJson = (raw: unknown, existing: ExistingProfiles): LegacyImport =>
  Predicate.isRecord(raw)
    ? collect(
        Object.entries(raw).map(([provider, c]) => [provider, Predicate.isRecord(c) ? { provider, ...c } : c] as const),
        existing
      )
    : notAnObject

/** `<state>/credentials/oauth.json`: `{ provider: { access, refresh, expires } }` → oauth `<provider>:default`. */
export const importOAuthJson = (raw: unknown, existing: ExistingProfiles): LegacyImport =>
  Predicate.isRecord(raw)
    ? collect(
        Object.entries(raw).map(
          ([provider, c]) => [provider, Predicate.isRecord(c) ? { ...c, type: "oauth", provider: normalizeProvider(provider) } : c] as const
        ),
        existing
      )
    : notAnObject
