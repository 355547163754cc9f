import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { firstControlCharacter } from "./ControlCharacters.js"
import { isPrototypeKey } from "./JsonStructure.js"
import { normalizeProvider, ProviderId } from "./Provider.js"
import { decodeSecretRef, type SecretRef, SecretRefSchema } from "./SecretRef.js"

/** Secrets are `Redacted` in memory: a stray log or error prints `<redacted>`. */
const Secret = Schema.Redacted(Schema.String)
const Provider = Schema.transform(Schema.String, ProviderId, {
  strict: true,
  decode: normalizeProvider,
  encode: (p) => p
})
/** Epoch milliseconds. */
const EpochMs = Schema.Number

/**
 * `key` is absent only beside a `keyRef` (§9): as read from the file a ref stands alone (a ref wins over a sibling
 * plain value, which is dropped); once the snapshot resolved it (domain/StoreRefs), `key` holds the resolved value
 * in memory — and encodeCredential never writes it.
 */
export class ApiKeyCredential extends Schema.Class<ApiKeyCredential>("ApiKeyCredential")({
  type: Schema.Literal("api_key"),
  provider: Provider,
  key: Schema.optional(Secret),
  keyRef: Schema.optional(SecretRefSchema),
  email: Schema.optional(Schema.String)
}) {}

/** `token` and `tokenRef` as `key` and `keyRef` of ApiKeyCredential. */
export class TokenCredential extends Schema.Class<TokenCredential>("TokenCredential")({
  type: Schema.Literal("token"),
  provider: Provider,
  token: Schema.optional(Secret),
  tokenRef: Schema.optional(SecretRefSchema),
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
      return c.key && Redacted.value(c.key)
    case "token":
      return c.token && Redacted.value(c.token)
    case "oauth":
      return c.access ? Redacted.value(c.access) : c.refresh ? Redacted.value(c.refresh) : undefined
  }
}

/** The ref a credential's secret comes from (§9), if it is ref-backed. */
export const credentialRef = (c: Credential): SecretRef | undefined =>
  c.type === "api_key" ? c.keyRef : c.type === "token" ? c.tokenRef : undefined

/** The field that may hold a ref in place of the secret, per type; OAuth material rotates, so never a ref (§9). */
export const REF_FIELD = { api_key: "keyRef", token: "tokenRef" } as const
const PLAIN_FIELDS = { api_key: ["key", "apiKey"], token: ["token"] } as const
export const OAUTH_REF_REFUSED = "OAuth material rotates: never a ref (remove keyRef/tokenRef, or store an api_key or token profile)"

/**
 * The entry with its ref read (§9): the ref decoded, and the plain value beside it dropped (a ref wins). An invalid
 * ref, or any ref on an oauth entry, is why the entry is skipped. Entries without a ref come back as they are.
 */
export const withDecodedRef = (
  entry: Readonly<Record<string, unknown>>,
  type: CredentialType
): Either.Either<Readonly<Record<string, unknown>>, string> => {
  if (type === "oauth") {
    return entry.keyRef !== undefined || entry.tokenRef !== undefined ? Either.left(OAUTH_REF_REFUSED) : Either.right(entry)
  }
  const field = REF_FIELD[type]
  if (entry[field] === undefined) return Either.right(entry)
  return Either.match(decodeSecretRef(entry[field]), {
    onLeft: (problem) => Either.left(`${field}: ${problem}`),
    onRight: (ref) => {
      const out: Record<string, unknown> = { ...entry, [field]: ref }
      for (const plain of PLAIN_FIELDS[type]) delete out[plain]
      return Either.right(out)
    }
  })
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
  const wellFormed = wellFormedCredential(entry, type)
  if (wellFormed !== undefined) return Either.right(wellFormed)
  return decodeNormalizedEntry(entry, type)
}

/** The entry as the schema reads it: `type` for `mode`, `key` for `apiKey`; its mistakes said in words. */
export const decodeNormalizedEntry = (raw: Readonly<Record<string, unknown>>, type: CredentialType): Either.Either<Credential, string> =>
  Either.flatMap(withDecodedRef(raw, type), (entry) => {
    const normalized: Record<string, unknown> = {
      ...entry,
      type,
      ...(type === "api_key" && entry.key === undefined && entry.keyRef === undefined ? { key: entry.apiKey } : {})
    }
    // The classes' secret is optional for the sake of refs; without one it is required, as it always was.
    const required = type === "oauth" || normalized[REF_FIELD[type]] !== undefined ? undefined : SECRET_REQUIRED[type]
    const checked: Either.Either<unknown, ParseResult.ParseError> =
      required === undefined ? Either.right(normalized) : Schema.decodeUnknownEither(required as Schema.Schema<unknown, unknown>)(normalized, { onExcessProperty: "ignore" })
    return checked.pipe(
      Either.flatMap(() => Schema.decodeUnknownEither(Credential)(normalized, { onExcessProperty: "ignore" })),
      Either.mapLeft((e) => firstProblem(e))
    )
  })

const SECRET_REQUIRED = { api_key: Schema.Struct({ key: Secret }), token: Schema.Struct({ token: Secret }) } as const

/** What each field of a credential holds, in the order of the classes' fields (the order decoding gives them). */
type FieldKind = "secret" | "secret?" | "ref?" | "string?" | "number?"
const FIELDS: { readonly [T in CredentialType]: ReadonlyArray<readonly [string, FieldKind]> } = {
  api_key: [["key", "secret"], ["keyRef", "ref?"], ["email", "string?"]],
  token: [["token", "secret"], ["tokenRef", "ref?"], ["expires", "number?"], ["email", "string?"]],
  oauth: [["access", "secret?"], ["refresh", "secret?"], ["expires", "number?"], ["email", "string?"], ["accountId", "string?"], ["clientId", "string?"]]
}
const CLASSES = { api_key: ApiKeyCredential, token: TokenCredential, oauth: OAuthCredential } as const

/**
 * The credential the schema would decode, built directly when every field already holds what it must (the files
 * openclaw and OpenClaw write): Schema's generic walk is most of the cost of reading 20,000 profiles. Anything
 * else — a missing secret, a wrong type, a field present but undefined — is `undefined`, and the schema reads
 * it and says what is wrong. The provider is known to be a non-empty string.
 */
export const wellFormedCredential = (raw: Readonly<Record<string, unknown>>, type: CredentialType): Credential | undefined => {
  // Most entries hold no ref: read as they are, without withDecodedRef's Either.
  const noRef = type === "oauth" ? raw.keyRef === undefined && raw.tokenRef === undefined : raw[REF_FIELD[type]] === undefined
  let entry = raw
  if (!noRef) {
    const withRef = withDecodedRef(raw, type)
    if (Either.isLeft(withRef)) return undefined
    entry = withRef.right
  }
  const hasRef = !noRef && type !== "oauth"
  // Validation is what the fields' checks below do; this is what Schema's decoding does once they pass:
  // `new CLASSES[type](props, true)` makes exactly this — the class's prototype with these own properties, in this
  // order (Schema.Class's constructor copies `props` twice and looks for field defaults these classes do not have).
  const props: Record<string, unknown> = Object.create(CLASSES[type].prototype)
  props.type = type
  props.provider = normalizeProvider(entry.provider as string)
  for (const [field, kind] of FIELDS[type]) {
    const value = type === "api_key" && field === "key" && entry.key === undefined ? entry.apiKey : entry[field]
    if (value === undefined) {
      if ((kind === "secret" && !hasRef) || Object.hasOwn(entry, field)) return undefined
      continue
    }
    // A ref is already checked and copied by withDecodedRef.
    if (kind === "ref?") {
      props[field] = value
      continue
    }
    if (typeof value !== (kind === "number?" ? "number" : "string")) return undefined
    props[field] = kind === "secret" || kind === "secret?" ? Redacted.make(value as string) : value
  }
  return props as unknown as Credential
}

/**
 * The credential as a store holds it. A ref-backed credential is written as its ref alone: the value a snapshot
 * resolved into it lives in memory only and is never written anywhere (§9).
 */
export const encodeCredential = (c: Credential): Record<string, unknown> => {
  const encoded = Schema.encodeSync(Credential)(c) as Record<string, unknown>
  if (c.type === "api_key" && c.keyRef !== undefined) delete encoded.key
  if (c.type === "token" && c.tokenRef !== undefined) delete encoded.token
  return encoded
}

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
