import * as Schema from "effect/Schema"
import { ExplainedError } from "./Errors.js"

/** Why `secrets apply` wrote nothing (§9). Problems name targets, refs and files, never a value. */

/** Problems shown in the one message line; a plan with thousands of bad targets would otherwise print them all. */
export const LISTED_PROBLEMS = 10

const list = (items: ReadonlyArray<string>): string => {
  if (items.length === 1) return items[0]!
  const shown = items.slice(0, LISTED_PROBLEMS).map((p, i) => `(${i + 1}) ${p}`)
  const more = items.length - shown.length
  return more > 0 ? `${shown.join("; ")}; … and ${more} more` : shown.join("; ")
}

export class SecretsPlanError extends ExplainedError("SecretsPlanError", {
  /** The plan file, or `the plan` when it came from the wizard. */
  source: Schema.String,
  problems: Schema.Array(Schema.String)
}) {
  get problem(): string {
    return `${this.source} cannot be applied: ${list(this.problems)}. Nothing was written`
  }
  get fix(): string {
    return "correct those targets (see the plan contract in `openclaw secrets apply --help`) or make a new plan with `openclaw secrets configure`"
  }
}

export class SecretsExecNotAllowedError extends ExplainedError("SecretsExecNotAllowedError", {
  /** What in the plan would run a command: `ref exec:vault`, `provider vault`. */
  uses: Schema.Array(Schema.String)
}) {
  get problem(): string {
    return `the plan uses exec secrets providers (${this.uses.join(", ")}), which run commands to resolve refs; nothing was written`
  }
  get fix(): string {
    return "check the commands under secrets.providers, then run again with --allow-exec"
  }
}

export class SecretsUnresolvedError extends ExplainedError("SecretsUnresolvedError", {
  /** `<path> (<ref label>): <reason>` each. */
  unresolved: Schema.Array(Schema.String)
}) {
  get problem(): string {
    const n = this.unresolved.length
    return `${n} ref${n === 1 ? "" : "s"} of the plan did not resolve: ${list(this.unresolved)}. Nothing was written`
  }
  get fix(): string {
    return "make every ref resolve (set the variable, fix the file or the command), then run again; --dry-run checks without writing"
  }
}
