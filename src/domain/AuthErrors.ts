import * as Schema from "effect/Schema"
import { ExplainedError } from "./Errors.js"

/** Errors of the credential commands (§6.2); what the user reads, with the fix. */

export class ProfileNotFoundError extends ExplainedError("ProfileNotFoundError", {
  profileId: Schema.String,
  agentDir: Schema.String
}) {
  get problem(): string {
    return `Auth profile "${this.profileId}" not found in ${this.agentDir}`
  }
  get fix(): string {
    return "run `openclaw models auth list` to see the stored ids"
  }
}

export class ProfileProviderMismatchError extends ExplainedError(
  "ProfileProviderMismatchError",
  { profileId: Schema.String, actual: Schema.String, expected: Schema.String }
) {
  get problem(): string {
    return `Auth profile "${this.profileId}" is for ${this.actual}, not ${this.expected}`
  }
  // The profile exists and works; the user named the wrong one, which the problem already says.
  get fix(): undefined {
    return undefined
  }
}

export class InvalidSecretError extends ExplainedError("InvalidSecretError", {
  kind: Schema.Literal("token", "API key"),
  /** What is wrong with it, and where it belongs instead when it is another kind of secret. */
  detail: Schema.String
}) {
  get problem(): string {
    return `Invalid ${this.kind}: ${this.detail}. Nothing was stored`
  }
  get fix(): undefined {
    return undefined
  }
}

export class NoSecretInputError extends ExplainedError("NoSecretInputError", {
  kind: Schema.Literal("token", "API key"),
  command: Schema.String
}) {
  get problem(): string {
    return `No ${this.kind} on standard input`
  }
  get fix(): string {
    return `run \`${this.command}\` in a terminal to be prompted, or pipe the ${this.kind} into it`
  }
}

export class NotInteractiveError extends ExplainedError("NotInteractiveError", {}) {
  get problem(): string {
    return "setup-token requires an interactive TTY"
  }
  get fix(): string {
    return "run it in a terminal, or create the token with `claude setup-token` elsewhere and pipe it into `openclaw models auth paste-token --provider anthropic`"
  }
}

export class PromptCancelledError extends ExplainedError("PromptCancelledError", {}) {
  get problem(): string {
    return "Cancelled; nothing was stored"
  }
  // The user chose to stop: nothing to fix.
  get fix(): undefined {
    return undefined
  }
}

export class ClaudeCliError extends ExplainedError("ClaudeCliError", {
  // cancelled: the user pressed Ctrl-C while claude had the terminal (claude died of SIGINT or exited 130).
  reason: Schema.Literal("not-found", "failed", "cancelled"),
  exitCode: Schema.optional(Schema.Number),
  detail: Schema.optional(Schema.String)
}) {
  get problem(): string {
    if (this.reason === "not-found") return "Claude Code's `claude` program was not found on PATH"
    if (this.reason === "cancelled") return "Cancelled; nothing was stored"
    const what = this.exitCode === undefined ? `failed${this.detail ? `: ${this.detail}` : ""}` : `exited with code ${this.exitCode}`
    return `\`claude setup-token\` ${what}; nothing was stored`
  }
  get fix(): string | undefined {
    if (this.reason === "cancelled") return undefined
    return this.reason === "not-found"
      ? "install Claude Code (`npm install -g @anthropic-ai/claude-code`) and run this again, or run `claude setup-token` on a machine that has it and paste the token with `openclaw models auth paste-token --provider anthropic`"
      : "run `claude setup-token` by hand to see what went wrong"
  }
}
