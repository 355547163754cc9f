import * as ValidationError from "@effect/cli/ValidationError"
import * as Schema from "effect/Schema"
import type {
  ClaudeCliError,
  InvalidSecretError,
  NoSecretInputError,
  NotInteractiveError,
  ProfileNotFoundError,
  ProfileProviderMismatchError,
  PromptCancelledError
} from "../domain/AuthErrors.js"
import { ExplainedError, type StoreError, type UnknownAgentError, type UsageError } from "../domain/Errors.js"
import type {
  ClaudeCodeImportError,
  ImportWouldDowngradeError,
  OAuthLoginError,
  OAuthRefreshError,
  OAuthSetupError
} from "../domain/OAuthErrors.js"
import { escapeControl } from "../domain/Untrusted.js"
import type { GatewaySecretsError, GatewayStartError } from "../gateway/StartError.js"
import type { SecretsExecNotAllowedError, SecretsPlanError, SecretsUnresolvedError } from "../domain/SecretsApplyErrors.js"
import type { SecretsReloadError } from "./secrets/ReloadError.js"

/** A secret given as an argument: refused before anything runs, since shell history and `ps` have seen it. */
export class SecretOnCommandLineError extends ExplainedError("SecretOnCommandLineError", {
  /** The secret as `maskSecret` shows it. */
  masked: Schema.String
}) {
  get problem(): string {
    return `a secret (${this.masked}) was given on the command line, where shell history and \`ps\` can see it; nothing was done`
  }
  get fix(): string {
    return "pipe it on standard input (e.g. `pbpaste | openclaw models auth paste-api-key --provider <p>`) or run the command in a terminal to be prompted, and consider rotating that secret"
  }
}

/**
 * Every way a command can fail. A command that starts failing with something new does not compile until it is
 * added here, and so gets an exit code and a rendering on purpose.
 */
export type CliError =
  | ValidationError.ValidationError
  | SecretOnCommandLineError
  | StoreError
  | UnknownAgentError
  | UsageError
  | ProfileNotFoundError
  | ProfileProviderMismatchError
  | InvalidSecretError
  | NoSecretInputError
  | NotInteractiveError
  | PromptCancelledError
  | ClaudeCliError
  | OAuthRefreshError
  | OAuthSetupError
  | OAuthLoginError
  | ClaudeCodeImportError
  | ImportWouldDowngradeError
  | GatewayStartError
  | SecretsPlanError
  | SecretsExecNotAllowedError
  | SecretsUnresolvedError
  | GatewaySecretsError
  | SecretsReloadError

/** Exit codes are 0 (done), 2 (`models status --check` found a problem: not a failure) and 1 for every failure. */
export const exitCodeOf = (_: CliError): number => 1

/**
 * What stderr shows: one line with the problem and the fix — escaped (§11), since problems quote ids, paths and
 * providers' text. A usage error says what was wrong (`usage`: ./help/UsageMessage.ts, worked out from the
 * arguments), then which help to read (`command`, the one the arguments named).
 */
export const renderError = (e: CliError, usage?: { readonly problem: string; readonly command: string }): string =>
  ValidationError.isValidationError(e)
    ? `openclaw: ${usage?.problem ?? "invalid arguments"}\nRun \`${escapeControl(usage?.command ?? "openclaw")} --help\` for usage.`
    : `openclaw: ${escapeControl(e.message)}`
