import * as Schema from "effect/Schema"

/** Errors of the credential commands (§6.2); messages are what the user reads, with the fix. */

export class ProfileNotFoundError extends Schema.TaggedError<ProfileNotFoundError>()("ProfileNotFoundError", {
  profileId: Schema.String,
  agentDir: Schema.String
}) {
  override get message(): string {
    return `Auth profile "${this.profileId}" not found in ${this.agentDir}. Fix: run \`openclaw models auth list\` to see the stored ids.`
  }
}

export class ProfileProviderMismatchError extends Schema.TaggedError<ProfileProviderMismatchError>()(
  "ProfileProviderMismatchError",
  { profileId: Schema.String, actual: Schema.String, expected: Schema.String }
) {
  override get message(): string {
    return `Auth profile "${this.profileId}" is for ${this.actual}, not ${this.expected}.`
  }
}

export class InvalidSecretError extends Schema.TaggedError<InvalidSecretError>()("InvalidSecretError", {
  kind: Schema.Literal("token", "API key"),
  problem: Schema.String
}) {
  override get message(): string {
    return `Invalid ${this.kind}: ${this.problem}. Nothing was stored.`
  }
}

export class NoSecretInputError extends Schema.TaggedError<NoSecretInputError>()("NoSecretInputError", {
  kind: Schema.Literal("token", "API key"),
  command: Schema.String
}) {
  override get message(): string {
    return `No ${this.kind} on standard input. Fix: run \`${this.command}\` in a terminal to be prompted, or pipe the ${this.kind} into it.`
  }
}

export class NotInteractiveError extends Schema.TaggedError<NotInteractiveError>()("NotInteractiveError", {}) {
  override get message(): string {
    return "setup-token requires an interactive TTY. Fix: run it in a terminal, or create the token with `claude setup-token` elsewhere and pipe it into `openclaw models auth paste-token --provider anthropic`."
  }
}

export class PromptCancelledError extends Schema.TaggedError<PromptCancelledError>()("PromptCancelledError", {}) {
  override get message(): string {
    return "Cancelled; nothing was stored."
  }
}

export class ClaudeCliError extends Schema.TaggedError<ClaudeCliError>()("ClaudeCliError", {
  reason: Schema.Literal("not-found", "failed"),
  exitCode: Schema.optional(Schema.Number),
  detail: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return this.reason === "not-found"
      ? "Claude Code's `claude` program was not found on PATH. Fix: install Claude Code (`npm install -g @anthropic-ai/claude-code`) and run this again, or run `claude setup-token` on a machine that has it and paste the token with `openclaw models auth paste-token --provider anthropic`."
      : `\`claude setup-token\` ${this.exitCode === undefined ? `failed${this.detail ? `: ${this.detail}` : ""}` : `exited with code ${this.exitCode}`}; nothing was stored. Fix: run \`claude setup-token\` by hand to see what went wrong.`
  }
}
