import * as Predicate from "effect/Predicate"
import { type JsonObject, orderWithout } from "./AuthStore.js"
import type { CredentialType } from "./Credential.js"
import type { ProfileId } from "./ProfileId.js"
import type { ProviderId } from "./Provider.js"

const objectAt = (raw: JsonObject, key: string): Record<string, unknown> => (Predicate.isRecord(raw[key]) ? { ...(raw[key] as object) } : {})

/**
 * §3.2: a stored profile is registered as `auth.profiles[id] = { provider, mode }` (metadata, never the secret);
 * it joins `auth.order[provider]` only when that order already exists.
 */
export const registerProfile = (raw: JsonObject, id: ProfileId, provider: ProviderId, mode: CredentialType): JsonObject => {
  const auth = objectAt(raw, "auth")
  const profiles = objectAt(auth, "profiles")
  const previous = Predicate.isRecord(profiles[id]) ? profiles[id] : {}
  profiles[id] = { ...previous, provider, mode }
  const order = objectAt(auth, "order")
  const existing = order[provider]
  if (Array.isArray(existing) && !existing.includes(id)) order[provider] = [...existing, id]
  return { ...raw, auth: { ...auth, profiles, ...(Predicate.isRecord(auth.order) ? { order } : {}) } }
}

/** Removes every config reference to a profile (logout). */
export const unregisterProfile = (raw: JsonObject, id: ProfileId): JsonObject => {
  if (!Predicate.isRecord(raw.auth)) return raw
  const auth = objectAt(raw, "auth")
  const profiles = objectAt(auth, "profiles")
  delete profiles[id]
  const order = orderWithout(objectAt(auth, "order"), id)
  return {
    ...raw,
    auth: { ...auth, ...(Predicate.isRecord(auth.profiles) ? { profiles } : {}), ...(Predicate.isRecord(auth.order) ? { order } : {}) }
  }
}

/** Whether the config mentions the profile at all, so logout does not rewrite a config it has nothing to do with. */
export const configReferences = (raw: JsonObject, id: ProfileId): boolean => {
  const auth = raw.auth
  if (!Predicate.isRecord(auth)) return false
  if (Predicate.isRecord(auth.profiles) && id in auth.profiles) return true
  return Predicate.isRecord(auth.order) && Object.values(auth.order).some((ids) => Array.isArray(ids) && ids.includes(id))
}

/** `agents.defaults.model.primary`, keeping fallbacks and every other key; the same object when nothing changes. */
export const withDefaultModel = (raw: JsonObject, ref: string): JsonObject => {
  const agents = Predicate.isRecord(raw.agents) ? raw.agents : {}
  const defaults = Predicate.isRecord(agents.defaults) ? agents.defaults : {}
  const model = defaults.model
  if (model === ref || (Predicate.isRecord(model) && model.primary === ref)) return raw
  const next = Predicate.isRecord(model) ? { ...model, primary: ref } : { primary: ref }
  return { ...raw, agents: { ...agents, defaults: { ...defaults, model: next } } }
}
