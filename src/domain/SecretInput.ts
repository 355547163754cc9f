import * as Either from "effect/Either"
import type { ProviderId } from "./Provider.js"

/** Pasted secrets often carry line breaks from a terminal wrap or a trailing newline: all whitespace goes. */
export const normalizeSecretInput = (raw: string): string => raw.replace(/\s+/g, "")

const SETUP_TOKEN_PREFIX = "sk-ant-oat01-"

/**
 * Prefixes that only one vendor issues (§6 "Command-line manners"): such a secret under another provider is a
 * mix-up that would only surface as a 401 later. Plain `sk-` is shared by several vendors, so it says nothing.
 */
const VENDOR_PREFIXES: ReadonlyArray<readonly [prefix: string, provider: string, vendor: string]> = [
  ["sk-ant-", "anthropic", "Anthropic"],
  ["sk-or-", "openrouter", "OpenRouter"],
  ["sk-proj-", "openai", "OpenAI"],
  ["sk-svcacct-", "openai", "OpenAI"],
  ["gsk_", "groq", "Groq"],
  ["xai-", "xai", "xAI"],
  ["AIza", "google", "Google"]
]

/** Providers that pass keys through to someone else's account (a local server) are not second-guessed. */
const CHECKED_PROVIDERS = new Set(["anthropic", "openai", "openrouter", "google", "groq", "mistral", "xai", "deepseek", "together"])

const foreignSecret = (provider: ProviderId, secret: string, kind: "token" | "API key"): string | undefined => {
  if (!CHECKED_PROVIDERS.has(provider)) return undefined
  const owner = VENDOR_PREFIXES.find(([prefix]) => secret.startsWith(prefix))
  if (owner === undefined || owner[1] === provider) return undefined
  const [prefix, ownerId, vendor] = owner
  const command = kind === "token" ? "paste-token" : "paste-api-key"
  return (
    `this ${kind} starts with ${prefix}, which ${vendor} issues, so it will not work for ${provider}: ` +
    `store it with \`openclaw models auth ${command} --provider ${ownerId}\`, or paste the ${provider} ${kind}`
  )
}
const SETUP_TOKEN_MIN_LENGTH = 80

/**
 * Keys and tokens are visible ASCII: they are sent in HTTP headers. Anything else in a paste (an escape sequence
 * from the terminal, a NUL, U+FFFD where the bytes were not UTF-8, a direction override) would only surface as a
 * failed request later, so it is refused now — by position and code point, never by showing the character.
 */
const unusableCharacter = (secret: string, kind: "token" | "API key"): string | undefined => {
  const odd = unsendableCharacter(secret)
  return odd === undefined ? undefined : `the ${kind} holds ${odd.what} at position ${odd.position}, which no ${kind} has: paste it again from where it was issued`
}

/**
 * The first character of a secret that cannot go in an HTTP header (anything but visible ASCII), named by its kind
 * and 1-based position, never shown. The same rule for a paste and for a secret that came from a file, `.env` or a
 * resolver: such a key fails every request, so it is reported where it is, not blamed on the network later. A
 * stored secret may hold spaces (a header value can carry them; a paste cannot, as no key has one).
 */
export const unsendableCharacter = (
  secret: string,
  spaces: "refused" | "allowed" = "refused"
): { readonly what: string; readonly position: number } | undefined => {
  for (let i = 0; i < secret.length; i++) {
    const c = secret.charCodeAt(i)
    if ((c >= 0x21 && c <= 0x7e) || (c === 0x20 && spaces === "allowed")) continue
    const cp = secret.codePointAt(i)!
    const what =
      cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)
        ? "a control character"
        : cp === 0x20
          ? "a space"
          : cp === 0xfffd
            ? "U+FFFD, which stands for bytes that were not UTF-8"
            : `U+${cp.toString(16).toUpperCase().padStart(4, "0")}, which is not ASCII`
    return { what, position: i + 1 }
  }
  return undefined
}

/** §6.2: an Anthropic token must be a setup-token. */
export const validateToken = (provider: ProviderId, token: string): Either.Either<string, string> => {
  if (token === "") return Either.left("no token was given")
  const odd = unusableCharacter(token, "token")
  if (odd !== undefined) return Either.left(odd)
  const foreign = foreignSecret(provider, token, "token")
  if (foreign !== undefined) return Either.left(foreign)
  if (provider !== "anthropic") return Either.right(token)
  if (token.startsWith("sk-ant-api")) {
    return Either.left(
      "this is an Anthropic API key, not a setup-token: store it with `openclaw models auth paste-api-key --provider anthropic`"
    )
  }
  if (!token.startsWith(SETUP_TOKEN_PREFIX)) {
    return Either.left(`an Anthropic setup-token starts with ${SETUP_TOKEN_PREFIX} (run \`claude setup-token\` to create one)`)
  }
  if (token.length < SETUP_TOKEN_MIN_LENGTH) {
    return Either.left(
      `the token is ${token.length} characters, but setup-tokens are at least ${SETUP_TOKEN_MIN_LENGTH}: it was probably cut off, paste the whole token`
    )
  }
  return Either.right(token)
}

export const validateApiKey = (provider: ProviderId, key: string): Either.Either<string, string> => {
  if (key === "") return Either.left("no API key was given")
  const odd = unusableCharacter(key, "API key")
  if (odd !== undefined) return Either.left(odd)
  const foreign = foreignSecret(provider, key, "API key")
  if (foreign !== undefined) return Either.left(foreign)
  if (provider === "anthropic" && key.startsWith(SETUP_TOKEN_PREFIX)) {
    return Either.left(
      "this is a Claude setup-token, not an API key: store it with `openclaw models auth paste-token --provider anthropic`"
    )
  }
  if (key.length < 8) return Either.left(`the key is only ${key.length} characters: paste the whole key`)
  return Either.right(key)
}
