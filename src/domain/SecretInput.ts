import * as Either from "effect/Either"
import type { ProviderId } from "./Provider.js"

/** Pasted secrets often carry line breaks from a terminal wrap or a trailing newline: all whitespace goes. */
export const normalizeSecretInput = (raw: string): string => raw.replace(/\s+/g, "")

const SETUP_TOKEN_PREFIX = "sk-ant-oat01-"
const SETUP_TOKEN_MIN_LENGTH = 80

/** §6.2: an Anthropic token must be a setup-token. */
export const validateToken = (provider: ProviderId, token: string): Either.Either<string, string> => {
  if (token === "") return Either.left("no token was given")
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
  if (provider === "anthropic" && key.startsWith(SETUP_TOKEN_PREFIX)) {
    return Either.left(
      "this is a Claude setup-token, not an API key: store it with `openclaw models auth paste-token --provider anthropic`"
    )
  }
  if (key.length < 8) return Either.left(`the key is only ${key.length} characters: paste the whole key`)
  return Either.right(key)
}
