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
