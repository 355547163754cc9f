import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { secretRefLabel } from "../../domain/SecretRef.js"
import { escapeControl as esc } from "../../domain/Untrusted.js"
import type { ApplyReport } from "../../programs/SecretsApply.js"
import { HostProcess } from "../../services/HostProcess.js"
import { jsonOption } from "../SharedOptions.js"

export const dryRunOption = Options.boolean("dry-run").pipe(
  Options.withDescription("Check the plan and resolve its refs, then say what would change; write nothing.")
)
export const allowExecOption = Options.boolean("allow-exec").pipe(
  Options.withDescription("Let exec secrets providers run their commands (needed to apply a plan that uses one).")
)
const from = Options.file("from", { exists: "either" }).pipe(
  Options.withDescription("The plan file (JSON, as `openclaw secrets configure --plan-out` writes it).")
)

/** The report as JSON: refs, paths and files only — a value is never in it. */
export const applyJson = (r: ApplyReport) => ({
  ok: true,
  mode: r.dryRun ? "dry-run" : "write",
  changed: r.files.length > 0,
  targets: r.targets.map((c) => ({
    type: c.target.type,
    path: c.target.path,
    file: c.file,
    ...(c.target._tag === "store" ? { agentId: c.target.agentId, profileId: c.target.profileId, writes: c.target.refField } : {}),
    ref: c.target.ref,
    check: c.check,
    replacesPlaintext: c.replacesPlain
  })),
  providerUpserts: r.providerUpserts,
  providerDeletes: r.providerDeletes,
  scrubbed: r.scrubbed,
  files: r.files,
  notes: r.notes
})

/** `dryRunHint`: whether a dry run ends with how to apply it (configure asks instead). */
export const renderApplyText = (r: ApplyReport, dryRunHint = true): string => {
  const lines = [r.dryRun ? "Dry run: the plan is valid and nothing was written." : "Applied the plan."]
  const verb = r.dryRun ? "would" : "now"
  if (r.targets.length > 0) lines.push(`Targets (${r.targets.length}):`)
  for (const c of r.targets) {
    const where = c.target._tag === "store" ? `${c.target.profileId}.${c.target.refField} (agent ${c.target.agentId})` : c.target.path
    const check = c.check === "resolved" ? "resolves" : "not checked: exec refs run only with --allow-exec"
    const plain = c.replacesPlain ? `; ${verb === "now" ? "replaced" : "replaces"} a plain value` : ""
    lines.push(`  ${esc(where)} → ${esc(secretRefLabel(c.target.ref))} (${check}${plain})`)
  }
  if (r.providerUpserts.length > 0) lines.push(`Secrets providers set: ${esc(r.providerUpserts.join(", "))}`)
  if (r.providerDeletes.length > 0) lines.push(`Secrets providers removed: ${esc(r.providerDeletes.join(", "))}`)
  if (r.scrubbed.length > 0) {
    lines.push(r.dryRun ? "Plain values that would be scrubbed (no backup is kept):" : "Plain values scrubbed (no backup was kept):")
    for (const s of r.scrubbed) lines.push(`  ${esc(s.file)}: ${esc(s.what)}`)
  }
  lines.push(
    r.files.length === 0
      ? "No file needs to change."
      : `${r.dryRun ? "Files that would change" : "Files written"}: ${r.files.map(esc).join(", ")}`
  )
  for (const note of r.notes) lines.push(`Note: ${esc(note)}`)
  if (dryRunHint && r.dryRun && r.files.length > 0) lines.push("Run the same command without --dry-run to apply it.")
  return lines.join("\n")
}

export const applyCommand = Command.make(
  "apply",
  { from, dryRun: dryRunOption, allowExec: allowExecOption, json: jsonOption },
  (o) =>
    Effect.gen(function* () {
      const { secretsApply } = yield* Effect.promise(() => import("../../programs/SecretsApply.js"))
      const host = yield* HostProcess
      const report = yield* secretsApply(o.from, { dryRun: o.dryRun, allowExec: o.allowExec, progress: host.stdoutIsTTY && !o.json })
      yield* Console.log(o.json ? JSON.stringify(applyJson(report), null, 2) : renderApplyText(report))
    })
).pipe(
  Command.withDescription(
    "Apply a secrets plan: point credential fields at SecretRefs ({version: 1, protocolVersion: 1, targets: [{type, " +
      "path, pathSegments?, agentId?, providerId?, ref}], providerUpserts?, providerDeletes?}). Every target is " +
      "checked and every ref resolved first; nothing is written if any fails. Then the plain values the refs replace " +
      "are scrubbed from the store, legacy auth.json and <state>/.env, one-way (no backup). Target types: " +
      "models.providers.apiKey, models.providers.headers, gateway.auth.token, auth-profiles.api_key.key, " +
      "auth-profiles.token.token (these need agentId)."
  )
)
