import * as Schema from "effect/Schema"
import { CLAUDE_CODE_PROFILE_ID } from "./ClaudeCode.js"
import { ExplainedError } from "./Errors.js"

/** Errors of OAuth refresh, login and import (§7); messages say what, where and the fix, and never hold a token. */

/** The token endpoint could not be used: a transport problem or the provider's own `error`. */
export class OAuthHttpError extends ExplainedError("OAuthHttpError", {
  /** Host of the token endpoint, e.g. `console.anthropic.com`. */
  host: Schema.String,
  /** `too-large`: the answer passed the token endpoint's size cap and was cut off unread (§8.6, §11). */
  kind: Schema.Literal("http", "network", "timeout", "invalid-response", "too-large"),
  status: Schema.optional(Schema.Number),
  /** The provider's `error` code, e.g. `invalid_grant`. */
  error: Schema.optional(Schema.String),
  /** The provider's `error_description`, tidied of anything token-like. */
  description: Schema.optional(Schema.String)
}) {
  /** One phrase: `invalid_grant (refresh_token_reused)`, `HTTP 503 from example.com`, `timed out after 10s`. */
  get reason(): string {
    if (this.error !== undefined) return `${this.error}${this.description ? ` (${this.description})` : ""}`
    switch (this.kind) {
      case "timeout":
        return `no answer from ${this.host} in time${this.description ? ` (${this.description})` : ""}`
      case "network":
        return `cannot reach ${this.host}${this.description ? ` (${this.description})` : ""}`
      case "too-large":
        return `${this.host} sent a token answer that is too large${this.description ? ` (${this.description})` : ""}`
      case "invalid-response":
        return `${this.host} answered with something that is not a token response${this.description ? ` (${this.description})` : ""}`
      case "http":
        return `HTTP ${this.status ?? "error"} from ${this.host}${this.description ? ` (${this.description})` : ""}`
    }
  }
  get problem(): string {
    return `OAuth token endpoint failed: ${this.reason}`
  }
  // Said by the refresh or login that met it (OAuthRefreshError, OAuthLoginError), which know what to re-run.
  get fix(): undefined {
    return undefined
  }
}

export class OAuthRefreshError extends ExplainedError("OAuthRefreshError", {
  provider: Schema.String,
  profileId: Schema.String,
  reason: Schema.String,
  /** The endpoint could not be reached or timed out: worth trying again, not a verdict on the credential. */
  transient: Schema.optional(Schema.Boolean),
  /** The answer was refused, but the refresh token it rotated was kept (the old one is spent at the provider). */
  keptRotated: Schema.optional(Schema.Boolean)
}) {
  get fix(): string {
    const login = `openclaw models auth login --provider ${this.provider}`
    return this.profileId === CLAUDE_CODE_PROFILE_ID
      ? `run \`${login}\`, or sign in to Claude Code again (\`claude login\`) and run \`openclaw models auth import --from claude-code\``
      : `run \`${login}\``
  }
  get problem(): string {
    const kept = this.keptRotated === true
      ? "only its refresh token was replaced, by the one the provider issued with this answer (the old one is spent), so the next use refreshes again"
      : "the stored credential was left as it was"
    return `OAuth token refresh failed for ${this.provider}: ${this.reason}. Please try again or re-authenticate. Profile: ${this.profileId}; ${kept}`
  }
}

export class OAuthSetupError extends ExplainedError("OAuthSetupError", {
  provider: Schema.String,
  /** What is missing or wrong in the provider's OAuth settings. */
  detail: Schema.String,
  configPath: Schema.String
}) {
  get problem(): string {
    return `Cannot sign in to ${this.provider} with OAuth: ${this.detail}`
  }
  get fix(): string {
    return `edit ${this.configPath}, or use an API key (\`openclaw models auth paste-api-key --provider ${this.provider}\`)`
  }
}

export class OAuthLoginError extends ExplainedError("OAuthLoginError", {
  provider: Schema.String,
  reason: Schema.Literal("denied", "provider-error", "state-mismatch", "no-code", "unreadable", "timeout", "exchange-failed"),
  detail: Schema.optional(Schema.String)
}) {
  get problem(): string {
    switch (this.reason) {
      case "denied":
        return "Authorization was denied in the browser; nothing was stored"
      case "provider-error":
        return `${this.provider} refused the sign-in: ${this.detail ?? "unknown error"}; nothing was stored`
      case "state-mismatch":
        return "The redirect does not belong to this login (its state parameter does not match), so it was rejected; nothing was stored. It may be from an older attempt or forged"
      case "no-code":
        return "The redirect carries no authorization code; nothing was stored"
      case "unreadable":
        return "That is not a redirect URL (expected the address of the page the browser was sent to, with code and state in it); nothing was stored"
      case "timeout":
        return `No answer from the browser within ${this.detail ?? "the time allowed"}; nothing was stored`
      case "exchange-failed":
        return `Signing in to ${this.provider} failed at the token exchange: ${this.detail ?? "unknown error"}; nothing was stored`
    }
  }
  get fix(): string {
    const again = `run \`openclaw models auth login --provider ${this.provider}\` again`
    switch (this.reason) {
      case "denied":
        return `${again} and choose to allow access`
      case "state-mismatch":
        return `${again} and use the newest link`
      case "no-code":
        return `${again} and paste the whole address of the page the browser ends on`
      case "unreadable":
        return `${again} and paste the whole address`
      case "timeout":
        return `${again}, or add --no-browser to paste the redirect URL instead`
      case "provider-error":
      case "exchange-failed":
        return again
    }
  }
}

export class ClaudeCodeImportError extends ExplainedError("ClaudeCodeImportError", {
  path: Schema.String,
  /** What is wrong with the file (missing, unreadable, no token in it …). */
  detail: Schema.String,
  platform: Schema.String
}) {
  get problem(): string {
    return `Cannot import Claude Code's credentials from ${this.path}: ${this.detail}; nothing was stored`
  }
  get fix(): string {
    const mac =
      this.platform === "darwin"
        ? ". On macOS Claude Code keeps its login in the Keychain instead, so there may be no file to import; use `openclaw models auth login --provider anthropic` there"
        : ""
    return `sign in to Claude Code first (\`claude login\`, or /login inside \`claude\`), then run this again${mac}`
  }
}

export class ImportWouldDowngradeError extends ExplainedError("ImportWouldDowngradeError", {
  profileId: Schema.String,
  path: Schema.String
}) {
  get problem(): string {
    return `${this.path} holds no refresh token, and ${this.profileId} is an OAuth profile with one; it was kept as it is rather than replaced by a token that cannot be refreshed`
  }
  get fix(): string {
    return `sign in to Claude Code again (\`claude login\`) and re-run the import, or remove the profile first (\`openclaw models auth logout --profile-id ${this.profileId}\`)`
  }
}

/** The local callback port could not be opened (taken, or not allowed); login falls back to pasting. */
export class CallbackPortError extends ExplainedError("CallbackPortError", {
  port: Schema.Number,
  code: Schema.String
}) {
  get problem(): string {
    return `Cannot listen on 127.0.0.1:${this.port} for the sign-in callback (${this.code})`
  }
  // Never the end of a login: it falls back to pasting the redirect URL, and says so.
  get fix(): undefined {
    return undefined
  }
}
