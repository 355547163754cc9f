import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { describe, firstProblem } from "./Credential.js"
import { withoutPrototypes } from "./JsonStructure.js"
import type { ProfileId } from "./ProfileId.js"
import { normalizeProvider, type ProviderId } from "./Provider.js"

/** With no model configured (§3.2). */
export const DEFAULT_MODEL = "anthropic/claude-opus-4-6"
const DEFAULT_AGENT_ID = "main"

const StringRecord = Schema.Record({ key: Schema.String, value: Schema.String })

/**
 * A field that takes a secret (§9): plain text, or a SecretRef object. Any object with a `source` is taken as a ref
 * here and checked where refs are collected (domain/ConfigRefs), so one bad ref spoils only its own field, not the
 * whole config.
 */
const SecretInputRef = Schema.Struct({ source: Schema.Unknown }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))
export type SecretInputRef = typeof SecretInputRef.Type
const SecretInput = Schema.Union(Schema.String, SecretInputRef)
export type SecretInput = typeof SecretInput.Type

/** The text of a secret field: itself when plain (or resolved into the config), nothing while it is a ref. */
export const secretText = (input: SecretInput | undefined): string | undefined => (typeof input === "string" ? input : undefined)

/** The headers that hold text (a header whose ref did not resolve is left out). */
export const textHeaders = (headers: Readonly<Record<string, SecretInput>> | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) if (typeof value === "string") out[name] = value
  return out
}
const ModelSetting = Schema.Union(
  Schema.String,
  Schema.Struct({ primary: Schema.optional(Schema.String), fallbacks: Schema.optional(Schema.Array(Schema.String)) })
)

/** The subset of `openclaw.json` this program reads; everything else is carried through untouched. */
export const OpenClawConfig = Schema.Struct({
  env: Schema.optional(
    Schema.Struct(
      {
        vars: Schema.optional(StringRecord),
        shellEnv: Schema.optional(
          Schema.Struct({ enabled: Schema.optional(Schema.Boolean), timeoutMs: Schema.optional(Schema.Number) })
        )
      },
      Schema.Record({ key: Schema.String, value: Schema.Unknown })
    )
  ),
  auth: Schema.optional(
    Schema.Struct({
      profiles: Schema.optional(
        Schema.Record({
          key: Schema.String,
          value: Schema.Struct({
            provider: Schema.String,
            mode: Schema.optional(Schema.String),
            email: Schema.optional(Schema.String)
          })
        })
      ),
      order: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Array(Schema.String) })),
      cooldowns: Schema.optional(
        Schema.Struct({
          billingBackoffHours: Schema.optional(Schema.Number),
          billingBackoffHoursByProvider: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Number })),
          billingMaxHours: Schema.optional(Schema.Number),
          failureWindowHours: Schema.optional(Schema.Number)
        })
      )
    })
  ),
  agents: Schema.optional(
    Schema.Struct({
      defaults: Schema.optional(
        Schema.Struct({
          model: Schema.optional(ModelSetting),
          models: Schema.optional(
            Schema.Record({ key: Schema.String, value: Schema.Struct({ alias: Schema.optional(Schema.String) }) })
          )
        })
      ),
      list: Schema.optional(
        Schema.Array(
          Schema.Struct({
            id: Schema.String,
            default: Schema.optional(Schema.Boolean),
            agentDir: Schema.optional(Schema.String),
            model: Schema.optional(ModelSetting)
          })
        )
      )
    })
  ),
  models: Schema.optional(
    Schema.Struct({
      providers: Schema.optional(
        Schema.Record({
          key: Schema.String,
          value: Schema.Struct({
            baseUrl: Schema.optional(Schema.String),
            api: Schema.optional(Schema.String),
            apiKey: Schema.optional(SecretInput),
            headers: Schema.optional(Schema.Record({ key: Schema.String, value: SecretInput }))
          })
        })
      )
    })
  ),
  /** §9: read by decodeSecretsConfig, leniently (one bad provider spoils only its refs). */
  secrets: Schema.optional(Schema.Unknown),
  gateway: Schema.optional(
    Schema.Struct({
      port: Schema.optional(Schema.Number),
      bind: Schema.optional(Schema.String),
      auth: Schema.optional(Schema.Struct({ mode: Schema.optional(Schema.String), token: Schema.optional(SecretInput) })),
      /** §10: read by decodeStateSettings, leniently, where a backend is chosen (its url may be a SecretRef). */
      state: Schema.optional(Schema.Unknown),
      limits: Schema.optional(
        Schema.Struct(
          {
            /** §8.6: the most a provider answer (or one event of a stream) may hold, in bytes. */
            maxProviderBodyBytes: Schema.optional(Schema.Int.pipe(Schema.positive())),
            /** §8.6: client connections held at once (default: what the open-file limit leaves room for). */
            maxConnections: Schema.optional(Schema.Int.pipe(Schema.positive()))
          },
          Schema.Record({ key: Schema.String, value: Schema.Unknown })
        )
      )
    })
  )
})
export type OpenClawConfig = typeof OpenClawConfig.Type


/** Records keyed by provider and profile ids have no prototype: `--provider constructor` finds nothing (§11). */
export const decodeConfig = (raw: unknown): Either.Either<OpenClawConfig, string> =>
  Predicate.isRecord(raw)
    ? Schema.decodeUnknownEither(OpenClawConfig)(raw).pipe(Either.mapLeft(firstProblem), Either.map(withoutPrototypes))
    : Either.left(`expected a JSON5 object at the top level, got ${describe(raw)}`)

/** The config `env` block (§4.1 step 4): top-level string keys and `env.vars`; top-level keys win. */
export const configEnvVars = (raw: unknown): Record<string, string> => {
  const env = Predicate.isRecord(raw) ? raw.env : undefined
  if (!Predicate.isRecord(env)) return {}
  const vars: Record<string, string> = {}
  if (Predicate.isRecord(env.vars)) for (const [k, v] of Object.entries(env.vars)) if (typeof v === "string") vars[k] = v
  for (const [k, v] of Object.entries(env)) if (typeof v === "string") vars[k] = v
  return vars
}

const VAR_REF = /\$\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/**
 * Variables the system sets that hold no secret: their values (a home directory, a user name) are in every path
 * and line printed, and scrubbing them as a secret's would hide the config path and the agent dir (§11).
 */
const NOT_SECRET_VARS: ReadonlySet<string> = new Set([
  "HOME", "USER", "LOGNAME", "PATH", "PWD", "OLDPWD", "SHELL", "TMPDIR", "TMP", "TEMP", "HOSTNAME", "LANG", "TZ",
  "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR",
  "OPENCLAW_STATE_DIR", "OPENCLAW_CONFIG_PATH"
])

/**
 * `${VAR}` in string values is replaced from the assembled environment; `$${VAR}` is a literal `${VAR}`.
 * An unset variable becomes the empty string and is reported, so a missing key reads as missing, not as
 * the literal text `${VAR}`. `substituted`: the values put in, which may be secrets (a key in a model id or a
 * URL), but for those of NOT_SECRET_VARS.
 */
export const substituteEnvRefs = (
  value: unknown,
  lookup: (name: string) => string | undefined
): { readonly value: unknown; readonly missing: ReadonlyArray<string>; readonly substituted: ReadonlyArray<string> } => {
  const missing = new Set<string>()
  const substituted = new Set<string>()
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      if (!v.includes("${")) return v
      return v.replace(VAR_REF, (_, escaped: string | undefined, name: string | undefined) => {
        if (escaped !== undefined) return "${" + escaped + "}"
        const found = lookup(name!)
        if (found === undefined) missing.add(name!)
        else if (!NOT_SECRET_VARS.has(name!)) substituted.add(found)
        return found ?? ""
      })
    }
    if (Array.isArray(v)) return v.map(walk)
    if (Predicate.isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
    return v
  }
  return { value: walk(value), missing: [...missing], substituted: [...substituted] }
}

// ---- Models ----

export interface ModelRef {
  readonly provider: ProviderId
  readonly model: string
  /**
   * The id is a client's own text (its `/model`, `x-openclaw-model` or body `model`, not an alias): echoed back to
   * it as sent, never through the scrubber (domain/Scrub, `known`).
   */
  readonly byClient?: true
}

export const formatModelRef = (ref: ModelRef): string => `${ref.provider}/${ref.model}`

/** Aliases from `agents.defaults.models`, lower-cased. */
export const modelAliases = (config: OpenClawConfig): ReadonlyMap<string, string> => {
  const aliases = new Map<string, string>()
  for (const [id, entry] of Object.entries(config.agents?.defaults?.models ?? {})) {
    if (entry.alias) aliases.set(entry.alias.trim().toLowerCase(), id)
  }
  return aliases
}

/** `provider/model`, an alias, or a bare model id (Anthropic, as in OpenClaw). */
export const parseModelRef = (raw: string, aliases: ReadonlyMap<string, string>): ModelRef => {
  const trimmed = raw.trim()
  const resolved = aliases.get(trimmed.toLowerCase()) ?? trimmed
  const slash = resolved.indexOf("/")
  return slash < 0
    ? { provider: "anthropic" as ProviderId, model: resolved }
    : { provider: normalizeProvider(resolved.slice(0, slash)), model: resolved.slice(slash + 1) }
}

export interface AgentModels {
  readonly primary: ModelRef
  readonly fallbacks: ReadonlyArray<ModelRef>
}

type ModelSetting = typeof ModelSetting.Type

const modelSettingParts = (
  m: ModelSetting | undefined
): { readonly primary?: string | undefined; readonly fallbacks?: ReadonlyArray<string> | undefined } =>
  m === undefined ? {} : typeof m === "string" ? { primary: m } : { ...m }

/** The agent's own model setting wins over `agents.defaults.model`, field by field. */
export const agentModels = (config: OpenClawConfig, agentId: string): AgentModels => {
  const aliases = modelAliases(config)
  const own = modelSettingParts(config.agents?.list?.find((a) => a.id === agentId)?.model)
  const defaults = modelSettingParts(config.agents?.defaults?.model)
  const primary = own.primary ?? defaults.primary ?? DEFAULT_MODEL
  const fallbacks = own.fallbacks ?? defaults.fallbacks ?? []
  return {
    primary: parseModelRef(primary, aliases),
    fallbacks: fallbacks.map((f) => parseModelRef(f, aliases))
  }
}

/** Providers the agent's models need, primary first, without duplicates. */
export const providersInUse = (models: AgentModels): ReadonlyArray<ProviderId> => [
  ...new Set([models.primary, ...models.fallbacks].map((m) => m.provider))
]

// ---- Agents ----

export const configuredAgentIds = (config: OpenClawConfig): ReadonlyArray<string> => {
  const ids = (config.agents?.list ?? []).map((a) => a.id)
  return ids.length > 0 ? ids : [DEFAULT_AGENT_ID]
}

export const defaultAgentId = (config: OpenClawConfig): string => {
  const list = config.agents?.list ?? []
  return (list.find((a) => a.default) ?? list[0])?.id ?? DEFAULT_AGENT_ID
}

type ConfigProfiles = NonNullable<NonNullable<OpenClawConfig["auth"]>["profiles"]>
// Built once per decoded config, as profilesOf is per store: asked provider by provider.
const configuredByProvider = new WeakMap<ConfigProfiles, ReadonlyMap<string, ReadonlyArray<ProfileId>>>()

/** The ids config `auth.profiles` declares for a provider (its `provider` compared case-insensitively), in config order. */
export const configuredProfilesOf = (config: OpenClawConfig, provider: ProviderId): ReadonlyArray<ProfileId> => {
  const profiles = config.auth?.profiles
  if (profiles === undefined) return []
  let index = configuredByProvider.get(profiles)
  if (index === undefined) {
    const groups = new Map<string, Array<ProfileId>>()
    for (const [id, p] of Object.entries(profiles)) {
      const key = p.provider.toLowerCase()
      const group = groups.get(key)
      if (group === undefined) groups.set(key, [id as ProfileId])
      else group.push(id as ProfileId)
    }
    index = groups
    configuredByProvider.set(profiles, index)
  }
  return index.get(provider) ?? []
}

/** Config `auth.profiles[id].mode` for a profile, if the config declares one. */
export const configProfileMode = (config: OpenClawConfig, id: string): string | undefined =>
  config.auth?.profiles?.[id]?.mode
