import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { JsonObject } from "../domain/AuthStore.js"
import { configEnvVars } from "../domain/Config.js"
import { assembleEnv, type EnvLayer, type IgnoredEnvVar, splitCwdDotEnv, type EnvMap, shellEnvEnabled, shellEnvTimeoutMs } from "../domain/Env.js"
import type { FileError } from "../domain/Errors.js"
import { Files } from "./Files.js"
import { HostProcess } from "./HostProcess.js"
import { Paths } from "./Paths.js"
import { ShellEnv } from "./ShellEnv.js"
import { PROVIDERS } from "../domain/Provider.js"
import { serviceLayer } from "./LayerInOrder.js"

export interface EnvSnapshot {
  readonly vars: EnvMap
  readonly shellEnv: {
    readonly enabled: boolean
    readonly appliedKeys: ReadonlyArray<string>
    /** Why the login-shell import failed; the rest of the environment is still used. */
    readonly error?: string
  }
  /** Variables of `./.env` that were refused (§4.1); status names each. */
  readonly ignored: ReadonlyArray<IgnoredEnvVar>
  /** Their values: unused, but secrets this process has read, so every printer masks them (§11). */
  readonly ignoredValues: ReadonlyArray<string>
}

/** Only provider keys are taken from the login shell (§4.2), never PATH or anything else. */
const PROVIDER_KEYS: ReadonlyArray<string> = PROVIDERS.flatMap((p) => p.envVars)

/**
 * The assembled environment of §4.1, each value with its source: process env, ./.env, <state>/.env, the config
 * `env` block, then (when enabled) the provider keys still missing, from a login shell.
 */
export interface EnvironmentShape {
  readonly load: (configRaw: JsonObject) => Effect.Effect<EnvSnapshot, FileError>
}

export class Environment extends Context.Tag("openclaw/Environment")<Environment, EnvironmentShape>() {
  static readonly layer = serviceLayer(
    Environment,
    Effect.gen(function* () {
      const host = yield* HostProcess
      const files = yield* Files
      const paths = yield* Paths
      const shell = yield* ShellEnv
      // dotenv's parser is loaded only when there is a file to parse (its module loads node:crypto).
      const dotenv = (path: string) =>
        Effect.flatMap(files.readText(path), (text) =>
          Option.match(text, {
            onNone: () => Effect.succeed<EnvLayer>({ source: { kind: "dotenv", path }, vars: {} }),
            onSome: (t) =>
              Effect.promise(() => import("dotenv")).pipe(
                Effect.map((m): EnvLayer => ({ source: { kind: "dotenv", path }, vars: (m.parse ?? m.default.parse)(t) }))
              )
          })
        )
      return {
        load: (configRaw) =>
          Effect.gen(function* () {
            const cwdRaw = yield* dotenv(paths.cwdEnvPath)
            // Run from inside the state dir, ./.env IS the daemon's <state>/.env, where keys belong.
            const inStateDir = paths.stateEnvPath === paths.cwdEnvPath
            const { allowed, refused } = inStateDir ? { allowed: cwdRaw.vars, refused: [] } : splitCwdDotEnv(cwdRaw.vars)
            const cwdEnv: EnvLayer = { source: cwdRaw.source, vars: allowed }
            const ignored = refused.map((name) => ({ name, path: paths.cwdEnvPath }))
            const ignoredValues = refused.map((name) => cwdRaw.vars[name]).filter((v): v is string => v !== undefined)
            // Running from inside the state dir must not read the same file twice under two names.
            const stateEnv = inStateDir ? undefined : yield* dotenv(paths.stateEnvPath)
            const layers: Array<EnvLayer> = [
              { source: { kind: "env" }, vars: host.vars },
              cwdEnv,
              ...(stateEnv ? [stateEnv] : []),
              { source: { kind: "config" }, vars: configEnvVars(configRaw) }
            ]
            const vars = assembleEnv(layers)
            const enabled = shellEnvEnabled(configRaw, host.vars)
            const missing = PROVIDER_KEYS.filter((k) => !vars.has(k))
            if (!enabled || missing.length === 0) return { vars, shellEnv: { enabled, appliedKeys: [] }, ignored, ignoredValues }
            return yield* shell.load(shellEnvTimeoutMs(configRaw, host.vars)).pipe(
              Effect.map((fromShell): EnvSnapshot => {
                const applied = missing.filter((k) => fromShell[k] !== undefined && fromShell[k] !== "")
                const withShell = assembleEnv([...layers, { source: { kind: "shell" }, vars: Object.fromEntries(applied.map((k) => [k, fromShell[k]])) }])
                return { vars: withShell, shellEnv: { enabled, appliedKeys: applied }, ignored, ignoredValues }
              }),
              Effect.catchAll((e) => Effect.succeed<EnvSnapshot>({ vars, shellEnv: { enabled, appliedKeys: [], error: e.reason }, ignored, ignoredValues }))
            )
          })
      }
    })
  )
}
