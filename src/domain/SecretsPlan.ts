import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import { isPrototypeKey } from "./JsonStructure.js"
import { normalizeProvider } from "./Provider.js"
import { decodeSecretProvider } from "./SecretProviders.js"
import { decodeSecretRef, PROVIDER_ALIAS, type SecretRef } from "./SecretRef.js"

/**
 * `openclaw secrets apply --from <plan.json>` (§9): the plan file and its strict validation, as OpenClaw's plan
 * contract has it (target types, registered path shapes, forbidden segments, ids consistent with the path).
 */

/** Where a target lives: the config, or one agent's credential store. */
export type TargetFile = "openclaw.json" | "auth-profiles.json"

interface TargetKind {
  readonly type: string
  readonly aliases: ReadonlyArray<string>
  readonly file: TargetFile
  /** Path shapes; `*` is exactly one segment. The first is canonical (what `configure` writes). */
  readonly patterns: ReadonlyArray<ReadonlyArray<string>>
  /** The segment that is the model provider's id (`providerId` must agree with it). */
  readonly providerIdAt?: number
  /** Store targets: the credential type the profile must have, and the field the ref goes to. */
  readonly credential?: { readonly type: "api_key" | "token"; readonly plain: "key" | "token"; readonly refField: "keyRef" | "tokenRef" }
}

const shape = (path: string) => path.split(".")

/** The registered targets (§9: the store's keyRef/tokenRef; the config's apiKey, headers and gateway token). */
export const TARGET_KINDS: ReadonlyArray<TargetKind> = [
  {
    type: "auth-profiles.api_key.key",
    aliases: [],
    file: "auth-profiles.json",
    // OpenClaw's plans name the plain field the ref replaces; the ref field itself is accepted too.
    patterns: [shape("profiles.*.key"), shape("profiles.*.keyRef")],
    credential: { type: "api_key", plain: "key", refField: "keyRef" }
  },
  {
    type: "auth-profiles.token.token",
    aliases: [],
    file: "auth-profiles.json",
    patterns: [shape("profiles.*.token"), shape("profiles.*.tokenRef")],
    credential: { type: "token", plain: "token", refField: "tokenRef" }
  },
  {
    type: "models.providers.apiKey",
    aliases: ["models.providers.*.apiKey"],
    file: "openclaw.json",
    patterns: [shape("models.providers.*.apiKey")],
    providerIdAt: 2
  },
  {
    type: "models.providers.headers",
    aliases: ["models.providers.*.headers.*"],
    file: "openclaw.json",
    patterns: [shape("models.providers.*.headers.*")],
    providerIdAt: 2
  },
  { type: "gateway.auth.token", aliases: [], file: "openclaw.json", patterns: [shape("gateway.auth.token")] }
]

const kindOf = (type: string): TargetKind | undefined => TARGET_KINDS.find((k) => k.type === type || k.aliases.includes(type))

export interface ConfigTarget {
  readonly _tag: "config"
  readonly type: string
  readonly path: string
  readonly segments: ReadonlyArray<string>
  readonly ref: SecretRef
}

export interface StoreTarget {
  readonly _tag: "store"
  readonly type: string
  readonly path: string
  readonly agentId: string
  readonly profileId: string
  readonly credentialType: "api_key" | "token"
  readonly plain: "key" | "token"
  readonly refField: "keyRef" | "tokenRef"
  /** For a profile the store does not hold yet: the provider of the new entry. */
  readonly authProfileProvider?: string
  readonly ref: SecretRef
}

export type PlanTarget = ConfigTarget | StoreTarget

export interface SecretsPlan {
  readonly targets: ReadonlyArray<PlanTarget>
  /** `secrets.providers` entries to set (raw, as they go into the config), by alias. */
  readonly providerUpserts: ReadonlyArray<readonly [string, Readonly<Record<string, unknown>>]>
  readonly providerDeletes: ReadonlyArray<string>
  readonly scrubEnv: boolean
  readonly scrubLegacyAuthJson: boolean
}

export const PLAN_MAX_BYTES = 16 * 1024 * 1024

const isSegment = (s: unknown): s is string => typeof s === "string" && s !== ""

/** The target's segments, or why they are not a usable path. */
const segmentsOf = (t: Readonly<Record<string, unknown>>): Either.Either<ReadonlyArray<string>, string> => {
  if (typeof t.path !== "string" || t.path.trim() === "") return Either.left("path must be a non-empty dot path")
  const path = t.path
  let segments: ReadonlyArray<string>
  if (t.pathSegments === undefined) {
    segments = path.split(".")
    if (!segments.every(isSegment)) return Either.left(`path "${path}" has an empty segment`)
  } else {
    if (!Array.isArray(t.pathSegments) || !t.pathSegments.every(isSegment)) {
      return Either.left("pathSegments must be a list of non-empty strings")
    }
    segments = t.pathSegments
    if (segments.join(".") !== path) return Either.left(`pathSegments do not spell path "${path}"`)
  }
  const forbidden = segments.find(isPrototypeKey)
  if (forbidden !== undefined) return Either.left(`path segment "${forbidden}" is forbidden`)
  const unfit = segments.findIndex((s) => !VISIBLE_ASCII.test(s))
  if (unfit >= 0) return Either.left(`path segment ${unfit + 1} holds a space, a control or a non-ASCII character (ids and names are visible ASCII)`)
  return Either.right(segments)
}

/** What every id and name of a plan is: it becomes a key of openclaw's files, a header name, a line of output. */
const VISIBLE_ASCII = /^[\x21-\x7e]{1,256}$/
/** An HTTP header name (RFC 9110 token): anything else makes every request of that provider fail. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

const matches = (pattern: ReadonlyArray<string>, segments: ReadonlyArray<string>): boolean =>
  pattern.length === segments.length && pattern.every((p, i) => p === "*" || p === segments[i])

/** One target, or what is wrong with it (never a value: refs are described by their rule). */
export const decodeTarget = (u: unknown): Either.Either<PlanTarget, string> => {
  if (!Predicate.isRecord(u)) return Either.left("a target is an object { type, path, ref }")
  if (typeof u.type !== "string") return Either.left("type must be a string")
  const kind = kindOf(u.type)
  if (kind === undefined) return Either.left(`unknown target type "${u.type}" (known: ${TARGET_KINDS.map((k) => k.type).join(", ")})`)
  const segments = segmentsOf(u)
  if (Either.isLeft(segments)) return Either.left(segments.left)
  const path = segments.right.join(".")
  if (!kind.patterns.some((p) => matches(p, segments.right))) {
    return Either.left(`Invalid plan target path for ${kind.type}: ${path} (expected ${kind.patterns.map((p) => p.join(".")).join(" or ")})`)
  }
  if (kind.type === "models.providers.headers" && !HEADER_NAME.test(segments.right[4]!)) {
    return Either.left(`header name "${segments.right[4]}" is not an HTTP header name (letters, digits and !#$%&'*+.^_\`|~-)`)
  }
  if (u.providerId !== undefined) {
    if (kind.providerIdAt === undefined) return Either.left(`providerId does not apply to ${kind.type} targets`)
    if (u.providerId !== segments.right[kind.providerIdAt]) {
      return Either.left(`providerId does not match the provider in path ${path}`)
    }
  }
  const ref = decodeSecretRef(u.ref)
  if (Either.isLeft(ref)) return Either.left(`ref: ${ref.left}`)
  if (kind.credential === undefined) {
    if (u.agentId !== undefined) return Either.left(`agentId applies only to auth-profile targets, not ${kind.type}`)
    return Either.right({ _tag: "config", type: kind.type, path, segments: segments.right, ref: ref.right })
  }
  if (typeof u.agentId !== "string" || u.agentId.trim() === "") return Either.left(`auth-profile targets need agentId (the agent whose store holds the profile)`)
  if (u.authProfileProvider !== undefined && (typeof u.authProfileProvider !== "string" || !VISIBLE_ASCII.test(u.authProfileProvider) || isPrototypeKey(u.authProfileProvider))) {
    return Either.left("authProfileProvider must be a provider id (visible ASCII)")
  }
  if (!VISIBLE_ASCII.test(u.agentId)) return Either.left("agentId must be an agent id (visible ASCII)")
  const profileId = segments.right[1]!
  if (!profileId.includes(":")) return Either.left(`profile id "${profileId}" is not <provider>:<name>`)
  // As for --profile-id: a profile stored under another provider's prefix would be listed and chosen as that one's.
  const prefix = normalizeProvider(profileId.slice(0, profileId.indexOf(":")))
  if (typeof u.authProfileProvider === "string" && normalizeProvider(u.authProfileProvider) !== prefix) {
    return Either.left(`profile ${profileId} is a profile of ${prefix}, not of authProfileProvider ${u.authProfileProvider}`)
  }
  return Either.right({
    _tag: "store",
    type: kind.type,
    path,
    agentId: u.agentId,
    profileId,
    credentialType: kind.credential.type,
    plain: kind.credential.plain,
    refField: kind.credential.refField,
    ...(typeof u.authProfileProvider === "string" ? { authProfileProvider: u.authProfileProvider } : {}),
    ref: ref.right
  })
}

/** The place a target writes, so two targets of one place are caught. */
const placeOf = (t: PlanTarget): string =>
  t._tag === "config" ? `config:${t.segments.join("\u0000")}` : `store:${t.agentId}\u0000${t.profileId}`

const flagOf = (options: unknown, name: string): boolean =>
  !(Predicate.isRecord(options) && options[name] === false)

/** The whole plan, or every problem in it (each one line, located): nothing is applied from a plan with any. */
export const decodePlan = (u: unknown): Either.Either<SecretsPlan, ReadonlyArray<string>> => {
  if (!Predicate.isRecord(u)) return Either.left(["the plan is not a JSON object"])
  const problems: Array<string> = []
  if (u.version !== 1) problems.push("version must be 1")
  if (u.protocolVersion !== 1) problems.push("protocolVersion must be 1")
  const targets: Array<PlanTarget> = []
  if (!Array.isArray(u.targets)) problems.push("targets must be a list")
  else {
    const seen = new Map<string, number>()
    u.targets.forEach((raw, i) => {
      Either.match(decodeTarget(raw), {
        onLeft: (problem) => problems.push(`targets[${i}]: ${problem}`),
        onRight: (target) => {
          const place = placeOf(target)
          const earlier = seen.get(place)
          if (earlier !== undefined) problems.push(`targets[${i}]: ${target.path} is already the target of targets[${earlier}]`)
          else seen.set(place, i)
          targets.push(target)
        }
      })
    })
  }
  const providerUpserts: Array<readonly [string, Readonly<Record<string, unknown>>]> = []
  if (u.providerUpserts !== undefined) {
    if (!Predicate.isRecord(u.providerUpserts)) problems.push("providerUpserts must be an object of providers by alias")
    else {
      for (const [alias, entry] of Object.entries(u.providerUpserts)) {
        if (!PROVIDER_ALIAS.test(alias) || isPrototypeKey(alias)) {
          problems.push(`providerUpserts: alias "${alias}" must match ${PROVIDER_ALIAS.source}`)
          continue
        }
        const decoded = decodeSecretProvider(entry)
        if (Either.isLeft(decoded)) problems.push(`providerUpserts.${alias}: ${decoded.left}`)
        else providerUpserts.push([alias, entry as Readonly<Record<string, unknown>>])
      }
    }
  }
  const providerDeletes: Array<string> = []
  if (u.providerDeletes !== undefined) {
    if (!Array.isArray(u.providerDeletes)) problems.push("providerDeletes must be a list of aliases")
    else {
      for (const alias of u.providerDeletes) {
        if (typeof alias !== "string" || !PROVIDER_ALIAS.test(alias)) problems.push(`providerDeletes: "${String(alias)}" is not a provider alias`)
        else if (providerUpserts.some(([a]) => a === alias)) problems.push(`providerDeletes: "${alias}" is also in providerUpserts`)
        else providerDeletes.push(alias)
      }
    }
  }
  if (problems.length > 0) return Either.left(problems)
  return Either.right({
    targets,
    providerUpserts,
    providerDeletes,
    scrubEnv: flagOf(u.options, "scrubEnv"),
    scrubLegacyAuthJson: flagOf(u.options, "scrubLegacyAuthJson")
  })
}

/** Whether applying the plan may run a command (an exec ref, or an exec provider it sets up). */
export const planRunsCommands = (plan: SecretsPlan): boolean =>
  plan.targets.some((t) => t.ref.source === "exec") || plan.providerUpserts.some(([, p]) => p.source === "exec")

/** A plan as `configure` writes it (OpenClaw's shape: canonical type, path and segments, ids beside). */
export const encodePlan = (plan: SecretsPlan, generatedAt: string): Record<string, unknown> => ({
  version: 1,
  protocolVersion: 1,
  generatedBy: "openclaw secrets configure",
  generatedAt,
  targets: plan.targets.map((t) =>
    t._tag === "config"
      ? {
          type: t.type,
          path: t.path,
          pathSegments: [...t.segments],
          ...(t.type.startsWith("models.providers") ? { providerId: t.segments[2] } : {}),
          ref: { ...t.ref }
        }
      : {
          type: t.type,
          path: `profiles.${t.profileId}.${t.plain}`,
          pathSegments: ["profiles", t.profileId, t.plain],
          agentId: t.agentId,
          ...(t.authProfileProvider === undefined ? {} : { authProfileProvider: t.authProfileProvider }),
          ref: { ...t.ref }
        }
  ),
  ...(plan.providerUpserts.length > 0 ? { providerUpserts: Object.fromEntries(plan.providerUpserts) } : {}),
  ...(plan.providerDeletes.length > 0 ? { providerDeletes: [...plan.providerDeletes] } : {}),
  options: { scrubEnv: plan.scrubEnv, scrubAuthProfilesForProviderTargets: true, scrubLegacyAuthJson: plan.scrubLegacyAuthJson }
})
