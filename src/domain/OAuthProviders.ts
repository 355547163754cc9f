import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { firstProblem } from "./Credential.js"
import { isLoopbackUrl, type ProviderId } from "./Provider.js"

/** Where and how a provider runs its OAuth authorization-code flow and token refresh (§7). */
export interface OAuthEndpoints {
  readonly provider: ProviderId
  readonly authorizeUrl: string
  readonly tokenUrl: string
  readonly clientId: string
  readonly scopes: ReadonlyArray<string>
  /** Path of the local callback on 127.0.0.1, e.g. `/callback`. */
  readonly redirectPath: string
  /** A port the provider has registered for the callback; otherwise any free port is used. */
  readonly callbackPort: number | undefined
  /** How the token endpoint wants its body: RFC 6749 form encoding, or JSON (Anthropic's console endpoint). */
  readonly tokenEncoding: "form" | "json"
  /** Extra query parameters for the authorize URL. */
  readonly authorizeParams: Readonly<Record<string, string>>
  /** The provider's own page that shows `code#state` for pasting, used when there is no local browser. */
  readonly manualRedirectUri: string | undefined
  /** The token endpoint wants the `state` back with the code (Anthropic does). */
  readonly exchangeIncludesState: boolean
}

/**
 * Built-in metadata. Anthropic's values are the ones Claude Code uses, as publicly documented by the tools that
 * sign in with a Claude subscription; they are not a published API and may change, which is why every field can
 * be overridden in config under `auth.oauth.<provider>`. Other providers need that config block.
 */
const BUILT_IN: ReadonlyArray<OAuthEndpoints> = [
  {
    provider: "anthropic" as ProviderId,
    authorizeUrl: "https://claude.ai/oauth/authorize",
    tokenUrl: "https://console.anthropic.com/v1/oauth/token",
    clientId: "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    scopes: ["org:create_api_key", "user:profile", "user:inference"],
    redirectPath: "/callback",
    callbackPort: undefined,
    tokenEncoding: "json",
    authorizeParams: { code: "true" },
    manualRedirectUri: "https://console.anthropic.com/oauth/code/callback",
    exchangeIncludesState: true
  }
]

const HttpUrl = Schema.String.pipe(
  Schema.filter((s) => /^https?:\/\/[^\s/]+/i.test(s) || "expected an http(s) URL")
)

/** `auth.oauth.<provider>` in `openclaw.json`; read by our own decoder (the main config schema ignores it). */
const Override = Schema.Struct({
  authorizeUrl: Schema.optional(HttpUrl),
  tokenUrl: Schema.optional(HttpUrl),
  clientId: Schema.optional(Schema.NonEmptyString),
  scopes: Schema.optional(Schema.Union(Schema.Array(Schema.String), Schema.String)),
  redirectPath: Schema.optional(Schema.String.pipe(Schema.startsWith("/"))),
  callbackPort: Schema.optional(Schema.Int.pipe(Schema.between(1, 65535))),
  tokenEncoding: Schema.optional(Schema.Literal("form", "json")),
  manualRedirectUri: Schema.optional(HttpUrl)
})
export type OAuthOverride = typeof Override.Type

const Overrides = Schema.Record({ key: Schema.String, value: Override })
export type OAuthOverrides = Readonly<Record<string, OAuthOverride>>


/** The `auth.oauth` block of the raw config; a problem is `auth.oauth.<p>.<field>: …`. */
export const decodeOAuthOverrides = (rawConfig: unknown): Either.Either<OAuthOverrides, string> => {
  const auth = Predicate.isRecord(rawConfig) ? rawConfig.auth : undefined
  const block = Predicate.isRecord(auth) ? auth.oauth : undefined
  if (block === undefined) return Either.right({})
  return Schema.decodeUnknownEither(Overrides)(block, { onExcessProperty: "ignore" }).pipe(
    Either.mapLeft((e) => `auth.oauth.${firstProblem(e)}`)
  )
}

const scopeList = (s: OAuthOverride["scopes"]): ReadonlyArray<string> | undefined =>
  s === undefined ? undefined : typeof s === "string" ? s.split(/[\s,]+/).filter((x) => x !== "") : s

/**
 * The provider's endpoints: the built-in entry with the config override on top. A provider without a built-in
 * entry needs authorizeUrl, tokenUrl and clientId in config. Tokens never travel over plain http except to a
 * loopback address (a local test server).
 */
export const oauthEndpoints = (provider: ProviderId, overrides: OAuthOverrides): Either.Either<OAuthEndpoints, string> => {
  const base = BUILT_IN.find((e) => e.provider === provider)
  const o = overrides[provider] ?? {}
  const authorizeUrl = o.authorizeUrl ?? base?.authorizeUrl
  const tokenUrl = o.tokenUrl ?? base?.tokenUrl
  const clientId = o.clientId ?? base?.clientId
  if (authorizeUrl === undefined || tokenUrl === undefined || clientId === undefined) {
    const missing = [
      authorizeUrl === undefined ? "authorizeUrl" : "",
      tokenUrl === undefined ? "tokenUrl" : "",
      clientId === undefined ? "clientId" : ""
    ].filter(Boolean)
    return Either.left(
      base === undefined
        ? `openclaw has no built-in OAuth settings for ${provider}; set auth.oauth.${provider} { authorizeUrl, tokenUrl, clientId, scopes } in the config`
        : `auth.oauth.${provider} lacks ${missing.join(", ")}`
    )
  }
  for (const [field, url] of [["authorizeUrl", authorizeUrl], ["tokenUrl", tokenUrl]] as const) {
    if (url.toLowerCase().startsWith("http://") && !isLoopbackUrl(url)) {
      return Either.left(`auth.oauth.${provider}.${field} must use https (plain http is allowed only for 127.0.0.1/localhost)`)
    }
  }
  // The provider's manual-code page belongs to its real authorize server: drop it when that is overridden.
  const manual = o.manualRedirectUri ?? (o.authorizeUrl === undefined ? base?.manualRedirectUri : undefined)
  return Either.right({
    provider,
    authorizeUrl,
    tokenUrl,
    clientId,
    scopes: scopeList(o.scopes) ?? base?.scopes ?? [],
    redirectPath: o.redirectPath ?? base?.redirectPath ?? "/callback",
    callbackPort: o.callbackPort ?? base?.callbackPort,
    tokenEncoding: o.tokenEncoding ?? base?.tokenEncoding ?? "form",
    authorizeParams: base?.authorizeParams ?? {},
    manualRedirectUri: manual,
    exchangeIncludesState: base?.exchangeIncludesState ?? false
  })
}

/** Providers with built-in OAuth settings, for help text. */

