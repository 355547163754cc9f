import type { JsonObject } from "./AuthStore.js"

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
