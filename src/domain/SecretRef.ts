import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * A SecretRef (§9): where a secret lives instead of the secret itself. One shape everywhere it is accepted —
 * `keyRef`/`tokenRef` in a store, `apiKey`/`headers.<name>`/`gateway.auth.token` in the config.
 */
export const SECRET_SOURCES = ["env", "file", "exec"] as const
export type SecretSource = (typeof SECRET_SOURCES)[number]

export interface SecretRef {
  readonly source: SecretSource
  /** The alias of a `secrets.providers` entry (`default` is the built-in env provider). */
  readonly provider: string
  readonly id: string
}

export const PROVIDER_ALIAS = /^[a-z][a-z0-9_-]{0,63}$/
export const ENV_ID = /^[A-Z][A-Z0-9_]{0,127}$/
/** The spec's exec id, plus `#` for selectors (`secret#json_key`), which OpenClaw's own guide accepts. */
export const EXEC_ID = /^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$/
/** The env provider every config has, whether or not `secrets.providers` names it. */
export const DEFAULT_ENV_PROVIDER = "default"

const hasDotSegment = (id: string): boolean => id.split("/").some((segment) => segment === "." || segment === "..")

/** RFC 6901: an absolute pointer, `~` only as `~0` or `~1`. */
const isJsonPointer = (id: string): boolean => id.startsWith("/") && !/~(?![01])/.test(id)

/** Why `id` cannot name a secret of `source`, or undefined when it can (§9 validation rules). */
export const idProblem = (source: SecretSource, id: string): string | undefined => {
  switch (source) {
    case "env":
      return ENV_ID.test(id) ? undefined : `env ids are variable names matching ${ENV_ID.source}`
    case "file":
      return id === "value" || isJsonPointer(id)
        ? undefined
        : `file ids are an absolute JSON pointer such as /providers/openai/apiKey, or "value" for a singleValue file`
    case "exec":
      if (!EXEC_ID.test(id)) return `exec ids match ${EXEC_ID.source}`
      return hasDotSegment(id) ? `exec ids may not contain "." or ".." path segments` : undefined
  }
}

/** An object that means to be a SecretRef (has a `source`), valid or not: a plain value never is. */
export const looksLikeSecretRef = (u: unknown): u is Readonly<Record<string, unknown>> =>
  Predicate.isRecord(u) && "source" in u

/** The ref `u` describes, or what is wrong with it in words (never echoing a value that could be a secret). */
export const decodeSecretRef = (u: unknown): Either.Either<SecretRef, string> => {
  if (!Predicate.isRecord(u)) return Either.left("a secret reference is an object { source, provider, id }")
  const { id, provider, source } = u
  if (source !== "env" && source !== "file" && source !== "exec") {
    return Either.left(`source must be one of ${SECRET_SOURCES.join(", ")}`)
  }
  if (typeof provider !== "string" || !PROVIDER_ALIAS.test(provider)) {
    return Either.left(`provider must be an alias matching ${PROVIDER_ALIAS.source}`)
  }
  if (typeof id !== "string") return Either.left("id must be a string")
  const problem = idProblem(source, id)
  return problem === undefined ? Either.right({ source, provider, id }) : Either.left(problem)
}

/** `env:default:OPENAI_API_KEY` (the `--ref` argument): source, provider alias, then the id (which may hold `:`). */
export const parseSecretRefArgument = (text: string): Either.Either<SecretRef, string> => {
  const first = text.indexOf(":")
  const second = first < 0 ? -1 : text.indexOf(":", first + 1)
  if (second < 0) return Either.left("a reference is written <source>:<provider>:<id>, e.g. env:default:OPENAI_API_KEY")
  return decodeSecretRef({ source: text.slice(0, first), provider: text.slice(first + 1, second), id: text.slice(second + 1) })
}

/** One string per distinct ref: resolution batches and results are keyed by it. */
export const secretRefKey = (ref: SecretRef): string => `${ref.source}:${ref.provider}:${ref.id}`

/**
 * How status names a ref-backed source (§9): the variable for env refs, the provider alias otherwise
 * (`ref env:OPENAI_API_KEY`, `ref exec:vault`) — never the id of a file or exec secret, which can be a path.
 */
export const secretRefLabel = (ref: SecretRef): string => `ref ${ref.source}:${ref.source === "env" ? ref.id : ref.provider}`

/** For schemas that carry a ref through as data (e.g. a stored `keyRef`). */
export const SecretRefSchema = Schema.Struct({
  source: Schema.Literal(...SECRET_SOURCES),
  provider: Schema.String,
  id: Schema.String
})
