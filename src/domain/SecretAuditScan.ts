import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import type { JsonObject } from "./AuthStore.js"
import { normalizeProvider, PROVIDERS } from "./Provider.js"
import { type AuditFinding, type AuditRef, type AuditScan, CONFIGURE_FIX, dottedPath } from "./SecretAudit.js"
import { decodeSecretRef, looksLikeSecretRef, type SecretRef } from "./SecretRef.js"

/**
 * What `secrets audit` finds in the files it reads (§9), before any ref is resolved: plain secrets in the fields
 * that hold them, the refs to resolve, store credentials that shadow config refs, legacy residue and files that
 * cannot be read. Pure: the program reads the documents, this looks at them.
 */

/** One file as the program read it. */
export type AuditDocument =
  | { readonly kind: "config"; readonly path: string; readonly raw: JsonObject }
  | { readonly kind: "store"; readonly path: string; readonly raw: JsonObject }
  | { readonly kind: "legacy-auth"; readonly path: string; readonly raw: JsonObject }
  | { readonly kind: "legacy-oauth"; readonly path: string; readonly raw: JsonObject }
  | {
      readonly kind: "dotenv"
      readonly path: string
      readonly vars: Readonly<Record<string, string>>
      /** Assignments commented out, still holding their value (domain/DotEnv commentedAssignments). */
      readonly commented?: ReadonlyArray<{ readonly name: string; readonly line: number }>
    }
  /** A file that exists but could not be read or parsed: reported, never rewritten. */
  | { readonly kind: "unreadable"; readonly path: string; readonly what: string; readonly problem: string; readonly fix: string }

/** Variables that hold a provider credential or the gateway token (§4.2): the secrets `.env` and `env` may carry. */
export const SECRET_ENV_NAMES: ReadonlySet<string> = new Set([...PROVIDERS.flatMap((p) => p.envVars), "OPENCLAW_GATEWAY_TOKEN"])

/**
 * Header names that carry a credential, by name (as OpenClaw's audit decides it): Authorization, x-api-key and
 * anything that says token, secret, password, credential, cookie or key.
 */
export const isSensitiveHeaderName = (name: string): boolean =>
  /authorization|api[-_]?key|token|secret|passw(or)?d|credential|cookie|(^|[-_])key$/i.test(name)

const TEMPLATE = /\$?\$\{[A-Za-z_][A-Za-z0-9_]*\}/g

/**
 * Whether a config string is a secret written out. `${VAR}` parts come from the environment (§3.2), and an auth
 * scheme word (`Bearer ${TOKEN}`) is no secret: what is left once both are gone is.
 */
const isPlainSecret = (value: string): boolean =>
  value.replace(TEMPLATE, "").replace(/^\s*(bearer|basic|token)\b/i, "").trim() !== ""

const nonEmpty = (u: unknown): u is string => typeof u === "string" && u.trim() !== ""

interface Collector {
  readonly findings: Array<AuditFinding>
  readonly refs: Array<AuditRef>
  readonly configKeyRefs: Array<AuditRef & { readonly provider: string }>
  readonly storeCredentials: Array<{ provider: string; file: string; profileId: string; type: string }>
  readonly plainValues: Array<string>
}

const finding = (
  f: Omit<AuditFinding, "jsonPath" | "pathSegments"> & { readonly segments: ReadonlyArray<string> }
): AuditFinding => {
  const { segments, ...rest } = f
  return { ...rest, jsonPath: dottedPath(segments), pathSegments: segments }
}

/**
 * A SecretInput field of the config (§9: `models.providers.<p>.apiKey`, `.headers.<name>`, `gateway.auth.token`):
 * a ref object, or a string — a plain secret unless the environment fills it (`${VAR}`, §3.2: substitution, not a
 * ref; a variable left unset is what status reports). Returns the ref it holds.
 */
const configInput = (
  c: Collector,
  file: string,
  segments: ReadonlyArray<string>,
  value: unknown,
  plain: { readonly counts: boolean; readonly what: string; readonly provider?: string }
): ReadonlyArray<AuditRef> => {
  const provider = plain.provider === undefined ? {} : { provider: plain.provider }
  if (looksLikeSecretRef(value)) {
    const decoded = decodeSecretRef(value)
    if (Either.isLeft(decoded)) {
      c.findings.push(invalidRef(file, segments, decoded.left, plain.provider))
      return []
    }
    const ref: AuditRef = { file, pathSegments: segments, ref: decoded.right, ...provider }
    c.refs.push(ref)
    return [ref]
  }
  if (typeof value !== "string") return []
  if (plain.counts && isPlainSecret(value)) {
    c.plainValues.push(value)
    c.findings.push(
      finding({ code: "PLAINTEXT_FOUND", severity: "warn", file, segments, message: `${plain.what} is stored as plain text`, fix: CONFIGURE_FIX, ...provider })
    )
  }
  return []
}

const invalidRef = (file: string, segments: ReadonlyArray<string>, reason: string, provider?: string, profileId?: string): AuditFinding =>
  finding({
    code: "REF_UNRESOLVED",
    severity: "error",
    file,
    segments,
    message: `the secret reference is not valid: ${reason}`,
    fix: "correct it by hand (a reference is { source: env|file|exec, provider: <alias>, id }) or rewrite it with `openclaw secrets configure`",
    ...(provider === undefined ? {} : { provider }),
    ...(profileId === undefined ? {} : { profileId })
  })

const scanConfig = (c: Collector, file: string, raw: JsonObject): void => {
  const models = Predicate.isRecord(raw.models) ? raw.models : {}
  const providers = Predicate.isRecord(models.providers) ? models.providers : {}
  for (const [name, entry] of Object.entries(providers)) {
    if (!Predicate.isRecord(entry)) continue
    const provider = normalizeProvider(name)
    const keyRefs = configInput(c, file, ["models", "providers", name, "apiKey"], entry.apiKey, {
      counts: true,
      what: `the API key of provider "${name}"`,
      provider
    })
    // A ref that holds the provider's key is what a stored profile shadows (§5: profiles come first).
    c.configKeyRefs.push(...keyRefs.map((r) => ({ ...r, provider })))
    if (Predicate.isRecord(entry.headers)) {
      for (const [header, value] of Object.entries(entry.headers)) {
        configInput(c, file, ["models", "providers", name, "headers", header], value, {
          counts: isSensitiveHeaderName(header),
          what: `header ${header} of provider "${name}"`,
          provider
        })
      }
    }
  }
  const gateway = Predicate.isRecord(raw.gateway) ? raw.gateway : {}
  const auth = Predicate.isRecord(gateway.auth) ? gateway.auth : {}
  configInput(c, file, ["gateway", "auth", "token"], auth.token, { counts: true, what: "the gateway token" })
  // The env block is literal (never a ref), so a provider key in it is plain text at rest.
  const env = Predicate.isRecord(raw.env) ? raw.env : {}
  const vars = Predicate.isRecord(env.vars) ? env.vars : {}
  for (const [segments, value] of [
    ...Object.entries(env).map(([k, v]) => [["env", k], v] as const),
    ...Object.entries(vars).map(([k, v]) => [["env", "vars", k], v] as const)
  ]) {
    const name = segments.at(-1)!
    if (!SECRET_ENV_NAMES.has(name) || !nonEmpty(value) || !isPlainSecret(value)) continue
    c.plainValues.push(value)
    c.findings.push(
      finding({ code: "PLAINTEXT_FOUND", severity: "warn", file, segments, message: `${name} in the config env block is stored as plain text`, fix: CONFIGURE_FIX })
    )
  }
}

/** The secret field of each credential type, and its ref sibling (§9). */
const REF_FIELDS: Readonly<Record<string, { readonly plain: ReadonlyArray<string>; readonly ref: string }>> = {
  api_key: { plain: ["key", "apiKey"], ref: "keyRef" },
  token: { plain: ["token"], ref: "tokenRef" }
}

const scanStore = (c: Collector, file: string, raw: JsonObject): void => {
  const profiles = Predicate.isRecord(raw.profiles) ? raw.profiles : {}
  for (const [profileId, entry] of Object.entries(profiles)) {
    if (!Predicate.isRecord(entry)) continue
    const type = typeof entry.type === "string" ? entry.type : typeof entry.mode === "string" ? entry.mode : undefined
    const provider = typeof entry.provider === "string" ? normalizeProvider(entry.provider) : undefined
    const who = { ...(provider === undefined ? {} : { provider }), profileId }
    const usable = (): void => {
      if (provider !== undefined && type !== undefined) c.storeCredentials.push({ provider, file, profileId, type })
    }
    if (type === "oauth") {
      if (nonEmpty(entry.access) || nonEmpty(entry.refresh)) {
        for (const field of ["access", "refresh"]) if (nonEmpty(entry[field])) c.plainValues.push(entry[field] as string)
        usable()
        c.findings.push(
          finding({
            code: "LEGACY_RESIDUE",
            severity: "info",
            file,
            segments: ["profiles", profileId],
            message: "OAuth credentials are stored in the profile (out of scope for references: OAuth material rotates)",
            fix: "nothing to migrate; keep the store private (0600) — `openclaw doctor --fix` checks its mode",
            ...who
          })
        )
      }
      continue
    }
    const fields = type === undefined ? undefined : REF_FIELDS[type]
    if (fields === undefined) continue
    const refValue = entry[fields.ref]
    let ref: SecretRef | undefined
    if (refValue !== undefined) {
      const decoded = decodeSecretRef(refValue)
      if (Either.isLeft(decoded)) c.findings.push(invalidRef(file, ["profiles", profileId, fields.ref], decoded.left, provider, profileId))
      else {
        ref = decoded.right
        c.refs.push({ file, pathSegments: ["profiles", profileId, fields.ref], ref, ...who })
      }
    }
    for (const field of fields.plain) {
      const value = entry[field]
      if (!nonEmpty(value)) continue
      c.plainValues.push(value)
      const segments = ["profiles", profileId, field]
      c.findings.push(
        refValue === undefined
          ? finding({
              code: "PLAINTEXT_FOUND",
              severity: "warn",
              file,
              segments,
              message: type === "api_key" ? "the profile's API key is stored as plain text" : "the profile's token is stored as plain text",
              fix: CONFIGURE_FIX,
              ...who
            })
          : finding({
              code: "LEGACY_RESIDUE",
              severity: "warn",
              file,
              segments,
              message: `a plain ${field} is kept beside ${fields.ref} (the reference wins, the plain value is residue)`,
              fix: "remove the plain value: `openclaw secrets apply` scrubs it, or delete the field by hand",
              ...who
            })
      )
    }
    if (ref !== undefined || fields.plain.some((f) => nonEmpty(entry[f]))) usable()
  }
}

/** Legacy files (§3.1) are imported on first use; one still here holds whatever it held, in plain text. */
const scanLegacy = (c: Collector, file: string, raw: JsonObject, kind: "legacy-auth" | "legacy-oauth"): void => {
  const fix =
    kind === "legacy-auth"
      ? "import it with `openclaw doctor --fix` (the file is removed once imported), then move the secret to a reference with `openclaw secrets configure`"
      : "import it with `openclaw doctor --fix` (the file is removed once imported)"
  let found = 0
  for (const [provider, entry] of Object.entries(raw)) {
    if (!Predicate.isRecord(entry)) continue
    const secrets = ["key", "apiKey", "token", "access", "refresh"].filter((f) => nonEmpty(entry[f]))
    if (secrets.length === 0) continue
    found++
    for (const f of secrets) c.plainValues.push(entry[f] as string)
    c.findings.push(
      finding({
        code: "LEGACY_RESIDUE",
        severity: "warn",
        file,
        segments: [provider],
        message: `the legacy ${kind === "legacy-auth" ? "auth.json" : "credentials/oauth.json"} still holds a plain credential (${secrets.join(", ")})`,
        fix,
        provider: normalizeProvider(provider)
      })
    )
  }
  if (found === 0) {
    c.findings.push(
      finding({ code: "LEGACY_RESIDUE", severity: "info", file, segments: [], message: "a legacy credential file is still present", fix })
    )
  }
}

const scanDotEnv = (
  c: Collector,
  file: string,
  vars: Readonly<Record<string, string>>,
  commented: ReadonlyArray<{ readonly name: string; readonly line: number }>
): void => {
  // OpenClaw's path for a .env line: `$env.<NAME>`.
  const plaintext = (name: string, message: string, fix: string) =>
    c.findings.push({ code: "PLAINTEXT_FOUND", severity: "warn", file, jsonPath: `$env.${name}`, pathSegments: [name], message, fix })
  for (const { name, line } of commented) {
    if (!SECRET_ENV_NAMES.has(name)) continue
    plaintext(name, `a commented-out ${name} on line ${line} still holds a value in plain text (dotenv skips it; anyone who reads the file does not)`, `delete line ${line} of ${file}`)
  }
  for (const [name, value] of Object.entries(vars)) {
    if (!SECRET_ENV_NAMES.has(name) || !nonEmpty(value)) continue
    c.plainValues.push(value)
    plaintext(
      name,
      `${name} is stored as plain text in the env file`,
      "move it to a secret reference (`openclaw secrets configure`; `secrets apply` scrubs the line from <state>/.env), or keep it out of files the agent can read"
    )
  }
}

/** Scans every document. */
export const scanDocuments = (docs: ReadonlyArray<AuditDocument>): AuditScan => {
  const c: Collector = { findings: [], refs: [], configKeyRefs: [], storeCredentials: [], plainValues: [] }
  let canResolve = true
  for (const doc of docs) {
    switch (doc.kind) {
      case "config":
        scanConfig(c, doc.path, doc.raw)
        break
      case "store":
        scanStore(c, doc.path, doc.raw)
        break
      case "legacy-auth":
      case "legacy-oauth":
        scanLegacy(c, doc.path, doc.raw, doc.kind)
        break
      case "dotenv":
        scanDotEnv(c, doc.path, doc.vars, doc.commented ?? [])
        break
      case "unreadable":
        if (doc.what === "config") canResolve = false
        // As OpenClaw reports it: what cannot be read cannot be checked, which is an unresolved state.
        c.findings.push(
          finding({ code: "REF_UNRESOLVED", severity: "error", file: doc.path, segments: [], message: `the ${doc.what} cannot be read, so it was not checked: ${doc.problem}`, fix: `${doc.fix} (audit never rewrites it)` })
        )
        break
    }
  }
  return {
    filesScanned: docs.map((d) => d.path),
    findings: c.findings,
    refs: c.refs,
    configKeyRefs: c.configKeyRefs,
    storeCredentials: c.storeCredentials,
    plainValues: c.plainValues,
    canResolve
  }
}
