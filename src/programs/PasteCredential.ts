import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import {
  ClaudeCliError,
  InvalidSecretError,
  NoSecretInputError,
  NotInteractiveError,
  PromptCancelledError
} from "../domain/AuthErrors.js"
import { ApiKeyCredential, TokenCredential } from "../domain/Credential.js"
import { parseExpiresIn, parseLifetimeAnswer, SETUP_TOKEN_LIFETIME_MS } from "../domain/Duration.js"
import { UsageError } from "../domain/Errors.js"
import type { ProfileId } from "../domain/ProfileId.js"
import { normalizeProvider, type ProviderId } from "../domain/Provider.js"
import { normalizeSecretInput, validateApiKey, validateToken } from "../domain/SecretInput.js"
import { ClaudeCli } from "../services/ClaudeCli.js"
import { Prompter } from "../services/Prompter.js"
import { type AuthContext, checkedProfileId, checkedProvider, loadAuthContext } from "./AuthContext.js"
import { askUntil } from "./OnboardWizard.js"
import { storeCredential } from "./StoreCredential.js"
import { preflightRef, refArgument } from "./RefPreflight.js"
import { type SecretRef, secretRefLabel } from "../domain/SecretRef.js"

export interface PasteOptions {
  readonly provider: string
  readonly profileId: string | undefined
  readonly agent: string | undefined
  /** `--ref <source>:<provider>:<id>`: store a SecretRef instead of reading a secret (§9). */
  readonly ref?: string | undefined
}

const expiresInMs = (raw: string | undefined, fallback: number | undefined) =>
  raw === undefined
    ? Effect.succeed(fallback)
    : Either.mapLeft(
        parseExpiresIn(raw),
        (problem) => new UsageError({ problem: `--expires-in ${problem}`, fix: "for example --expires-in 365d" })
      )

/**
 * With `--ref`: the ref, after its value resolved and passed the same checks a pasted secret does (the value is
 * not kept). Nothing is read from the terminal or standard input.
 */
const checkedRef = (ctx: AuthContext, kind: "token" | "API key", provider: ProviderId, text: string) =>
  Effect.gen(function* () {
    const ref = yield* refArgument(text)
    const value = normalizeSecretInput(yield* preflightRef(ctx, ref))
    const valid = kind === "token" ? validateToken(provider, value) : validateApiKey(provider, value)
    yield* Either.mapLeft(valid, (problem) => new InvalidSecretError({ kind, detail: `${secretRefLabel(ref)} resolves to an unusable value: ${problem}` }))
    return ref
  })

/** Reads a secret (hidden prompt or stdin), strips whitespace and validates it; never echoes it. */
const readSecret = (kind: "token" | "API key", provider: ProviderId, command: string) =>
  Effect.gen(function* () {
    const prompter = yield* Prompter
    const input = yield* prompter.readSecret(`Paste the ${kind} for ${provider} (input is hidden)`)
    if (Option.isNone(input)) return yield* new NoSecretInputError({ kind, command })
    const secret = normalizeSecretInput(Redacted.value(input.value))
    const valid = kind === "token" ? validateToken(provider, secret) : validateApiKey(provider, secret)
    return Redacted.make(yield* Either.mapLeft(valid, (problem) => new InvalidSecretError({ kind, detail: problem })))
  })

const storeToken = (
  ctx: AuthContext,
  provider: ProviderId,
  profileId: ProfileId,
  token: Redacted.Redacted<string> | SecretRef,
  lifetime: number | undefined
) =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const credential = new TokenCredential({
      type: "token",
      provider,
      ...(Redacted.isRedacted(token) ? { token } : { tokenRef: token }),
      ...(lifetime === undefined ? {} : { expires: now + lifetime })
    })
    return yield* storeCredential(ctx, profileId, credential)
  })

/**
 * Without `--expires-in`, on a terminal: how long the pasted token lives, so `status --check` can warn before it
 * dies instead of calling it static. Enter takes 365d for an Anthropic setup-token (they live a year), else never.
 */
const askLifetime = (provider: ProviderId, token: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    const fallback = Redacted.value(token).startsWith("sk-ant-oat01-") ? "365d" : "never"
    const prompter = yield* Prompter
    return yield* askUntil(
      prompter.text(`How long is this ${provider} token valid? (30d, 1y, never)`, fallback),
      (raw) =>
        Either.mapLeft(
          parseLifetimeAnswer(raw, fallback),
          (problem) => new UsageError({ problem, fix: "pass --expires-in, for example --expires-in 365d (or never)" })
        ),
      (e) => `${e.problem}, or never.`
    )
  })

/** `models auth paste-token` (§6.2). Everything that can fail without the secret is checked before asking for it. */
export const pasteToken = Effect.fn("Auth.pasteToken")(function* (opts: PasteOptions & { readonly expiresIn: string | undefined }) {
  const lifetime = yield* expiresInMs(opts.expiresIn, undefined)
  const ctx = yield* loadAuthContext(opts.agent)
  const provider = yield* checkedProvider(ctx, opts.provider)
  const profileId = yield* checkedProfileId(provider, opts.profileId ?? "manual")
  if (opts.ref !== undefined) {
    return yield* storeToken(ctx, provider, profileId, yield* checkedRef(ctx, "token", provider, opts.ref), lifetime)
  }
  const token = yield* readSecret("token", provider, `openclaw models auth paste-token --provider ${provider}`)
  // Piped (a script): no question; as before, no --expires-in stores a token without expiry.
  const asked = opts.expiresIn === undefined && (yield* Prompter).interactive ? yield* askLifetime(provider, token) : lifetime
  return yield* storeToken(ctx, provider, profileId, token, asked)
})

/** `models auth paste-api-key` (§6.2). */
export const pasteApiKey = Effect.fn("Auth.pasteApiKey")(function* (opts: PasteOptions) {
  const ctx = yield* loadAuthContext(opts.agent)
  const provider = yield* checkedProvider(ctx, opts.provider)
  const profileId = yield* checkedProfileId(provider, opts.profileId ?? "default")
  if (opts.ref !== undefined) {
    const keyRef = yield* checkedRef(ctx, "API key", provider, opts.ref)
    return yield* storeCredential(ctx, profileId, new ApiKeyCredential({ type: "api_key", provider, keyRef }))
  }
  const key = yield* readSecret("API key", provider, `openclaw models auth paste-api-key --provider ${provider}`)
  return yield* storeCredential(ctx, profileId, new ApiKeyCredential({ type: "api_key", provider, key }))
})

/**
 * `models auth setup-token` (§6.2): runs `claude setup-token` on this terminal, then takes the token it printed.
 * Setup-tokens live a year, so the default expiry lets `status --check` warn before it dies.
 */
export const setupToken = Effect.fn("Auth.setupToken")(function* (
  opts: PasteOptions & { readonly expiresIn: string | undefined; readonly yes: boolean }
) {
  const provider = normalizeProvider(opts.provider)
  if (provider !== "anthropic") {
    return yield* new UsageError({
      problem: `setup-token only works with --provider anthropic (it runs Claude Code's \`claude setup-token\`), not ${provider}`,
      fix: `store the ${provider} token with \`openclaw models auth paste-token --provider ${provider}\``
    })
  }
  const profileId = yield* checkedProfileId(provider, opts.profileId ?? "manual")
  const lifetime = yield* expiresInMs(opts.expiresIn, SETUP_TOKEN_LIFETIME_MS)
  const prompter = yield* Prompter
  if (!prompter.interactive) return yield* new NotInteractiveError()
  const ctx = yield* loadAuthContext(opts.agent)
  if (!opts.yes) {
    const go = yield* prompter.confirm("Run `claude setup-token` now? It signs in with your Claude account and prints a token.", true)
    if (!go) return yield* new PromptCancelledError()
  }
  yield* (yield* ClaudeCli).setupToken
  const token = yield* readSecret("token", provider, "openclaw models auth paste-token --provider anthropic")
  return yield* storeToken(ctx, provider, profileId, token, lifetime)
})

export type { ClaudeCliError }
