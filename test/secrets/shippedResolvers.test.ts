/**
 * The live resolver with a resolver this repository ships (scripts/secret-resolvers/pass.mjs) and a stand-in `pass`
 * on the PATH passed through passEnv: the two halves of the exec protocol agree.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { nodeOnlyBin, resolverPath, standIn } from "../scripts/resolverHarness.js"
import { of, reasonOf, ref, resolveLive, tempDir } from "./harness.js"

/** Installed as the README says: copied with protocol.mjs beside it, mode 0755, whatever the checkout's umask was. */
const install = (dir: string) =>
  Effect.promise(async () => {
    for (const name of ["pass.mjs", "protocol.mjs"]) {
      await fs.copyFile(resolverPath(name), path.join(dir, name))
      await fs.chmod(path.join(dir, name), 0o755)
    }
    return path.join(dir, "pass.mjs")
  })

describe("scripts/secret-resolvers/pass.mjs through SecretResolverLive", () => {
  it.effect("one run answers every id: values from pass's first line, per-id errors for the rest", () =>
    Effect.gen(function* () {
      const dir = tempDir("resolvers")
      const command = yield* install(dir)
      const bin = yield* Effect.promise(() => nodeOnlyBin(dir))
      const pass = yield* Effect.promise(() =>
        standIn(bin, "pass", {
          [JSON.stringify(["show", "openclaw/openai"])]: { stdout: "sk-openai-from-pass-1\nuser: me\n" },
          [JSON.stringify(["show", "openclaw/anthropic"])]: { stdout: "sk-ant-from-pass-22\n" },
          [JSON.stringify(["show", "openclaw/missing"])]: { stderr: "Error: openclaw/missing is not in the password store.\n", code: 1 }
        })
      )
      const refs = ["openclaw/openai", "openclaw/anthropic", "openclaw/missing"].map((id) => ref("exec", "pass", id))
      const results = yield* resolveLive(
        refs,
        { providers: { pass: { source: "exec", command, passEnv: ["PATH", "HOME"] } } },
        { env: { PATH: bin, HOME: dir, OPENAI_API_KEY: "sk-parent-only" } }
      )
      expect(of(results, refs[0]!)).toEqual({ _tag: "Resolved", value: "sk-openai-from-pass-1" })
      expect(of(results, refs[1]!)).toEqual({ _tag: "Resolved", value: "sk-ant-from-pass-22" })
      expect(reasonOf(results, refs[2]!)).toContain(`exec provider "pass" could not resolve openclaw/missing`)
      expect(reasonOf(results, refs[2]!)).toContain("is not in the password store")
      const calls = yield* Effect.promise(() => pass.calls())
      expect(calls.map((c) => c.argv).sort()).toEqual([["show", "openclaw/anthropic"], ["show", "openclaw/missing"], ["show", "openclaw/openai"]])
      for (const call of calls) expect(call.env).not.toContain("OPENAI_API_KEY")
    })
  )
})
