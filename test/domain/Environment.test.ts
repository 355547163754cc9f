import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { formatEnvSource } from "../../src/domain/Env.js"
import { Environment } from "../../src/services/Environment.js"
import { MemoryFs } from "../support/MemoryFiles.js"
import { STATE, testServices } from "../support/TestApp.js"

describe("environment assembly (§4.1)", () => {
  const fs = () =>
    new MemoryFs({
      "/work/.env": "A=from-cwd\nB=from-cwd\n# comment\nQUOTED=\"two words\"\n",
      [`${STATE}/.env`]: "A=from-state\nB=from-state\nC=from-state\nEMPTY=\n"
    })
  const configRaw = { env: { A: "from-config", D: "from-config", vars: { D: "from-vars", E: "from-vars" } } }

  it.effect("process env, ./.env, <state>/.env, config: earlier wins, each with its source", () =>
    Effect.gen(function* () {
      const env = yield* (yield* Environment).load(configRaw)
      const get = (name: string) => {
        const v = env.vars.get(name)
        return v && [v.value, formatEnvSource(v.source)]
      }
      expect(get("A")).toEqual(["from-process", "env"])
      expect(get("B")).toEqual(["from-cwd", ".env: /work/.env"])
      expect(get("C")).toEqual(["from-state", `.env: ${STATE}/.env`])
      expect(get("D")).toEqual(["from-config", "config"])
      expect(get("E")).toEqual(["from-vars", "config"])
      expect(get("QUOTED")).toEqual(["two words", ".env: /work/.env"])
      expect(get("EMPTY")).toBeUndefined()
      expect(env.shellEnv).toEqual({ enabled: false, appliedKeys: [] })
    }).pipe(Effect.provide(testServices({ fs: fs(), vars: { A: "from-process" } })))
  )

  it.effect("reports the shell-env switch from config or OPENCLAW_LOAD_SHELL_ENV", () =>
    Effect.gen(function* () {
      const env = yield* (yield* Environment).load({ env: { shellEnv: { enabled: true } } })
      expect(env.shellEnv.enabled).toBe(true)
    }).pipe(Effect.provide(testServices({ fs: fs() })))
  )

  it.effect("fails with a clear error when an env file is unreadable", () =>
    Effect.gen(function* () {
      const files = new MemoryFs({ [`${STATE}/.env`]: { content: "A=1", mode: 0o000 } })
      const error = yield* Effect.flip(
        Effect.flatMap(Environment, (e) => e.load({})).pipe(Effect.provide(testServices({ fs: files })))
      )
      expect(error.message).toBe(
        `Cannot read ${STATE}/.env: permission denied. Fix: check its owner and mode with \`ls -l ${STATE}/.env\` (openclaw keeps its files 0600 and directories 0700, owned by you).`
      )
    })
  )
})
