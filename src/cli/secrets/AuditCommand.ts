import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import { type AuditReport, type AuditSeverity, auditExitCode } from "../../domain/SecretAudit.js"
import { escapeControl as esc } from "../../domain/Untrusted.js"
import { HostProcess } from "../../services/HostProcess.js"
import { ExitCode } from "../ExitCode.js"
import { jsonOption } from "../SharedOptions.js"

const check = Options.boolean("check").pipe(
  Options.withDescription(
    "Exit 2 if any reference does not resolve (or a file cannot be read); else 1 if there is any finding (at --severity-min or above); else 0. Without --check the exit code is 0 whatever is found."
  )
)
const allowExec = Options.boolean("allow-exec").pipe(
  Options.withDescription("Also run exec secrets providers to check their references (they are skipped, not failed, without it).")
)
const severityMin = Options.choice("severity-min", ["info", "warn", "warning", "error"]).pipe(
  Options.withDescription("With --check: the least severe finding that makes it exit 1 (unresolved references always exit 2)."),
  Options.withDefault("info" as const)
)

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`

/** One line per finding (code, severity, file, path, message) with its fix below, then the totals and what to do. */
export const renderAuditText = (report: AuditReport): string => {
  const s = report.summary
  const lines = [`Secrets audit: ${report.status} (${plural(report.filesScanned.length, "file")} scanned)`]
  // Files, paths and reasons come from outside (§11): escaped; the program's own words hold no control characters.
  for (const f of report.findings) {
    lines.push(`${f.code} [${f.severity}] ${esc(f.file)} ${esc(f.jsonPath)}: ${esc(f.message)}`, `  fix: ${esc(f.fix)}`)
  }
  const r = report.resolution
  lines.push(
    `Summary: ${s.plaintextCount} plaintext, ${s.unresolvedRefCount} unresolved, ${s.shadowedRefCount} shadowed, ${s.legacyResidueCount} legacy residue; ` +
      `${plural(r.refsChecked, "reference")} checked` +
      (r.skippedExecRefs > 0 ? `, ${plural(r.skippedExecRefs, "exec reference")} not checked (run with --allow-exec to check them)` : "")
  )
  if (report.findings.length > 0) {
    lines.push(
      "Next: `openclaw secrets configure` maps plain values to references (or write a plan and `openclaw secrets apply --from <plan>`), then `openclaw secrets audit --check` again."
    )
  }
  return lines.join("\n")
}

export const auditCommand = Command.make("audit", { check, json: jsonOption, allowExec, severityMin }, (o) =>
  Effect.gen(function* () {
    // Loaded on use, so other commands do not pay for initialising it.
    const { secretsAudit } = yield* Effect.promise(() => import("../../programs/SecretsAudit.js"))
    const host = yield* HostProcess
    const report = yield* secretsAudit({ allowExec: o.allowExec, progress: host.stdoutIsTTY && !o.json })
    yield* Console.log(o.json ? JSON.stringify(report, null, 2) : renderAuditText(report))
    const min: AuditSeverity = o.severityMin === "warning" ? "warn" : o.severityMin
    yield* Ref.set(yield* ExitCode, auditExitCode(report, o.check, min))
  })
).pipe(
  Command.withDescription(
    "Scan openclaw.json, every agent's auth-profiles.json, legacy auth.json / credentials/oauth.json and <state>/.env for plain-text secrets (PLAINTEXT_FOUND), references that do not resolve (REF_UNRESOLVED), stored credentials that shadow a config reference (REF_SHADOWED) and legacy residue (LEGACY_RESIDUE). Prints files and JSON paths, never a value; writes nothing."
  )
)
