import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import type { JsonObject } from "./AuthStore.js"
import { envVarFor } from "./Onboard.js"
import { normalizeProvider } from "./Provider.js"
import { configModeOf } from "./SecretsApplyEdits.js"
import type { PlanTarget } from "./SecretsPlan.js"
import { decodeSecretProvider } from "./SecretProviders.js"
import { ENV_ID, looksLikeSecretRef, type SecretRef, type SecretSource } from "./SecretRef.js"

/** What `openclaw secrets configure` offers (§9): the secret-bearing fields of one agent's store and the config. */

export interface FieldChoice {
  /** Unique among the choices: what the prompt returns. */
  readonly value: string
  readonly title: string
  readonly description: string
  /** The target this field becomes once a ref is chosen for it. */
  readonly target: (ref: SecretRef) => PlanTarget
  /** A variable name to suggest for an env ref. */
  readonly suggestedEnv: string | undefined
}

const state = (u: unknown): string =>
  looksLikeSecretRef(u) ? "a ref already" : typeof u === "string" && u !== "" ? "plain text now" : "not set"

/** The provider's own variable (OPENAI_API_KEY), when it is a name an env ref can hold. */
const firstEnvVar = (provider: string, kind: "api_key" | "token"): string | undefined => {
  const name = envVarFor(normalizeProvider(provider), kind)
  return ENV_ID.test(name) ? name : undefined
}

/** The store's api_key and token profiles (never oauth: its material rotates), then the config's fields. */
export const fieldChoices = (configRaw: JsonObject, storeRaw: JsonObject, agentId: string): ReadonlyArray<FieldChoice> => {
  const out: Array<FieldChoice> = []
  const profiles = Predicate.isRecord(storeRaw.profiles) ? storeRaw.profiles : {}
  for (const [id, entry] of Object.entries(profiles)) {
    if (!Predicate.isRecord(entry) || typeof entry.provider !== "string") continue
    const type = entry.type ?? entry.mode
    if ((type !== "api_key" && type !== "token") || configModeOf(configRaw, id) === "oauth") continue
    const plain = type === "api_key" ? "key" : "token"
    const current = entry[`${plain}Ref`] ?? entry[plain] ?? (type === "api_key" ? entry.apiKey : undefined)
    const provider = entry.provider
    out.push({
      value: `store:${id}`,
      title: `${id} (${type === "api_key" ? "API key" : "token"}, agent ${agentId})`,
      description: `auth-profiles.json profiles.${id}.${plain}: ${state(current)}`,
      suggestedEnv: firstEnvVar(provider, type),
      target: (ref) =>
        type === "api_key"
          ? { _tag: "store", type: "auth-profiles.api_key.key", path: `profiles.${id}.key`, agentId, profileId: id, credentialType: "api_key", plain: "key", refField: "keyRef", ref }
          : { _tag: "store", type: "auth-profiles.token.token", path: `profiles.${id}.token`, agentId, profileId: id, credentialType: "token", plain: "token", refField: "tokenRef", ref }
    })
  }
  const config = (type: string, segments: ReadonlyArray<string>, current: unknown, suggestedEnv: string | undefined): FieldChoice => ({
    value: `config:${segments.join("\u0000")}`,
    title: segments.join("."),
    description: `openclaw.json: ${state(current)}`,
    suggestedEnv,
    target: (ref) => ({ _tag: "config", type, path: segments.join("."), segments, ref })
  })
  const models = Predicate.isRecord(configRaw.models) ? configRaw.models : {}
  const providers = Predicate.isRecord(models.providers) ? models.providers : {}
  for (const [p, entry] of Object.entries(providers)) {
    if (!Predicate.isRecord(entry)) continue
    out.push(config("models.providers.apiKey", ["models", "providers", p, "apiKey"], entry.apiKey, firstEnvVar(p, "api_key")))
    const headers = Predicate.isRecord(entry.headers) ? entry.headers : {}
    for (const [name, value] of Object.entries(headers)) {
      out.push(config("models.providers.headers", ["models", "providers", p, "headers", name], value, undefined))
    }
  }
  const gateway = Predicate.isRecord(configRaw.gateway) ? configRaw.gateway : {}
  const auth = Predicate.isRecord(gateway.auth) ? gateway.auth : {}
  out.push(config("gateway.auth.token", ["gateway", "auth", "token"], auth.token, "OPENCLAW_GATEWAY_TOKEN"))
  return out
}

/** The target of a store profile the wizard creates (it holds only the ref). */
export const newProfileTarget = (agentId: string, profileId: string, provider: string, type: "api_key" | "token", ref: SecretRef): PlanTarget =>
  type === "api_key"
    ? { _tag: "store", type: "auth-profiles.api_key.key", path: `profiles.${profileId}.key`, agentId, profileId, credentialType: "api_key", plain: "key", refField: "keyRef", authProfileProvider: provider, ref }
    : { _tag: "store", type: "auth-profiles.token.token", path: `profiles.${profileId}.token`, agentId, profileId, credentialType: "token", plain: "token", refField: "tokenRef", authProfileProvider: provider, ref }

/** A comma- or space-separated answer as a list (empty: none). */
export const listAnswer = (text: string): ReadonlyArray<string> => text.split(/[\s,]+/).filter((s) => s !== "")

/** The answers of the provider questions as a `secrets.providers` entry, checked as the resolver will read it. */
export const providerEntry = (
  source: SecretSource,
  answers: Readonly<Record<string, string | boolean>>,
  /** An entry being edited: fields the wizard does not ask about (timeoutMs, trustedDirs, env …) are kept. */
  existing?: Readonly<Record<string, unknown>>
): Either.Either<Record<string, unknown>, string> => {
  const text = (k: string) => (typeof answers[k] === "string" ? (answers[k] as string).trim() : "")
  const entry: Record<string, unknown> = { ...existing, source }
  if (source === "env") {
    const allowlist = listAnswer(text("allowlist"))
    if (allowlist.length > 0) entry.allowlist = allowlist
    else delete entry.allowlist
  } else if (source === "file") {
    entry.path = text("path")
    entry.mode = text("mode") || "json"
  } else {
    entry.command = text("command")
    const args = listAnswer(text("args"))
    if (args.length > 0) entry.args = args
    else delete entry.args
    const passEnv = listAnswer(text("passEnv"))
    if (passEnv.length > 0) entry.passEnv = passEnv
    else delete entry.passEnv
    if (answers.jsonOnly === false) entry.jsonOnly = false
    else delete entry.jsonOnly
  }
  return Either.map(decodeSecretProvider(entry), () => entry)
}

/** `secrets.providers` as the config has it, with the wizard's changes so far: alias → raw entry. */
export const providersAfter = (
  configRaw: JsonObject,
  upserts: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
  deletes: ReadonlySet<string>
): ReadonlyMap<string, Readonly<Record<string, unknown>>> => {
  const secrets = Predicate.isRecord(configRaw.secrets) ? configRaw.secrets : {}
  const current = Predicate.isRecord(secrets.providers) ? secrets.providers : {}
  const out = new Map<string, Readonly<Record<string, unknown>>>()
  for (const [alias, entry] of Object.entries(current)) if (Predicate.isRecord(entry) && !deletes.has(alias)) out.set(alias, entry)
  for (const [alias, entry] of upserts) out.set(alias, entry)
  return out
}
