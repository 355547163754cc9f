import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { firstControlCharacter } from "./ControlCharacters.js"
import { isPrototypeKey } from "./JsonStructure.js"
import { normalizeProvider, ProviderId } from "./Provider.js"

/** Secrets are `Redacted` in memory: a stray log or error prints `<redacted>`. */
const Secret = Schema.Redacted(Schema.String)
const Provider = Schema.transform(Schema.String, ProviderId, {
  strict: true,
  decode: normalizeProvider,
  encode: (p) => p
})
/** Epoch milliseconds. */
const EpochMs = Schema.Number

export class ApiKeyCredential extends Schema.Class<ApiKeyCredential>("ApiKeyCredential")({
  type: Schema.Literal("api_key"),
  provider: Provider,
  key: Secret,
  email: Schema.optional(Schema.String)
}) {}

export class TokenCredential extends Schema.Class<TokenCredential>("TokenCredential")({
  type: Schema.Literal("token"),
  provider: Provider,
  token: Secret,
  expires: Schema.optional(EpochMs),
  email: Schema.optional(Schema.String)
}) {}

export class OAuthCredential extends Schema.Class<OAuthCredential>("OAuthCredential")({
  type: Schema.Literal("oauth"),
  provider: Provider,
  // Either may be empty in files written by other tools; usability is decided by Order, not by the schema.
  access: Schema.optional(Secret),
  refresh: Schema.optional(Secret),
  expires: Schema.optional(EpochMs),
  email: Schema.optional(Schema.String),
  accountId: Schema.optional(Schema.String),
  clientId: Schema.optional(Schema.String)
}) {}

export const Credential = Schema.Union(ApiKeyCredential, TokenCredential, OAuthCredential)
export type Credential = typeof Credential.Type
export type CredentialType = Credential["type"]

/** The secret a request would carry, if any. */
export const credentialSecret = (c: Credential): string | undefined => {
  switch (c.type) {
    case "api_key":
      return Redacted.value(c.key)
    case "token":
      return Redacted.value(c.token)
    case "oauth":
      return c.access ? Redacted.value(c.access) : c.refresh ? Redacted.value(c.refresh) : undefined
  }
}


/**
 * Lenient entry reading, as OpenClaw does (§3.1): `mode` for `type`, `apiKey` for `key`. Returns why an entry
 * is skipped instead of failing the whole store.
 */
export const decodeCredentialEntry = (entry: unknown): Either.Either<Credential, string> => {
  if (!Predicate.isRecord(entry)) return Either.left(`not an object (got ${describe(entry)})`)
  const type = entry.type ?? entry.mode
  if (type !== "api_key" && type !== "token" && type !== "oauth") {
    const named = typeof type === "string" && /^[A-Za-z_-]{1,24}$/.test(type) ? JSON.stringify(type) : `(${describe(type)})`
    return Either.left(type === undefined ? "no type" : `unknown type ${named}`)
  }
  if (typeof entry.provider !== "string" || entry.provider.trim() === "") return Either.left("no provider")
  // §11: a provider named like a JavaScript prototype key, or with control characters (it names records, headers and
  // log lines), makes the entry one to report, not to use. An email is only shown, escaped, where it is printed.
  if (isPrototypeKey(normalizeProvider(entry.provider))) return Either.left(`provider "${normalizeProvider(entry.provider)}" is a reserved name`)
  const control = firstControlCharacter(entry.provider)
  if (control) return Either.left(`provider contains ${control.name} (a control character)`)
  const normalized = { ...entry, type, ...(type === "api_key" && entry.key === undefined ? { key: entry.apiKey } : {}) }
  return Schema.decodeUnknownEither(Credential)(normalized, { onExcessProperty: "ignore" }).pipe(
    Either.mapLeft((e) => firstProblem(e))
  )
}

export const encodeCredential = (c: Credential): Record<string, unknown> =>
  Schema.encodeSync(Credential)(c) as Record<string, unknown>

/** Schema's type notation, said the way a person editing the file would put it. */
const friendlyType = (expected: string): string => {
  if (expected.startsWith("ReadonlyArray<")) return "an array"
  if (expected.startsWith("{")) return "an object"
  if (expected === "string" || expected === "number") return `a ${expected}`
  if (expected === "boolean") return "true or false"
  return expected
}

/** Schema prints the offending value; keep only its kind unless it is a number, boolean or null. */
const friendlyActual = (actual: string): string =>
  actual.startsWith('"') ? "a string" : actual.startsWith("[") ? "an array" : actual.startsWith("{") ? "an object" : actual

/** One short sentence from a ParseError: `key: expected a string, got 123`. */
export const firstProblem = (error: ParseResult.ParseError): string => {
  const first = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (!first) return "invalid"
  const at = first.path.map(String).join(".")
  const typed = /^Expected ([\s\S]+), actual ([\s\S]+)$/.exec(first.message)
  const message = typed ? `expected ${friendlyType(typed[1]!)}, got ${friendlyActual(typed[2]!)}` : first.message
  return at === "" ? message : `${at}: ${message}`
}

/** What a value is, never what it says: a misplaced string may well be a secret. */
export const describe = (u: unknown): string =>
  u === null
    ? "null"
    : Array.isArray(u)
      ? "an array"
      : typeof u === "object"
        ? "an object"
        : typeof u === "string"
          ? "a string"
          : typeof u === "number" || typeof u === "boolean"
            ? `${u}`
            : typeof u
