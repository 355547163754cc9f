import type { Resolution } from "./SecretResolution.js"
import type { SecretRef } from "./SecretRef.js"
import { secretRefKey, secretRefLabel } from "./SecretRef.js"

/**
 * `openclaw secrets audit` (§9): the finding model, and the report made from a scan (SecretAuditScan.ts) and what
 * its refs resolved to. Codes, severities, the report's keys and the exit codes follow OpenClaw 2026.3.31's
 * `secrets audit`; every finding also says how to fix it. A finding names a file, a JSON path and a reason —
 * never a value.
 */

export const AUDIT_CODES = ["PLAINTEXT_FOUND", "REF_UNRESOLVED", "REF_SHADOWED", "LEGACY_RESIDUE"] as const
export type AuditCode = (typeof AUDIT_CODES)[number]

export const AUDIT_SEVERITIES = ["info", "warn", "error"] as const
export type AuditSeverity = (typeof AUDIT_SEVERITIES)[number]

export interface AuditFinding {
  readonly code: AuditCode
  readonly severity: AuditSeverity
  readonly file: string
  /** Dotted, as OpenClaw writes it (`profiles.openai:default.key`); `<root>` for the whole file. */
  readonly jsonPath: string
  /** The same path as a list of keys: unambiguous when a key holds a dot. */
  readonly pathSegments: ReadonlyArray<string>
  readonly message: string
  readonly fix: string
  readonly provider?: string
  readonly profileId?: string
}

/** A ref found in a file, and the model provider it is a credential for (when it is one: shadowing needs it). */
export interface AuditRef {
  readonly file: string
  readonly pathSegments: ReadonlyArray<string>
  readonly ref: SecretRef
  readonly provider?: string
  readonly profileId?: string
}

/** What reading the files found, before any ref is resolved. */
export interface AuditScan {
  readonly filesScanned: ReadonlyArray<string>
  readonly findings: ReadonlyArray<AuditFinding>
  readonly refs: ReadonlyArray<AuditRef>
  /** Config refs that hold a provider's key (`models.providers.<p>.apiKey`), which a store credential shadows. */
  readonly configKeyRefs: ReadonlyArray<AuditRef & { readonly provider: string }>
  /** Store credentials with something usable in them, by provider: they take precedence over the config (§5). */
  readonly storeCredentials: ReadonlyArray<{ readonly provider: string; readonly file: string; readonly profileId: string; readonly type: string }>
  /** The plain values met on the way: the program hands them to the scrubber, so none can reach any output. */
  readonly plainValues: ReadonlyArray<string>
  /** False when the config could not be read: without its `secrets.providers` no ref can be checked. */
  readonly canResolve: boolean
}

export type AuditStatus = "clean" | "findings" | "unresolved"

export interface AuditReport {
  readonly version: 1
  readonly status: AuditStatus
  readonly resolution: {
    readonly refsChecked: number
    /** Exec refs not run (no `--allow-exec`): not checked, and not counted as unresolved. */
    readonly skippedExecRefs: number
    readonly resolvabilityComplete: boolean
  }
  readonly filesScanned: ReadonlyArray<string>
  readonly summary: {
    readonly plaintextCount: number
    readonly unresolvedRefCount: number
    readonly shadowedRefCount: number
    readonly legacyResidueCount: number
  }
  readonly findings: ReadonlyArray<AuditFinding>
}

/** `a.b.c` as OpenClaw writes paths. */
export const dottedPath = (segments: ReadonlyArray<string>): string => (segments.length === 0 ? "<root>" : segments.join("."))

export const CONFIGURE_FIX = "move it to a secret reference: `openclaw secrets configure` (or write a plan and `openclaw secrets apply --from <plan>`), which also scrubs the plain value"

const unresolvedFinding = (r: AuditRef, reason: string): AuditFinding => ({
  code: "REF_UNRESOLVED",
  severity: "error",
  file: r.file,
  jsonPath: dottedPath(r.pathSegments),
  pathSegments: r.pathSegments,
  message: `${secretRefLabel(r.ref)} does not resolve: ${reason}`,
  fix: `make the reference resolve (the reason says how; \`openclaw doctor\` checks the secrets providers), or point it elsewhere with \`openclaw secrets configure\``,
  ...(r.provider === undefined ? {} : { provider: r.provider }),
  ...(r.profileId === undefined ? {} : { profileId: r.profileId })
})

const shadowFindings = (scan: AuditScan): ReadonlyArray<AuditFinding> =>
  scan.configKeyRefs.flatMap((r) => {
    const shadowing = scan.storeCredentials.filter((c) => c.provider === r.provider)
    if (shadowing.length === 0) return []
    const which = shadowing.map((c) => `${c.profileId} (${c.type}) in ${c.file}`).join(", ")
    return [
      {
        code: "REF_SHADOWED",
        severity: "warn",
        file: r.file,
        jsonPath: dottedPath(r.pathSegments),
        pathSegments: r.pathSegments,
        message: `stored profiles take precedence for provider "${r.provider}", so this config reference may never be used: ${which}`,
        fix: `remove the stored profile (\`openclaw models auth logout --profile-id <id>\`) or map it to a reference with \`openclaw secrets configure\``,
        provider: r.provider
      } satisfies AuditFinding
    ]
  })

/**
 * The report: the scan's findings, then one REF_UNRESOLVED per ref occurrence that did not resolve (an exec ref that
 * was not run is skipped, not unresolved), then shadowing. `resolutions` is keyed by `secretRefKey`.
 */
export const auditReport = (scan: AuditScan, resolutions: ReadonlyMap<string, Resolution>): AuditReport => {
  let skippedExecRefs = 0
  const checked = new Set<string>()
  const skipped = new Set<string>()
  const unresolved: Array<AuditFinding> = []
  for (const r of scan.refs) {
    const key = secretRefKey(r.ref)
    const resolution = scan.canResolve ? resolutions.get(key) : undefined
    if (resolution === undefined || resolution._tag === "NotRun") {
      if (!skipped.has(key)) skipped.add(key)
      continue
    }
    checked.add(key)
    if (resolution._tag === "Unresolved") unresolved.push(unresolvedFinding(r, resolution.reason))
  }
  for (const key of skipped) if (key.startsWith("exec:")) skippedExecRefs++
  const findings = [...scan.findings, ...unresolved, ...shadowFindings(scan)]
  const count = (code: AuditCode) => findings.filter((f) => f.code === code).length
  const summary = {
    plaintextCount: count("PLAINTEXT_FOUND"),
    unresolvedRefCount: count("REF_UNRESOLVED"),
    shadowedRefCount: count("REF_SHADOWED"),
    legacyResidueCount: count("LEGACY_RESIDUE")
  }
  return {
    version: 1,
    status: summary.unresolvedRefCount > 0 ? "unresolved" : findings.length > 0 ? "findings" : "clean",
    resolution: { refsChecked: checked.size, skippedExecRefs, resolvabilityComplete: skipped.size === 0 },
    filesScanned: [...scan.filesScanned].sort(),
    summary,
    findings
  }
}

const RANK: Readonly<Record<AuditSeverity, number>> = { info: 0, warn: 1, error: 2 }

/**
 * The exit code. Only `--check` makes findings an exit code (the audit is a report otherwise): 2 when any ref is
 * unresolved — whatever `--severity-min` says, as OpenClaw does — else 1 when a finding is at least `severityMin`,
 * else 0.
 */
export const auditExitCode = (report: AuditReport, check: boolean, severityMin: AuditSeverity = "info"): number => {
  if (!check) return 0
  if (report.summary.unresolvedRefCount > 0) return 2
  return report.findings.some((f) => RANK[f.severity] >= RANK[severityMin]) ? 1 : 0
}
