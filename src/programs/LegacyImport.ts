import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { setProfile } from "../domain/AuthStore.js"
import type { Credential } from "../domain/Credential.js"
import { type ExistingProfiles, importAuthJson, importOAuthJson, type LegacyImport } from "../domain/Legacy.js"
import type { AgentPaths, HostPaths } from "../domain/Paths.js"
import { Files } from "../services/Files.js"
import { readJsonDocument } from "../services/JsonDocument.js"
import { ProfileStore } from "../services/ProfileStore.js"

export const legacyAuthPath = (agent: AgentPaths): string => `${agent.agentDir}/auth.json`
/** The global OAuth file predates agents: it belongs to the default agent. */
export const legacyOAuthPath = (host: HostPaths): string => `${host.stateDir}/credentials/oauth.json`

export interface LegacyResult {
  readonly imported: ReadonlyArray<string>
  readonly removed: ReadonlyArray<string>
  /** One line each, for status and doctor: what was left in place and why. */
  readonly notices: ReadonlyArray<string>
}

const none: LegacyResult = { imported: [], removed: [], notices: [] }

/**
 * Imports legacy credential files into the agent's store on first use (§3.1). A legacy file is removed only
 * after the store holding everything it had was written; one that does not parse, has entries we cannot read, or
 * an entry whose id the store holds with another credential (§11: never delete what was not imported) stays where
 * it is and is reported.
 */
export const migrateLegacy = Effect.fn("Auth.migrateLegacy")(function* (host: HostPaths, agent: AgentPaths) {
  const files = yield* Files
  const sources: Array<{ path: string; read: (raw: unknown, existing: ExistingProfiles) => LegacyImport }> = [
    { path: legacyAuthPath(agent), read: importAuthJson },
    ...(agent.isDefault ? [{ path: legacyOAuthPath(host), read: importOAuthJson }] : [])
  ]
  const present = yield* Effect.filter(sources, (s) => Effect.map(files.stat(s.path), Option.isSome))
  if (present.length === 0) return none

  const [, { imported, complete, notices }] = yield* (yield* ProfileStore).update(agent.storePath, (doc) =>
    Effect.gen(function* () {
      const notices: Array<string> = []
      const imported: Array<string> = []
      const complete: Array<string> = []
      let raw = doc.raw
      // An entry the store cannot read still holds that id: a legacy credential must not replace it.
      const existing = new Map<string, Credential | undefined>(doc.store.skipped.map((s) => [s.profileId, undefined]))
      for (const [id, credential] of doc.store.profiles) existing.set(id, credential)
      for (const source of present) {
        const legacy = yield* Effect.either(readJsonDocument(files, source.path, "JSON"))
        if (legacy._tag === "Left") {
          notices.push(`legacy file ${source.path} was not imported: ${legacy.left.message}`)
          continue
        }
        const result = source.read(legacy.right.raw, existing)
        for (const [id, credential] of result.add) {
          raw = setProfile(raw, id, credential)
          existing.set(id, credential)
          imported.push(id)
        }
        for (const s of result.skipped) notices.push(`legacy file ${source.path}: entry ${s.key} was not imported: ${s.reason}`)
        for (const c of result.conflicts) {
          notices.push(
            `legacy file ${source.path}: entry ${c.key} was not imported: ${c.profileId} already holds another credential in ${agent.storePath}; the legacy file is kept. Fix: keep the one you want (openclaw models auth logout --profile-id ${c.profileId}, then run any openclaw command to import it), or delete ${source.path} by hand`
          )
        }
        if (result.skipped.length === 0 && result.conflicts.length === 0) complete.push(source.path)
      }
      return [imported.length === 0 ? doc.raw : raw, { imported, complete, notices }] as const
    })
  )
  // Only now is everything the complete files held safely in the store.
  for (const path of complete) yield* files.remove(path)
  if (imported.length > 0) notices.unshift(`imported legacy credentials into ${agent.storePath}: ${imported.join(", ")}`)
  return { imported, removed: complete, notices } satisfies LegacyResult
})
