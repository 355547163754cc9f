import type { JsonObject } from "./AuthStore.js"
import { PROVIDERS } from "./Provider.js"

/** Where a variable came from (§4.1); status shows it. */
export type EnvSource =
  | { readonly kind: "env" }
  | { readonly kind: "dotenv"; readonly path: string }
  | { readonly kind: "config" }
  | { readonly kind: "shell" }

export interface EnvValue {
  readonly value: string
  readonly source: EnvSource
}

export type EnvMap = ReadonlyMap<string, EnvValue>

export interface EnvLayer {
  readonly source: EnvSource
  readonly vars: Readonly<Record<string, string | undefined>>
}

/**
 * What a working directory's `./.env` may not set (§4.1): provider keys (§4.2), the gateway token and the
 * OPENCLAW_* path variables. A checked-out repository's `.env` must not choose whose account is billed, who may
 * call the gateway or which store is read; OpenClaw 2026.3.31 refuses the same names.
 */
const CWD_DOTENV_REFUSED: ReadonlySet<string> = new Set([
  ...PROVIDERS.flatMap((p) => p.envVars),
  "OPENCLAW_GATEWAY_TOKEN",
  "OPENCLAW_HOME",
  "OPENCLAW_STATE_DIR",
  "OPENCLAW_CONFIG_PATH",
  "OPENCLAW_AGENT_DIR"
])

/** A variable of `./.env` that was not used, and where it was. */
export interface IgnoredEnvVar {
  readonly name: string
  readonly path: string
}

/** Splits `./.env`'s variables into the ones it may set and the names it may not (§4.1). */
export const splitCwdDotEnv = (
  vars: Readonly<Record<string, string | undefined>>
): { readonly allowed: Record<string, string | undefined>; readonly refused: ReadonlyArray<string> } => {
  const allowed: Record<string, string | undefined> = {}
  const refused: Array<string> = []
  for (const [name, value] of Object.entries(vars)) {
    if (!CWD_DOTENV_REFUSED.has(name)) allowed[name] = value
    else if (value !== undefined && value !== "") refused.push(name)
  }
  return { allowed, refused }
}

/** The one line status prints for a refused `./.env` variable: which, that it was ignored, where it belongs. */
export const describeIgnoredEnvVar = (v: IgnoredEnvVar, stateEnvPath: string): string =>
  `${v.name} in ${v.path} was ignored: a working directory's .env may not set provider keys, the gateway token or OPENCLAW_* paths; put it in ${stateEnvPath} or export it in your shell`

/** Earlier layers win: nothing overrides a value already set (§4.1). Empty values count as unset. */
export const assembleEnv = (layers: ReadonlyArray<EnvLayer>): Map<string, EnvValue> => {
  const env = new Map<string, EnvValue>()
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer.vars)) {
      if (value === undefined || value === "" || env.has(name)) continue
      env.set(name, { value, source: layer.source })
    }
  }
  return env
}

export const formatEnvSource = (source: EnvSource): string => {
  switch (source.kind) {
    case "env":
      return "env"
    case "dotenv":
      return `.env: ${source.path}`
    case "config":
      return "config"
    case "shell":
      return "shell env"
  }
}

/** How long the login shell may take to print its environment (§4.1 step 5). */
export const DEFAULT_SHELL_ENV_TIMEOUT_MS = 15_000

/** `OPENCLAW_SHELL_ENV_TIMEOUT_MS`, else `env.shellEnv.timeoutMs`, else 15 s. */
export const shellEnvTimeoutMs = (configRaw: JsonObject, vars: Readonly<Record<string, string | undefined>>): number => {
  const fromEnv = Number(vars.OPENCLAW_SHELL_ENV_TIMEOUT_MS)
  if (vars.OPENCLAW_SHELL_ENV_TIMEOUT_MS && Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv
  const env = configRaw.env as { shellEnv?: { timeoutMs?: unknown } } | undefined
  const fromConfig = env?.shellEnv?.timeoutMs
  return typeof fromConfig === "number" && fromConfig > 0 ? fromConfig : DEFAULT_SHELL_ENV_TIMEOUT_MS
}

/** `env.shellEnv.enabled` or `OPENCLAW_LOAD_SHELL_ENV=1` (§4.1 step 5). */
export const shellEnvEnabled = (configRaw: JsonObject, vars: Readonly<Record<string, string | undefined>>): boolean => {
  if (vars.OPENCLAW_LOAD_SHELL_ENV === "1") return true
  const env = configRaw.env
  if (typeof env !== "object" || env === null) return false
  const shellEnv = (env as { shellEnv?: unknown }).shellEnv
  return typeof shellEnv === "object" && shellEnv !== null && (shellEnv as { enabled?: unknown }).enabled === true
}
