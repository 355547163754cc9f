import type { ConfigRefProblem } from "./ConfigRefs.js"
import { maskSecret } from "./Mask.js"
import type { ProviderId } from "./Provider.js"
import { secretRefLabel } from "./SecretRef.js"
import { resolutionOf, type SecretSnapshot, unresolvedRefs } from "./SecretResolution.js"
import type { PlainResidue } from "./StoreRefs.js"

/** What `models status` says about SecretRefs (§9), beside the credentials they back. */
export interface StatusRefInputs {
  readonly snapshot: SecretSnapshot
  readonly configProblems: ReadonlyArray<ConfigRefProblem>
  readonly plainResidue: ReadonlyArray<PlainResidue>
}

/** One ref of the report: where it is, its label, whether it resolved (and why not) — never its value or id. */
export interface StatusSecretRef {
  readonly file: string
  readonly path: string
  readonly source: string
  readonly resolved: boolean
  readonly reason?: string
}

export const secretRefRows = (refs: StatusRefInputs): ReadonlyArray<StatusSecretRef> =>
  refs.snapshot.refs.map(({ file, path, ref }) => {
    const r = resolutionOf(refs.snapshot, ref)
    return r._tag === "Resolved"
      ? { file, path, source: secretRefLabel(ref), resolved: true }
      : { file, path, source: secretRefLabel(ref), resolved: false, reason: r.reason }
  })

const apiKeyPath = (provider: ProviderId) => `models.providers.${provider}.apiKey`

/**
 * How the effective detail names `models.providers.<p>.apiKey` when a ref backs it: `… (ref file:vault sk-…abcd)`;
 * undefined when the key is plain text.
 */
export const configKeySource = (refs: StatusRefInputs, provider: ProviderId): string | undefined => {
  const located = refs.snapshot.refs.find((r) => r.path === apiKeyPath(provider))
  if (located === undefined) return undefined
  const r = resolutionOf(refs.snapshot, located.ref)
  return `${apiKeyPath(provider)} (${secretRefLabel(located.ref)}${r._tag === "Resolved" ? ` ${maskSecret(r.value)}` : ""})`
}

/** Why a profile's ref did not resolve, for the unusable list. */
export const unresolvedReason = (refs: StatusRefInputs, ref: Parameters<typeof resolutionOf>[1]): string => {
  const r = resolutionOf(refs.snapshot, ref)
  return r._tag === "Resolved" ? "it resolved to an empty value" : r.reason
}

/** Warning lines: refs that did not resolve, config fields with an invalid ref, plain values left beside a ref. */
export const refWarnings = (refs: StatusRefInputs, storePath: string, configPath: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const u of unresolvedRefs(refs.snapshot)) {
    const what = u.path.startsWith("profiles.") ? `profile ${u.path.slice("profiles.".length).replace(/\.(keyRef|tokenRef)$/, "")} is unusable` : `${u.path} is treated as not set`
    out.push(`${secretRefLabel(u.ref)} (${u.path} in ${u.file}) did not resolve: ${u.reason}; ${what} until it does`)
  }
  for (const p of refs.configProblems) {
    out.push(`${p.path} in ${configPath} is not a valid secret reference (${p.reason}); it is treated as not set`)
  }
  for (const r of refs.plainResidue) {
    out.push(
      `profile ${r.profileId} keeps a plain-text ${r.field} beside its ${r.refField} in ${storePath}; the ref is used, the plain value is a leftover secret: remove it (openclaw secrets audit lists every such residue)`
    )
  }
  return out
}
