import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type { JsonObject } from "../domain/AuthStore.js"
import { substituteEnvRefs } from "../domain/Config.js"
import type { PathState, SecretProviderState, SecretsDoctorInputs } from "../domain/DoctorSecretInputs.js"
import type { EnvMap } from "../domain/Env.js"
import { dottedPath } from "../domain/SecretAudit.js"
import type { Resolution, SecretSnapshot } from "../domain/SecretResolution.js"
import { type AuditDocument, scanDocuments } from "../domain/SecretAuditScan.js"
import { decodeSecretsConfig } from "../domain/SecretProviders.js"
import { plainResidue } from "../domain/StoreRefs.js"
import { secretRefKey, secretRefLabel } from "../domain/SecretRef.js"
import { Files } from "../services/Files.js"
import { SecretRegistry } from "../services/SecretRegistry.js"
import { SecretResolver } from "../services/SecretResolver.js"

export interface SecretSources {
  /** The config as written (before `${VAR}` substitution), when it loaded and exists. */
  readonly config: { readonly path: string; readonly raw: JsonObject } | undefined
  /** The agent's stores (own, then the main agent's underneath), those that loaded. */
  readonly stores: ReadonlyArray<{ readonly path: string; readonly raw: JsonObject }>
  readonly env: EnvMap
  /** For `~` in a file provider's path. */
  readonly home: string
  /** A line on stderr while refs resolve: an exec provider can take seconds. */
  readonly progress: boolean
}

const expandHome = (path: string, home: string): string =>
  path === "~" ? home : path.startsWith("~/") ? `${home.replace(/\/+$/, "")}/${path.slice(2)}` : path

/**
 * What doctor's secret checks look at (§9): the refs of the agent's config and stores and what each resolves to (the
 * same resolver status uses, exec included), each `secrets.providers` entry with a stat of its file or command
 * (through the Files port, never followed by a change), and plain values kept beside refs.
 */
export const gatherSecrets = Effect.fn("Doctor.gatherSecrets")(function* (sources: SecretSources) {
  const files = yield* Files
  const lookup = (name: string) => sources.env.get(name)?.value
  const substituted = substituteEnvRefs(sources.config?.raw ?? {}, lookup).value
  const config = decodeSecretsConfig(Predicate.isRecord(substituted) ? substituted.secrets : undefined)
  const docs: Array<AuditDocument> = [
    ...(sources.config ? [{ kind: "config" as const, ...sources.config }] : []),
    ...sources.stores.map((s) => ({ kind: "store" as const, ...s }))
  ]
  const scan = scanDocuments(docs)
  const distinct = new Set(scan.refs.map((r) => secretRefKey(r.ref))).size
  if (sources.progress && distinct > 0) yield* Console.error(`Resolving ${distinct} secret reference${distinct === 1 ? "" : "s"}…`)
  const resolutions: ReadonlyMap<string, Resolution> =
    scan.refs.length === 0
      ? new Map()
      : yield* (yield* SecretResolver).resolve({ refs: scan.refs.map((r) => r.ref), config, env: lookup, allowExec: true })
  yield* (yield* SecretRegistry).register([...resolutions.values()].flatMap((r) => (r._tag === "Resolved" ? [r.value] : [])))

  const unresolved = [
    // A ref that is not even valid (the scan says why).
    ...scan.findings
      .filter((f) => f.code === "REF_UNRESOLVED")
      .map((f) => ({ file: f.file, jsonPath: f.jsonPath, label: "secret reference", reason: f.message })),
    ...scan.refs.flatMap((r) => {
      const resolution = resolutions.get(secretRefKey(r.ref))
      if (resolution?._tag === "Resolved") return []
      const reason = resolution?.reason ?? "it was not resolved"
      return [{ file: r.file, jsonPath: dottedPath(r.pathSegments), label: secretRefLabel(r.ref), reason }]
    })
  ]

  const statOf = (path: string) =>
    Effect.map(Effect.either(files.stat(path)), (r): PathState | undefined => (Either.isRight(r) ? Option.getOrUndefined(r.right) : undefined))
  const realOf = (path: string) => Effect.map(Effect.either(files.realPath(path)), Either.getOrUndefined)
  const providers: Array<SecretProviderState> = []
  const targets = new Set<string>()
  for (const [alias, entry] of config.providers) {
    if (Either.isLeft(entry)) {
      providers.push({ _tag: "Invalid", alias, problem: entry.left })
      continue
    }
    const p = entry.right
    if (p.source === "env") providers.push({ _tag: "Env", alias })
    else if (p.source === "file") {
      const path = expandHome(p.path, sources.home)
      const real = yield* realOf(path)
      targets.add(path)
      if (real !== undefined) targets.add(real)
      providers.push({ _tag: "File", alias, path, allowInsecurePath: p.allowInsecurePath, stat: yield* statOf(path) })
    } else {
      const realPath = yield* realOf(p.command)
      targets.add(p.command)
      if (realPath !== undefined) targets.add(realPath)
      const trustedDirs: Array<string> = []
      for (const dir of p.trustedDirs) trustedDirs.push((yield* realOf(dir)) ?? dir)
      providers.push({
        _tag: "Exec",
        alias,
        command: p.command,
        allowSymlinkCommand: p.allowSymlinkCommand,
        allowInsecurePath: p.allowInsecurePath,
        isSymlink: Either.getOrElse(yield* Effect.either(files.isSymlink(p.command)), () => false),
        realPath,
        trustedDirs,
        stat: realPath === undefined ? undefined : yield* statOf(realPath)
      })
    }
  }
  const inputs: SecretsDoctorInputs = { refCount: distinct, unresolved, providers, residue: sources.stores.flatMap((st) => plainResidue(st.raw).map((r) => ({ file: st.path, ...r }))), targets }
  // What the refs resolved to, so the other checks see a ref-backed credential as status does (domain/StoreRefs).
  const snapshot: SecretSnapshot = {
    refs: scan.refs.map((r) => ({ file: r.file, path: dottedPath(r.pathSegments), ref: r.ref })),
    resolutions
  }
  return { inputs, snapshot }
})
