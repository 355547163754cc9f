import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** A model vendor id, lower-case and alias-normalised (§1). */
export const ProviderId = Schema.String.pipe(Schema.brand("ProviderId"))
export type ProviderId = typeof ProviderId.Type

export type ApiShape = "anthropic-messages" | "openai-completions"

export interface ProviderInfo {
  readonly id: ProviderId
  /** Environment variables that carry a key, earlier names win (§4.2). */
  readonly envVars: ReadonlyArray<string>
  readonly api: ApiShape
  readonly baseUrl: string
}

const info = (id: string, envVars: ReadonlyArray<string>, api: ApiShape, baseUrl: string): ProviderInfo => ({
  id: id as ProviderId,
  envVars,
  api,
  baseUrl
})

/** §4.2, in display order. */
export const PROVIDERS: ReadonlyArray<ProviderInfo> = [
  info("anthropic", ["ANTHROPIC_OAUTH_TOKEN", "ANTHROPIC_API_KEY"], "anthropic-messages", "https://api.anthropic.com"),
  info("openai", ["OPENAI_API_KEY"], "openai-completions", "https://api.openai.com/v1"),
  info("openrouter", ["OPENROUTER_API_KEY"], "openai-completions", "https://openrouter.ai/api/v1"),
  info("google", ["GEMINI_API_KEY"], "openai-completions", "https://generativelanguage.googleapis.com/v1beta/openai"),
  info("groq", ["GROQ_API_KEY"], "openai-completions", "https://api.groq.com/openai/v1"),
  info("mistral", ["MISTRAL_API_KEY"], "openai-completions", "https://api.mistral.ai/v1"),
  info("xai", ["XAI_API_KEY"], "openai-completions", "https://api.x.ai/v1"),
  info("deepseek", ["DEEPSEEK_API_KEY"], "openai-completions", "https://api.deepseek.com/v1"),
  info("together", ["TOGETHER_API_KEY"], "openai-completions", "https://api.together.xyz/v1"),
  info("ollama", ["OLLAMA_API_KEY"], "openai-completions", "http://127.0.0.1:11434/v1")
]

/** Deliberately small: only names users actually type for the same vendor. */
export const ALIASES: Readonly<Record<string, string>> = {
  claude: "anthropic",
  "claude-code": "anthropic",
  gemini: "google",
  grok: "xai",
  "x-ai": "xai",
  "open-router": "openrouter",
  "together-ai": "together",
  togetherai: "together"
}

export const normalizeProvider = (raw: string): ProviderId => {
  const id = raw.trim().toLowerCase()
  // hasOwn: `constructor` and `__proto__` are names a user can type, not lookups into Object.prototype.
  return (Object.hasOwn(ALIASES, id) ? ALIASES[id]! : id) as ProviderId
}

export const providerInfo = (id: ProviderId): Option.Option<ProviderInfo> =>
  Option.fromNullable(PROVIDERS.find((p) => p.id === id))

/** The first variable name is the one we suggest to users. */
export const primaryEnvVar = (id: ProviderId): string =>
  providerInfo(id).pipe(
    Option.flatMap((p) => Option.fromNullable(p.envVars.find((v) => !v.includes("OAUTH_TOKEN")))),
    Option.getOrElse(() => `${id.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_API_KEY`)
  )

/** A variable whose name contains OAUTH_TOKEN carries a token, not an API key (§4.2). */
export const isTokenEnvVar = (name: string): boolean => name.includes("OAUTH_TOKEN")

const LOOPBACK_HOSTS = new Set(["localhost", "[::1]", "::1"])

export const isLoopbackUrl = (url: string): boolean => {
  try {
    const host = new URL(url).hostname.toLowerCase()
    return LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host)
  } catch {
    return false
  }
}
