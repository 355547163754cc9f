import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { parse as parseDotenv } from "dotenv"
import type { JsonObject } from "../domain/AuthStore.js"
import { configEnvVars } from "../domain/Config.js"
import { assembleEnv, type EnvLayer, type EnvMap } from "../domain/Env.js"
import type { FileError } from "../domain/Errors.js"
import { Files } from "./Files.js"
import { HostProcess } from "./HostProcess.js"
import { Paths } from "./Paths.js"

export interface EnvSnapshot {
  readonly vars: EnvMap
  readonly shellEnv: { readonly enabled: boolean; readonly appliedKeys: ReadonlyArray<string> }
}

/**
 * The assembled environment of §4.1, each value with its source. Steps 1–4 are read here; the login-shell
 * import (step 5) is a further layer appended by the shell-env service when it is enabled.
 */
export interface EnvironmentShape {
  readonly load: (configRaw: JsonObject) => Effect.Effect<EnvSnapshot, FileError>
}

export class Environment extends Context.Tag("openclaw/Environment")<Environment, EnvironmentShape>() {
  static readonly layer = Layer.effect(
    Environment,
    Effect.gen(function* () {
      const host = yield* HostProcess
      const files = yield* Files
      const paths = yield* Paths
      const dotenv = (path: string) =>
        Effect.map(files.readText(path), (text): EnvLayer => ({
          source: { kind: "dotenv", path },
          vars: Option.match(text, { onNone: () => ({}), onSome: (t) => parseDotenv(t) })
        }))
      return {
        load: (configRaw) =>
          Effect.gen(function* () {
            const cwdEnv = yield* dotenv(paths.cwdEnvPath)
            // Running from inside the state dir must not read the same file twice under two names.
            const stateEnv = paths.stateEnvPath === paths.cwdEnvPath ? undefined : yield* dotenv(paths.stateEnvPath)
            const layers: Array<EnvLayer> = [
              { source: { kind: "env" }, vars: host.vars },
              cwdEnv,
              ...(stateEnv ? [stateEnv] : []),
              { source: { kind: "config" }, vars: configEnvVars(configRaw) }
            ]
            return {
              vars: assembleEnv(layers),
              shellEnv: { enabled: shellEnvEnabled(configRaw, host.vars), appliedKeys: [] }
            }
          })
      }
    })
  )
}

/** `env.shellEnv.enabled` or `OPENCLAW_LOAD_SHELL_ENV=1` (§4.1 step 5). */
export const shellEnvEnabled = (configRaw: JsonObject, vars: Readonly<Record<string, string | undefined>>): boolean => {
  if (vars.OPENCLAW_LOAD_SHELL_ENV === "1") return true
  const env = configRaw.env
  if (typeof env !== "object" || env === null) return false
  const shellEnv = (env as { shellEnv?: unknown }).shellEnv
  return typeof shellEnv === "object" && shellEnv !== null && (shellEnv as { enabled?: unknown }).enabled === true
}
