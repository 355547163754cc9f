import * as Schema from "effect/Schema"
import { CLAUDE_CODE_PROFILE_ID } from "./ClaudeCode.js"

/** Errors of OAuth refresh, login and import (§7); messages say what, where and the fix, and never hold a token. */

/** The token endpoint could not be used: a transport problem or the provider's own `error`. */
export class OAuthHttpError extends Schema.TaggedError<OAuthHttpError>()("OAuthHttpError", {
  /** Host of the token endpoint, e.g. `console.anthropic.com`. */
  host: Schema.String,
  kind: Schema.Literal("http", "network", "timeout", "invalid-response"),
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
      case "invalid-response":
        return `${this.host} answered with something that is not a token response${this.description ? ` (${this.description})` : ""}`
      case "http":
        return `HTTP ${this.status ?? "error"} from ${this.host}${this.description ? ` (${this.description})` : ""}`
    }
  }
  override get message(): string {
    return `OAuth token endpoint failed: ${this.reason}.`
  }
}

export class OAuthRefreshError extends Schema.TaggedError<OAuthRefreshError>()("OAuthRefreshError", {
  provider: Schema.String,
  profileId: Schema.String,
  reason: Schema.String,
  /** The endpoint could not be reached or timed out: worth trying again, not a verdict on the credential. */
  transient: Schema.optional(Schema.Boolean)
}) {
  get fix(): string {
    const login = `openclaw models auth login --provider ${this.provider}`
    return this.profileId === CLAUDE_CODE_PROFILE_ID
      ? `run \`${login}\`, or sign in to Claude Code again (\`claude login\`) and run \`openclaw models auth import --from claude-code\``
      : `run \`${login}\``
  }
  override get message(): string {
    return `OAuth token refresh failed for ${this.provider}: ${this.reason}. Please try again or re-authenticate. Profile: ${this.profileId}; the stored credential was left as it was. Fix: ${this.fix}.`
  }
}

export class OAuthSetupError extends Schema.TaggedError<OAuthSetupError>()("OAuthSetupError", {
  provider: Schema.String,
  problem: Schema.String,
  configPath: Schema.String
}) {
  override get message(): string {
    return `Cannot sign in to ${this.provider} with OAuth: ${this.problem}. Fix: edit ${this.configPath}, or use an API key (\`openclaw models auth paste-api-key --provider ${this.provider}\`).`
  }
}

export class OAuthLoginError extends Schema.TaggedError<OAuthLoginError>()("OAuthLoginError", {
  provider: Schema.String,
  reason: Schema.Literal("denied", "provider-error", "state-mismatch", "no-code", "unreadable", "timeout", "exchange-failed"),
  detail: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const again = `run \`openclaw models auth login --provider ${this.provider}\` again`
    switch (this.reason) {
      case "denied":
        return `Authorization was denied in the browser; nothing was stored. Fix: ${again} and choose to allow access.`
      case "provider-error":
        return `${this.provider} refused the sign-in: ${this.detail ?? "unknown error"}; nothing was stored. Fix: ${again}.`
      case "state-mismatch":
        return `The redirect does not belong to this login (its state parameter does not match), so it was rejected; nothing was stored. It may be from an older attempt or forged. Fix: ${again} and use the newest link.`
      case "no-code":
        return `The redirect carries no authorization code; nothing was stored. Fix: ${again} and paste the whole address of the page the browser ends on.`
      case "unreadable":
        return `That is not a redirect URL (expected the address of the page the browser was sent to, with code and state in it); nothing was stored. Fix: ${again} and paste the whole address.`
      case "timeout":
        return `No answer from the browser within ${this.detail ?? "the time allowed"}; nothing was stored. Fix: ${again}, or add --no-browser to paste the redirect URL instead.`
      case "exchange-failed":
        return `Signing in to ${this.provider} failed at the token exchange: ${this.detail ?? "unknown error"}; nothing was stored. Fix: ${again}.`
    }
  }
}

export class ClaudeCodeImportError extends Schema.TaggedError<ClaudeCodeImportError>()("ClaudeCodeImportError", {
  path: Schema.String,
  problem: Schema.String,
  platform: Schema.String
}) {
  override get message(): string {
    const mac =
      this.platform === "darwin"
        ? " On macOS Claude Code keeps its login in the Keychain instead, so there may be no file to import; use `openclaw models auth login --provider anthropic` there."
        : ""
    return `Cannot import Claude Code's credentials from ${this.path}: ${this.problem}; nothing was stored. Fix: sign in to Claude Code first (\`claude login\`, or /login inside \`claude\`), then run this again.${mac}`
  }
}

export class ImportWouldDowngradeError extends Schema.TaggedError<ImportWouldDowngradeError>()("ImportWouldDowngradeError", {
  profileId: Schema.String,
  path: Schema.String
}) {
  override get message(): string {
    return `${this.path} holds no refresh token, and ${this.profileId} is an OAuth profile with one; it was kept as it is rather than replaced by a token that cannot be refreshed. Fix: sign in to Claude Code again (\`claude login\`) and re-run the import, or remove the profile first (\`openclaw models auth logout --profile-id ${this.profileId}\`).`
  }
}

/** The local callback port could not be opened (taken, or not allowed); login falls back to pasting. */
export class CallbackPortError extends Schema.TaggedError<CallbackPortError>()("CallbackPortError", {
  port: Schema.Number,
  code: Schema.String
}) {
  override get message(): string {
    return `Cannot listen on 127.0.0.1:${this.port} for the sign-in callback (${this.code}).`
  }
}
