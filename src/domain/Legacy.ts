import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import { type Credential, decodeCredentialEntry } from "./Credential.js"
import { makeProfileId, type ProfileId } from "./ProfileId.js"
import { normalizeProvider } from "./Provider.js"

/** What a legacy file contributes to the store (§3.1), and what it could not. */
export interface LegacyImport {
  readonly add: ReadonlyArray<readonly [ProfileId, Credential]>
  /** Entries already present under the same id: the store wins, nothing is lost by removing the legacy file. */
  readonly present: ReadonlyArray<ProfileId>
  readonly skipped: ReadonlyArray<{ readonly key: string; readonly reason: string }>
}


const collect = (
  entries: ReadonlyArray<readonly [string, unknown]>,
  existing: ReadonlySet<string>
): LegacyImport => {
  const add: Array<readonly [ProfileId, Credential]> = []
  const present: Array<ProfileId> = []
  const skipped: Array<{ key: string; reason: string }> = []
  for (const [key, entry] of entries) {
    Either.match(decodeCredentialEntry(entry), {
      onLeft: (reason) => skipped.push({ key, reason }),
      onRight: (credential) => {
        const id = makeProfileId(credential.provider, "default")
        if (existing.has(id) || add.some(([a]) => a === id)) present.push(id)
        else add.push([id, credential])
      }
    })
  }
  return { add, present, skipped }
}

/** `<agentDir>/auth.json`: a flat `{ provider: credential }` map → `<provider>:default`. */
export const importAuthJson = (raw: unknown, existing: ReadonlySet<string>): LegacyImport =>
  Predicate.isRecord(raw)
    ? collect(
        Object.entries(raw).map(([provider, c]) => [provider, Predicate.isRecord(c) ? { provider, ...c } : c] as const),
        existing
      )
    : { add: [], present: [], skipped: [{ key: "(file)", reason: "not a JSON object" }] }

/** `<state>/credentials/oauth.json`: `{ provider: { access, refresh, expires } }` → oauth `<provider>:default`. */
export const importOAuthJson = (raw: unknown, existing: ReadonlySet<string>): LegacyImport =>
  Predicate.isRecord(raw)
    ? collect(
        Object.entries(raw).map(
          ([provider, c]) => [provider, Predicate.isRecord(c) ? { ...c, type: "oauth", provider: normalizeProvider(provider) } : c] as const
        ),
        existing
      )
    : { add: [], present: [], skipped: [{ key: "(file)", reason: "not a JSON object" }] }
