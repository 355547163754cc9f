import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import type { JsonObject } from "./AuthStore.js"
import { normalizeProvider } from "./Provider.js"
import type { ConfigTarget, StoreTarget } from "./SecretsPlan.js"
import { looksLikeSecretRef, type SecretRef } from "./SecretRef.js"

/**
 * The edits `secrets apply` makes (§9), pure and on the raw documents so every field it does not own survives:
 * a ref set where a plain value was, and the plain value it replaces gone from wherever else it lies.
 */

const asObject = (u: unknown): Record<string, unknown> => (Predicate.isRecord(u) ? { ...u } : {})

/** A plain value a ref replaces: a string that is not a `${VAR}` template (that one names a variable, not a secret). */
const plainValue = (u: unknown): string | undefined => (typeof u === "string" && u !== "" && !u.includes("${") ? u : undefined)

export interface Edited<A> {
  readonly raw: A
  /** The plain secret the ref replaced, if there was one. */
  readonly replaced: string | undefined
}

/**
 * Objects already copied for one batch of edits (one file, one apply): edited in place rather than copied again,
 * since copying a wide object (`models.providers`, `profiles`) once per target made a plan of N targets O(N²)
 * (10,000 targets ran for minutes). The documents passed in are never changed: only copies made here are.
 */
export type EditBatch = WeakSet<object>

export const editBatch = (): EditBatch => new WeakSet()

/** `u` itself when this batch copied it, else a copy of it (an empty object for anything but an object). */
const owned = (batch: EditBatch, u: unknown): Record<string, unknown> => {
  if (Predicate.isRecord(u) && batch.has(u)) return u
  const copy = Predicate.isRecord(u) ? { ...u } : {}
  batch.add(copy)
  return copy
}

/** The config with `ref` at `segments`; missing objects on the way are created, anything else in the way refuses. */
export const setConfigRef = (
  raw: JsonObject,
  target: ConfigTarget,
  batch: EditBatch = editBatch()
): Either.Either<Edited<JsonObject>, string> => {
  // Copies are linked into their parents only on success, so a refusal leaves what the batch returned so far intact.
  const set = (node: Record<string, unknown>, depth: number): Either.Either<string | undefined, string> => {
    const key = target.segments[depth]!
    if (depth === target.segments.length - 1) {
      const replaced = Object.hasOwn(node, key) ? plainValue(node[key]) : undefined
      node[key] = { ...target.ref }
      return Either.right(replaced)
    }
    // Own keys only: `hasOwnProperty` is a name in the path, not Object.prototype's function.
    const child = Object.hasOwn(node, key) ? node[key] : undefined
    if (child !== undefined && !Predicate.isRecord(child)) {
      return Either.left(`${target.segments.slice(0, depth + 1).join(".")} is not an object, so ${target.path} cannot be set`)
    }
    const copy = owned(batch, child)
    return Either.map(set(copy, depth + 1), (replaced) => {
      node[key] = copy
      return replaced
    })
  }
  const root = owned(batch, raw)
  return Either.map(set(root, 0), (replaced) => ({ raw: root, replaced }))
}

/** `secrets.providers` with the plan's upserts set and deletes removed; the same object when there are none. */
export const applyProviderChanges = (
  raw: JsonObject,
  upserts: ReadonlyArray<readonly [string, Readonly<Record<string, unknown>>]>,
  deletes: ReadonlyArray<string>
): JsonObject => {
  if (upserts.length === 0 && deletes.length === 0) return raw
  const secrets = asObject(raw.secrets)
  const providers = asObject(secrets.providers)
  for (const alias of deletes) delete providers[alias]
  for (const [alias, entry] of upserts) providers[alias] = { ...entry }
  return { ...raw, secrets: { ...secrets, providers } }
}

/** The config's `auth.profiles[id].mode`, which refuses refs when it is `oauth` (§9). */
export const configModeOf = (raw: JsonObject, profileId: string): unknown => {
  const auth = raw.auth
  if (!Predicate.isRecord(auth) || !Predicate.isRecord(auth.profiles)) return undefined
  const entry = Object.hasOwn(auth.profiles, profileId) ? auth.profiles[profileId] : undefined
  return Predicate.isRecord(entry) ? entry.mode : undefined
}

const withRef = (entry: Record<string, unknown>, target: StoreTarget): Record<string, unknown> => {
  const next: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(entry)) {
    // The plain value goes (OpenClaw's `apiKey` spelling too): one-way, the ref is now the only source.
    if (k === target.plain || (target.plain === "key" && k === "apiKey") || k === target.refField) continue
    next[k] = v
  }
  next[target.refField] = { ...target.ref } satisfies SecretRef
  return next
}

/** A store without a version (a new one) gets the one it is written in, as every other write gives it. */
const withProfiles = (batch: EditBatch, raw: JsonObject, profiles: Record<string, unknown>): JsonObject => {
  const root = owned(batch, raw)
  if (root.version !== undefined) {
    root.profiles = profiles
    return root
  }
  const versioned = { version: 1, ...root, profiles }
  batch.add(versioned)
  return versioned
}

/** The store with the target profile's plain secret replaced by its ref, or why that profile cannot take one. */
export const setStoreRef = (
  raw: JsonObject,
  target: StoreTarget,
  batch: EditBatch = editBatch()
): Either.Either<Edited<JsonObject>, string> => {
  const profiles = owned(batch, raw.profiles)
  const id = target.profileId
  const entry = Object.hasOwn(profiles, id) ? profiles[id] : undefined
  if (entry === undefined) {
    if (target.authProfileProvider === undefined) {
      return Either.left(`profile ${id} does not exist; to create it, give the target authProfileProvider (its provider id)`)
    }
    profiles[id] = { type: target.credentialType, provider: normalizeProvider(target.authProfileProvider), [target.refField]: { ...target.ref } }
    return Either.right({ raw: withProfiles(batch, raw, profiles), replaced: undefined })
  }
  if (!Predicate.isRecord(entry)) return Either.left(`profile ${id} is not an object; fix it by hand first`)
  const type = entry.type ?? entry.mode
  if (type === "oauth") return Either.left(`profile ${id} is an oauth profile: OAuth material rotates and never takes a ref`)
  if (type !== target.credentialType) {
    return Either.left(`profile ${id} is of type ${typeof type === "string" ? type : "(none)"}, but ${target.type} targets ${target.credentialType} profiles`)
  }
  if (target.authProfileProvider !== undefined && entry.provider !== target.authProfileProvider) {
    return Either.left(`profile ${id} belongs to another provider than authProfileProvider ${target.authProfileProvider}`)
  }
  const replaced = plainValue(entry[target.plain]) ?? (target.plain === "key" ? plainValue(entry.apiKey) : undefined)
  profiles[id] = withRef(entry, target)
  return Either.right({ raw: withProfiles(batch, raw, profiles), replaced })
}

/** Legacy `<agentDir>/auth.json` (`{ provider: credential }`) without the entries holding one of `values`. */
export const scrubLegacyAuth = (
  raw: JsonObject,
  values: ReadonlySet<string>
): { readonly raw: JsonObject; readonly removed: ReadonlyArray<string> } => {
  const removed: Array<string> = []
  const kept: Record<string, unknown> = {}
  for (const [provider, entry] of Object.entries(raw)) {
    const holds =
      Predicate.isRecord(entry) && ["key", "apiKey", "token"].some((f) => typeof entry[f] === "string" && values.has(entry[f] as string))
    if (holds) removed.push(provider)
    else kept[provider] = entry
  }
  return { raw: removed.length === 0 ? raw : kept, removed }
}

/**
 * The config's `env` block (top-level keys and `env.vars`) without variables holding one of `values`, except
 * those in `keep` (an env ref of the plan reads them: they are where the secret now lives).
 */
export const scrubConfigEnv = (
  raw: JsonObject,
  values: ReadonlySet<string>,
  keep: ReadonlySet<string>
): { readonly raw: JsonObject; readonly removed: ReadonlyArray<string> } => {
  if (!Predicate.isRecord(raw.env)) return { raw, removed: [] }
  const removed: Array<string> = []
  const drop = (block: Record<string, unknown>, at: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(block)) {
      if (typeof v === "string" && values.has(v) && !keep.has(k)) removed.push(`${at}${k}`)
      else out[k] = v
    }
    return out
  }
  const env = drop(raw.env, "env.")
  if (Predicate.isRecord(env.vars)) env.vars = drop(env.vars, "env.vars.")
  return { raw: removed.length === 0 ? raw : { ...raw, env }, removed }
}

/** Where `raw` holds a ref naming one of `aliases` (dot paths): a provider still in use must not be deleted. */
export const refsUsing = (raw: unknown, aliases: ReadonlySet<string>): ReadonlyArray<string> => {
  const found: Array<string> = []
  const walk = (node: unknown, at: ReadonlyArray<string>): void => {
    if (looksLikeSecretRef(node)) {
      if (typeof node.provider === "string" && aliases.has(node.provider)) found.push(at.join("."))
      return
    }
    if (Array.isArray(node)) node.forEach((v, i) => walk(v, [...at, String(i)]))
    else if (Predicate.isRecord(node)) for (const [k, v] of Object.entries(node)) if (k !== "secrets") walk(v, [...at, k])
  }
  walk(raw, [])
  return found
}
