import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import type { OAuthEndpoints } from "./OAuthProviders.js"
import { makeProfileId, type ProfileId } from "./ProfileId.js"
import type { ProviderId } from "./Provider.js"

/** RFC 7636: the verifier is 32 random bytes, base64url; the S256 challenge is base64url(sha256(verifier)). */
export const pkceVerifier = (randomBytes: Uint8Array): string => Encoding.encodeBase64Url(randomBytes)
export const pkceChallenge = (sha256OfVerifier: Uint8Array): string => Encoding.encodeBase64Url(sha256OfVerifier)
export const randomState = (randomBytes: Uint8Array): string => Encoding.encodeBase64Url(randomBytes)

export const loopbackRedirectUri = (port: number, path: string): string => `http://127.0.0.1:${port}${path}`

export const authorizeUrl = (
  e: OAuthEndpoints,
  p: { readonly redirectUri: string; readonly challenge: string; readonly state: string }
): string => {
  const url = new URL(e.authorizeUrl)
  const params: Record<string, string> = {
    ...e.authorizeParams,
    response_type: "code",
    client_id: e.clientId,
    redirect_uri: p.redirectUri,
    ...(e.scopes.length > 0 ? { scope: e.scopes.join(" ") } : {}),
    code_challenge: p.challenge,
    code_challenge_method: "S256",
    state: p.state
  }
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  return url.toString()
}

/** The body of the authorization-code exchange. */
export const codeExchangeParams = (
  e: OAuthEndpoints,
  p: { readonly code: string; readonly verifier: string; readonly redirectUri: string; readonly state: string }
): Record<string, string> => ({
  grant_type: "authorization_code",
  code: p.code,
  redirect_uri: p.redirectUri,
  client_id: e.clientId,
  code_verifier: p.verifier,
  ...(e.exchangeIncludesState ? { state: p.state } : {})
})

export const refreshParams = (clientId: string, refreshToken: string): Record<string, string> => ({
  grant_type: "refresh_token",
  refresh_token: refreshToken,
  client_id: clientId
})

/** What came back from the browser, as query parameters of the redirect. */
export type CallbackParams = Readonly<Record<string, string>>

export type LoginRejection =
  | { readonly kind: "denied" }
  | { readonly kind: "provider-error"; readonly error: string; readonly description: string | undefined }
  | { readonly kind: "state-mismatch" }
  | { readonly kind: "no-code" }
  | { readonly kind: "unreadable" }

/** Error codes and descriptions come from the provider; keep them short and free of anything token-like. */
const tidy = (s: string | undefined): string | undefined =>
  s === undefined ? undefined : s.replace(/[A-Za-z0-9_\-.~+/=]{32,}/g, "…").slice(0, 200)

/**
 * Checks a redirect's parameters: an `error` (`access_denied` is the user saying no), a `state` that must be the
 * one this login sent (anything else may be a forged or stale redirect), and a `code`.
 */
export const checkCallback = (params: CallbackParams, expectedState: string): Either.Either<string, LoginRejection> => {
  const error = params.error
  if (error !== undefined && error !== "") {
    return Either.left(
      error === "access_denied"
        ? { kind: "denied" }
        : { kind: "provider-error", error: tidy(error)!, description: tidy(params.error_description) }
    )
  }
  if (params.state !== expectedState) return Either.left({ kind: "state-mismatch" })
  const code = params.code
  if (code === undefined || code.trim() === "") return Either.left({ kind: "no-code" })
  return Either.right(code.trim())
}

/**
 * What a user pastes on a headless machine: the full redirect URL (or just its query), or the provider page's
 * `code#state`. Returns the parameters it carries.
 */
export const parsePastedRedirect = (pasted: string): Either.Either<CallbackParams, LoginRejection> => {
  const text = pasted.trim()
  if (text === "") return Either.left({ kind: "unreadable" })
  const query = (q: string): CallbackParams => Object.fromEntries(new URLSearchParams(q))
  if (/^https?:\/\//i.test(text)) {
    try {
      const url = new URL(text)
      const params = { ...query(url.hash.replace(/^#/, "")), ...query(url.search) }
      return Object.keys(params).length > 0 ? Either.right(params) : Either.left({ kind: "unreadable" })
    } catch {
      return Either.left({ kind: "unreadable" })
    }
  }
  if (text.startsWith("?") || /(^|&)(code|error|state)=/.test(text)) return Either.right(query(text.replace(/^\?/, "")))
  const hash = text.indexOf("#")
  if (hash > 0 && !/\s/.test(text)) return Either.right({ code: text.slice(0, hash), state: text.slice(hash + 1) })
  return Either.left({ kind: "unreadable" })
}

/** `<p>:<email>` when the provider told us who signed in, else `<p>:default`. */
export const loginProfileId = (provider: ProviderId, email: string | undefined): ProfileId =>
  makeProfileId(provider, email ?? "default")
