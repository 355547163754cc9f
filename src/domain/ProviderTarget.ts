import * as Option from "effect/Option"
import type { ProviderAuth, ProviderTarget } from "./Chat.js"
import { type OpenClawConfig, textHeaders } from "./Config.js"
import { type ApiShape, type ProviderId, providerInfo } from "./Provider.js"
import type { Resolved } from "./Resolve.js"
import * as Redacted from "effect/Redacted"

const SHAPES: ReadonlyArray<ApiShape> = ["anthropic-messages", "openai-completions"]

/** §8.6: `gateway.limits.maxProviderBodyBytes` when not configured. */
export const DEFAULT_MAX_PROVIDER_BODY_BYTES = 32 * 1024 * 1024

/** Base URL, API shape and headers: `models.providers.<p>` over the §4.2 table; the body limit of §8.6. */
export const providerTarget = (config: OpenClawConfig, provider: ProviderId): ProviderTarget | undefined => {
  const custom = config.models?.providers?.[provider]
  const known = Option.getOrUndefined(providerInfo(provider))
  const baseUrl = custom?.baseUrl ?? known?.baseUrl
  if (baseUrl === undefined) return undefined
  const api = SHAPES.find((s) => s === custom?.api) ?? known?.api ?? "openai-completions"
  return {
    provider,
    api,
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers: textHeaders(custom?.headers),
    maxBodyBytes: config.gateway?.limits?.maxProviderBodyBytes ?? DEFAULT_MAX_PROVIDER_BODY_BYTES
  }
}

/** How a resolved credential travels in a request. */
export const providerAuth = (resolved: Resolved): ProviderAuth => {
  switch (resolved.kind) {
    case "profile": {
      const c = resolved.credential
      if (c.type === "api_key") return { kind: "api_key", secret: c.key }
      if (c.type === "token") return { kind: "token", secret: c.token }
      return { kind: "token", secret: c.access ?? c.refresh }
    }
    case "env":
      return { kind: resolved.isToken ? "token" : "api_key", secret: Redacted.make(resolved.value) }
    case "config":
      return { kind: "api_key", secret: Redacted.make(resolved.value) }
    case "none":
      return { kind: "none", secret: undefined }
  }
}
