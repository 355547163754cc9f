import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { credentialFromGrant, decodeTokenGrant } from "../domain/OAuth.js"
import { OAuthLoginError } from "../domain/OAuthErrors.js"
import {
  authorizeUrl,
  type CallbackParams,
  checkCallback,
  codeExchangeParams,
  type LoginRejection,
  loginProfileId,
  loopbackRedirectUri,
  parsePastedRedirect,
  pkceChallenge,
  pkceVerifier,
  randomState
} from "../domain/OAuthLogin.js"
import type { OAuthEndpoints } from "../domain/OAuthProviders.js"
import type { ProviderId } from "../domain/Provider.js"
import { Browser } from "../services/Browser.js"
import { OAuthCallback } from "../services/OAuthCallback.js"
import { OAuthHttp } from "../services/OAuthHttp.js"
import { Progress } from "../services/Progress.js"
import { Prompter } from "../services/Prompter.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { SecureRandom } from "../services/SecureRandom.js"
import { checkedProfileId, checkedProvider, loadAuthContext } from "./AuthContext.js"
import { oauthEndpointsFor } from "./OAuthRefresh.js"
import { storeCredential } from "./StoreCredential.js"

export interface LoginOptions {
  readonly provider: string
  readonly profileId: string | undefined
  readonly noBrowser: boolean
  readonly agent: string | undefined
}

/** How long the local callback waits for the browser. */
const CALLBACK_WAIT = Duration.minutes(5)
const EXCHANGE_TIMEOUT_MS = 30_000

interface Pkce {
  readonly verifier: string
  readonly challenge: string
  readonly state: string
}

interface Received {
  readonly params: CallbackParams
  readonly redirectUri: string
}

const rejected = (provider: ProviderId, r: LoginRejection) =>
  new OAuthLoginError({
    provider,
    reason: r.kind,
    ...(r.kind === "provider-error" ? { detail: r.description ? `${r.error} (${r.description})` : r.error } : {})
  })

/** Browser on this machine: a one-shot server on 127.0.0.1 receives the redirect. `undefined` if the port is taken. */
const viaCallback = (provider: ProviderId, endpoints: OAuthEndpoints, pkce: Pkce) =>
  Effect.scoped(
    Effect.gen(function* () {
      const callback = yield* OAuthCallback
      const listening = yield* Effect.either(
        callback.listen({ port: endpoints.callbackPort ?? 0, path: endpoints.redirectPath, expectedState: pkce.state })
      )
      if (Either.isLeft(listening)) {
        yield* Console.log(`${listening.left.message} Falling back to pasting the redirect URL.`)
        return undefined
      }
      const redirectUri = loopbackRedirectUri(listening.right.port, endpoints.redirectPath)
      const url = authorizeUrl(endpoints, { redirectUri, challenge: pkce.challenge, state: pkce.state })
      yield* Console.log(`Sign in to ${provider} in your browser. If it does not open, open this URL:\n\n  ${url}\n`)
      const opened = yield* (yield* Browser).open(url)
      if (!opened) yield* Console.log("Could not start a browser; open the URL above yourself.")
      yield* Console.log(`Waiting for the browser to come back to ${redirectUri} (up to 5 minutes; Ctrl-C to cancel)…`)
      const params = yield* (yield* Progress).during(
        "Waiting for the browser…",
        listening.right.next.pipe(
          Effect.timeoutFail({ duration: CALLBACK_WAIT, onTimeout: () => new OAuthLoginError({ provider, reason: "timeout", detail: "5 minutes" }) })
        )
      )
      return { params, redirectUri } satisfies Received
    })
  )

/** Headless: the user opens the URL anywhere and pastes back where the browser ended up. */
const viaPaste = (provider: ProviderId, endpoints: OAuthEndpoints, pkce: Pkce) =>
  Effect.gen(function* () {
    const random = yield* (yield* SecureRandom).bytes(2)
    // Nothing listens here; the browser shows an error page whose address carries the code.
    const port = endpoints.callbackPort ?? 49152 + (((random[0]! << 8) | random[1]!) % 16384)
    const redirectUri = endpoints.manualRedirectUri ?? loopbackRedirectUri(port, endpoints.redirectPath)
    const url = authorizeUrl(endpoints, { redirectUri, challenge: pkce.challenge, state: pkce.state })
    yield* Console.log(`Open this URL in a browser on any machine, sign in to ${provider} and allow access:\n\n  ${url}\n`)
    yield* Console.log(
      endpoints.manualRedirectUri !== undefined
        ? "The page then shows a code; paste it here (it looks like code#state)."
        : `The browser is then sent to ${redirectUri}?code=… — a page that will not load there. Copy that page's full address from the address bar and paste it here.`
    )
    // Hidden like every other secret we read: the address carries the one-time authorization code.
    const pasted = yield* (yield* Prompter).readSecret("Redirect URL or code (input is hidden)")
    const params = yield* Either.mapLeft(
      parsePastedRedirect(Option.match(pasted, { onNone: () => "", onSome: Redacted.value })),
      (r) => rejected(provider, r)
    )
    return { params, redirectUri } satisfies Received
  })

/**
 * `models auth login` (§7): PKCE authorization-code flow (S256, random state), the redirect received on
 * 127.0.0.1 or pasted when headless, code exchanged once, the result stored as an `oauth` profile named after
 * the account's email when the provider gives one.
 */
export const loginOAuth = Effect.fn("OAuth.login")(function* (opts: LoginOptions) {
  const ctx = yield* loadAuthContext(opts.agent)
  const provider = yield* checkedProvider(ctx, opts.provider)
  // Before the browser opens: a login whose result could not be stored under the id asked for is not started.
  const asked = opts.profileId === undefined ? undefined : yield* checkedProfileId(provider, opts.profileId)
  const endpoints = yield* oauthEndpointsFor(ctx, provider)
  const random = yield* SecureRandom
  const verifier = pkceVerifier(yield* random.bytes(32))
  const pkce: Pkce = { verifier, challenge: pkceChallenge(yield* random.sha256(verifier)), state: randomState(yield* random.bytes(24)) }

  const browser = yield* Browser
  const received =
    (!opts.noBrowser && browser.available ? yield* viaCallback(provider, endpoints, pkce) : undefined) ??
    (yield* viaPaste(provider, endpoints, pkce))

  const code = yield* Either.mapLeft(checkCallback(received.params, pkce.state), (r) => rejected(provider, r))
  const secrets = yield* SecretRegistry
  yield* secrets.register([code, pkce.verifier])
  const exchange = (yield* OAuthHttp).requestToken({
    url: endpoints.tokenUrl,
    params: codeExchangeParams(endpoints, { code, verifier: pkce.verifier, redirectUri: received.redirectUri, state: pkce.state }),
    encoding: endpoints.tokenEncoding,
    timeoutMs: EXCHANGE_TIMEOUT_MS
  })
  const json = yield* (yield* Progress)
    .during(`Signing in to ${provider}…`, exchange)
    .pipe(Effect.mapError((e) => new OAuthLoginError({ provider, reason: "exchange-failed", detail: e.reason })))
  const grant = yield* Either.mapLeft(
    decodeTokenGrant(json),
    (problem) => new OAuthLoginError({ provider, reason: "exchange-failed", detail: problem })
  )
  yield* secrets.register([grant.access, grant.refresh])
  const now = yield* Clock.currentTimeMillis
  const credential = credentialFromGrant(provider, grant, now, { clientId: endpoints.clientId })
  const profileId = asked ?? loginProfileId(provider, grant.email)
  return yield* storeCredential(ctx, profileId, credential)
})
