import type { EnvSecretProvider } from "./SecretProviders.js"
import { type SecretRef, secretRefKey } from "./SecretRef.js"

/** What became of one ref. `reason` says what is wrong and how to fix it, never a value. */
export type Resolution =
  | { readonly _tag: "Resolved"; readonly value: string }
  | { readonly _tag: "Unresolved"; readonly reason: string }
  /** An exec ref asked of a caller that may not run commands (`secrets audit` without `--allow-exec`). */
  | { readonly _tag: "NotRun"; readonly reason: string }

export const resolved = (value: string): Resolution => ({ _tag: "Resolved", value })
export const unresolved = (reason: string): Resolution => ({ _tag: "Unresolved", reason })

/** An env ref: pure, the same in every layer. Missing or empty is unresolved (§9). */
export const resolveEnvRef = (
  provider: EnvSecretProvider,
  ref: SecretRef,
  env: (name: string) => string | undefined
): Resolution => {
  if (provider.allowlist !== undefined && !provider.allowlist.includes(ref.id)) {
    return unresolved(`${ref.id} is not in the allowlist of secrets provider "${ref.provider}"`)
  }
  const value = env(ref.id)
  if (value === undefined) return unresolved(`${ref.id} is not set (set it in the environment or in <state>/.env)`)
  if (value.trim() === "") return unresolved(`${ref.id} is set but empty`)
  return resolved(value)
}

/** A ref where a file holds it: `file` is the path, `path` the JSON path in it (`models.providers.openai.apiKey`). */
export interface LocatedRef {
  readonly file: string
  readonly path: string
  readonly ref: SecretRef
}

/**
 * The refs a snapshot (one command's AuthContext, one gateway generation) found, and what each resolved to. Built
 * once, when the snapshot is built (§9); every reader asks it, nobody resolves again.
 */
export interface SecretSnapshot {
  readonly refs: ReadonlyArray<LocatedRef>
  readonly resolutions: ReadonlyMap<string, Resolution>
}

export const emptySecretSnapshot: SecretSnapshot = { refs: [], resolutions: new Map() }

export const resolutionOf = (snapshot: SecretSnapshot, ref: SecretRef): Resolution =>
  snapshot.resolutions.get(secretRefKey(ref)) ?? unresolved("it was not resolved when this snapshot was built")

/** The resolved value, if it resolved. */
export const resolvedValue = (snapshot: SecretSnapshot, ref: SecretRef): string | undefined => {
  const r = resolutionOf(snapshot, ref)
  return r._tag === "Resolved" ? r.value : undefined
}

/** Every ref that did not resolve, with why. */
export const unresolvedRefs = (snapshot: SecretSnapshot): ReadonlyArray<LocatedRef & { readonly reason: string }> =>
  snapshot.refs.flatMap((located) => {
    const r = resolutionOf(snapshot, located.ref)
    return r._tag === "Resolved" ? [] : [{ ...located, reason: r.reason }]
  })
