import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import { DEFAULT_ENV_PROVIDER, PROVIDER_ALIAS, type SecretRef, type SecretSource } from "./SecretRef.js"

/** `secrets.providers.<alias>` (§9), as the resolver uses it: defaults filled in, nothing left to check. */
export type SecretProvider = EnvSecretProvider | FileSecretProvider | ExecSecretProvider

export interface EnvSecretProvider {
  readonly source: "env"
  /** Exact variable names this provider may read; none means any. */
  readonly allowlist?: ReadonlyArray<string>
}

export interface FileSecretProvider {
  readonly source: "file"
  /** As configured (`~` not yet expanded: the live resolver expands it with the host's home). */
  readonly path: string
  readonly mode: "json" | "singleValue"
  readonly timeoutMs: number
  readonly maxBytes: number
  readonly allowInsecurePath: boolean
}

export interface ExecSecretProvider {
  readonly source: "exec"
  readonly command: string
  readonly args: ReadonlyArray<string>
  /** Variables passed from the assembled environment; nothing else reaches the child but `env`. */
  readonly passEnv: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
  readonly timeoutMs: number
  readonly noOutputTimeoutMs: number
  readonly maxOutputBytes: number
  readonly jsonOnly: boolean
  readonly allowSymlinkCommand: boolean
  readonly trustedDirs: ReadonlyArray<string>
  readonly allowInsecurePath: boolean
}

export const DEFAULT_TIMEOUT_MS = 5000
export const DEFAULT_MAX_BYTES = 1024 * 1024

/** The `secrets` block: each provider decoded on its own, so one bad entry spoils only the refs that use it. */
export interface SecretsConfig {
  readonly providers: ReadonlyMap<string, Either.Either<SecretProvider, string>>
  readonly defaults: { readonly [S in SecretSource]?: string }
}

const strings = (u: unknown): ReadonlyArray<string> | undefined =>
  Array.isArray(u) && u.every((s) => typeof s === "string") ? u : undefined

const positive = (u: unknown, fallback: number): number | undefined =>
  u === undefined ? fallback : typeof u === "number" && Number.isInteger(u) && u > 0 ? u : undefined

const flag = (u: unknown): boolean | undefined => (u === undefined ? false : typeof u === "boolean" ? u : undefined)

/** One provider entry, or what is wrong with it (a field name, never a value). */
export const decodeSecretProvider = (u: unknown): Either.Either<SecretProvider, string> => {
  if (!Predicate.isRecord(u)) return Either.left("not an object")
  const bad = (field: string, want: string) => Either.left(`${field} must be ${want}`)
  switch (u.source) {
    case "env": {
      const allowlist = u.allowlist === undefined ? undefined : strings(u.allowlist)
      if (u.allowlist !== undefined && allowlist === undefined) return bad("allowlist", "a list of variable names")
      return Either.right(allowlist === undefined ? { source: "env" } : { source: "env", allowlist })
    }
    case "file": {
      if (typeof u.path !== "string" || u.path === "") return bad("path", "a file path")
      const mode = u.mode ?? "json"
      if (mode !== "json" && mode !== "singleValue") return bad("mode", `"json" or "singleValue"`)
      const timeoutMs = positive(u.timeoutMs, DEFAULT_TIMEOUT_MS)
      if (timeoutMs === undefined) return bad("timeoutMs", "a positive whole number of milliseconds")
      const maxBytes = positive(u.maxBytes, DEFAULT_MAX_BYTES)
      if (maxBytes === undefined) return bad("maxBytes", "a positive whole number of bytes")
      const allowInsecurePath = flag(u.allowInsecurePath)
      if (allowInsecurePath === undefined) return bad("allowInsecurePath", "true or false")
      return Either.right({ source: "file", path: u.path, mode, timeoutMs, maxBytes, allowInsecurePath })
    }
    case "exec": {
      if (typeof u.command !== "string" || !u.command.startsWith("/")) return bad("command", "an absolute path")
      const args = u.args === undefined ? [] : strings(u.args)
      if (args === undefined) return bad("args", "a list of strings")
      const passEnv = u.passEnv === undefined ? [] : strings(u.passEnv)
      if (passEnv === undefined) return bad("passEnv", "a list of variable names")
      const env = u.env === undefined ? {} : u.env
      if (!Predicate.isRecord(env) || !Object.values(env).every((v) => typeof v === "string")) {
        return bad("env", "an object of string values")
      }
      const timeoutMs = positive(u.timeoutMs, DEFAULT_TIMEOUT_MS)
      if (timeoutMs === undefined) return bad("timeoutMs", "a positive whole number of milliseconds")
      const noOutputTimeoutMs = positive(u.noOutputTimeoutMs, timeoutMs)
      if (noOutputTimeoutMs === undefined) return bad("noOutputTimeoutMs", "a positive whole number of milliseconds")
      const maxOutputBytes = positive(u.maxOutputBytes, DEFAULT_MAX_BYTES)
      if (maxOutputBytes === undefined) return bad("maxOutputBytes", "a positive whole number of bytes")
      const jsonOnly = u.jsonOnly === undefined ? true : typeof u.jsonOnly === "boolean" ? u.jsonOnly : undefined
      if (jsonOnly === undefined) return bad("jsonOnly", "true or false")
      const allowSymlinkCommand = flag(u.allowSymlinkCommand)
      if (allowSymlinkCommand === undefined) return bad("allowSymlinkCommand", "true or false")
      const trustedDirs = u.trustedDirs === undefined ? [] : strings(u.trustedDirs)
      if (trustedDirs === undefined) return bad("trustedDirs", "a list of absolute directories")
      const allowInsecurePath = flag(u.allowInsecurePath)
      if (allowInsecurePath === undefined) return bad("allowInsecurePath", "true or false")
      return Either.right({
        source: "exec",
        command: u.command,
        args,
        passEnv,
        env: env as Record<string, string>,
        timeoutMs,
        noOutputTimeoutMs,
        maxOutputBytes,
        jsonOnly,
        allowSymlinkCommand,
        trustedDirs,
        allowInsecurePath
      })
    }
    default:
      return Either.left(`source must be "env", "file" or "exec"`)
  }
}

/** The config's `secrets` block (raw, after `${VAR}` substitution), read leniently. */
export const decodeSecretsConfig = (raw: unknown): SecretsConfig => {
  const block = Predicate.isRecord(raw) ? raw : {}
  const providers = new Map<string, Either.Either<SecretProvider, string>>()
  if (Predicate.isRecord(block.providers)) {
    for (const [alias, entry] of Object.entries(block.providers)) {
      providers.set(
        alias,
        PROVIDER_ALIAS.test(alias) ? decodeSecretProvider(entry) : Either.left(`the alias must match ${PROVIDER_ALIAS.source}`)
      )
    }
  }
  const defaults: { [S in SecretSource]?: string } = {}
  if (Predicate.isRecord(block.defaults)) {
    for (const source of ["env", "file", "exec"] as const) {
      const alias = block.defaults[source]
      if (typeof alias === "string") defaults[source] = alias
    }
  }
  return { providers, defaults }
}

/**
 * The provider a ref names, or why there is none. The env default alias (`secrets.defaults.env`, else `default`)
 * is an env provider even when `secrets.providers` does not list it.
 */
export const providerFor = (config: SecretsConfig, ref: SecretRef): Either.Either<SecretProvider, string> => {
  const configured = config.providers.get(ref.provider)
  if (configured === undefined) {
    if (ref.source === "env" && ref.provider === (config.defaults.env ?? DEFAULT_ENV_PROVIDER)) {
      return Either.right({ source: "env" })
    }
    return Either.left(`no secrets provider "${ref.provider}" is configured under secrets.providers in openclaw.json`)
  }
  return Either.flatMap(
    Either.mapLeft(configured, (problem) => `secrets.providers.${ref.provider} is invalid: ${problem}`),
    (provider) =>
      provider.source === ref.source
        ? Either.right(provider)
        : Either.left(`secrets provider "${ref.provider}" is a ${provider.source} provider, but the reference says ${ref.source}`)
  )
}

/** The exec providers resolving `refs` would run, by alias, once each: what a progress line names while they run. */
export const execProvidersOf = (config: SecretsConfig, refs: ReadonlyArray<SecretRef>): ReadonlyArray<string> => {
  const aliases = new Set<string>()
  for (const ref of refs) {
    if (ref.source !== "exec" || aliases.has(ref.provider)) continue
    const provider = providerFor(config, ref)
    if (Either.isRight(provider) && provider.right.source === "exec") aliases.add(ref.provider)
  }
  return [...aliases]
}
