import { describeExpiry, expiryLabel } from "../../domain/Expiry.js"
import type { StatusReport } from "../../domain/Status.js"
import { missingCredentialFix } from "../../domain/Resolve.js"
import { escapeControl as esc } from "../../domain/Untrusted.js"
import type { Style } from "./Style.js"

/** Colours by the word, so callers may pad it first and keep columns aligned. */
const statusColor = (style: Style, status: string): string => {
  const word = status.trim()
  return word === "ok" || word === "static" ? style.green(status) : word === "expiring" ? style.yellow(status) : style.red(status)
}

/**
 * The human form of `openclaw models status` (§6.1). Ids, paths, labels, details and reasons come from files,
 * the environment or providers: each is escaped where it is interpolated (§11), so none can forge a line.
 */
export const renderStatusText = (
  report: StatusReport,
  extra: { readonly configExists: boolean; readonly stateEnvPath: string },
  style: Style
): string => {
  const lines: Array<string> = []
  const { auth } = report
  lines.push(`Config        : ${esc(report.configPath)}${extra.configExists ? "" : style.dim(" (not found; using defaults)")}`)
  lines.push(`Agent         : ${esc(report.agentId)}`)
  lines.push(`Agent dir     : ${esc(report.agentDir)}`)
  lines.push(`Default model : ${esc(report.defaultModel)}`)
  lines.push(`Fallbacks     : ${report.fallbacks.length === 0 ? "(none)" : report.fallbacks.map(esc).join(", ")}`)

  lines.push("", style.bold("Auth overview"))
  lines.push(`  Auth store : ${esc(auth.storePath)}`)
  const shell = auth.shellEnvFallback
  lines.push(
    `  Shell env  : ${shell.enabled ? `on${shell.appliedKeys.length > 0 ? ` (applied: ${shell.appliedKeys.map(esc).join(",")})` : ""}` : "off"}`
  )
  if (auth.providers.length === 0) lines.push("  (no providers configured)")
  for (const p of auth.providers) {
    const kind = p.effective.kind === "missing" && !p.inUse ? style.dim(p.effective.kind) : p.effective.kind === "missing" ? style.red("missing") : style.green(p.effective.kind)
    const counts =
      p.profiles.count === 0
        ? ""
        : ` [${[
            p.profiles.oauth ? `${p.profiles.oauth} oauth` : "",
            p.profiles.token ? `${p.profiles.token} token` : "",
            p.profiles.apiKey ? `${p.profiles.apiKey} api_key` : ""
          ]
            .filter(Boolean)
            .join(", ")}]`
    lines.push(`  ${style.bold(esc(p.provider))}${p.inUse ? " (in use)" : ""}: ${kind} — ${esc(p.effective.detail)}${counts}`)
    for (const label of p.profiles.labels) lines.push(`      ${esc(label)}`)
    if (p.env) lines.push(`      env ${esc(p.env.name)}=${esc(p.env.value)} (${esc(p.env.source)})`)
  }

  lines.push("", style.bold("Missing auth"))
  if (auth.missingProvidersInUse.length === 0) lines.push("  (none)")
  for (const provider of auth.missingProvidersInUse) {
    lines.push(`  ${style.red(esc(provider))}: no credential. Fix: ${esc(missingCredentialFix(provider, extra.stateEnvPath))}`)
  }

  lines.push("", style.bold("OAuth/token status"))
  // The JSON lists API keys too (OpenClaw's keys); this section is about what expires, as it always was.
  const expirable = auth.oauth.profiles.filter((p) => p.type !== "api_key")
  if (expirable.length === 0) lines.push("  (no token or OAuth profiles)")
  // Not Math.max(...spread): one argument per profile overflows the stack past ~120,000 profiles.
  const width = expirable.reduce((w, p) => Math.max(w, esc(p.profileId).length), 0)
  for (const p of expirable) {
    const expiry = { status: p.status, ...(p.remainingMs === null ? {} : { remainingMs: p.remainingMs }) }
    // §5.2: a refreshable oauth profile is `ok` while its access token is merely expired or expiring — the next
    // use renews it — unless its last refresh was refused.
    const renewsOnUse = p.type === "oauth" && p.refreshable && p.status === "ok" && (p.remainingMs === null || p.remainingMs <= auth.oauth.warnAfterMs)
    const refresh =
      p.type !== "oauth"
        ? ""
        : p.refreshFailed
          ? ", last refresh failed: sign in again (openclaw models auth login)"
          : p.refreshable
            ? ", refreshable"
            : ", no refresh token"
    const when = renewsOnUse ? "refreshes on use" : describeExpiry(expiry)
    lines.push(
      `  ${esc(p.profileId).padEnd(width)}  ${p.type.padEnd(5)}  ${statusColor(style, expiryLabel(p.status).padEnd(8))}  ${when}${renewsOnUse ? "" : refresh}`
    )
  }
  for (const p of auth.oauth.providers) {
    if (p.status === "static" && p.profiles.every((q) => q.type === "api_key")) continue
    // An `ok` provider whose soonest access token is already past is one that refreshes on use (§5.2): say both,
    // never "expires in 1h" for a time an hour ago.
    const past = p.remainingMs !== null && p.remainingMs <= 0
    const soonest =
      p.remainingMs === null
        ? ""
        : ` (soonest: ${describeExpiry({ status: p.status === "expired" || past ? "expired" : "ok", remainingMs: p.remainingMs })}${past && p.status !== "expired" ? "; refreshes on use" : ""})`
    lines.push(`  ${style.bold(esc(p.provider))}: ${statusColor(style, expiryLabel(p.status))}${soonest}`)
  }

  if (auth.skippedProfiles.length > 0) {
    lines.push("", style.bold("Skipped profiles"))
    for (const s of auth.skippedProfiles) {
      lines.push(`  ${style.yellow(esc(s.profileId))}: ${esc(s.reason)} (in ${esc(auth.storePath)}; fix or remove the entry, then run openclaw doctor)`)
    }
  }
  if (auth.flaggedProfiles.length > 0) {
    lines.push("", style.bold("Profiles with control characters"))
    for (const f of auth.flaggedProfiles) {
      lines.push(`  ${style.yellow(esc(f.profileId))}: ${esc(f.reason)} (in ${esc(auth.storePath)}). Fix: ${esc(f.fix)}`)
    }
  }
  if (auth.warnings.length > 0) {
    lines.push("", style.bold("Warnings"))
    for (const w of auth.warnings) lines.push(`  ${style.yellow("!")} ${esc(w)}`)
  }
  return lines.join("\n")
}
