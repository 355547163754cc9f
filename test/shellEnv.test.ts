import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { execFileSync } from "node:child_process"
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseEnvZero, ShellEnv, ShellEnvError } from "../src/services/ShellEnv.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, runCli } from "./support/TestApp.js"
import { hostProcess, shellEnvWithShellsFile } from "./support/TestPorts.js"

const KEY = "sk-ant-api03-FAKEfromLoginShell" + "s".repeat(24) + "SHL1"

describe("login-shell import in status (§4.1 step 5)", () => {
  const shellEnv = (vars: Record<string, string>) => ({ load: () => Effect.succeed(vars) })

  it("imports only missing provider keys, remembers the source, and shows what it applied", async () => {
    const fs = new MemoryFs({ [CONFIG]: "{ env: { shellEnv: { enabled: true } } }" })
    const r = await runCli(["models", "status", "--check"], {
      fs,
      vars: { OPENAI_API_KEY: "sk-proj-FAKEalreadySetInProcess0123456789" },
      shellEnv: shellEnv({ ANTHROPIC_API_KEY: KEY, OPENAI_API_KEY: "sk-proj-FAKEfromShellMustLose0000", PATH: "/evil" })
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("Shell env  : on (applied: ANTHROPIC_API_KEY)")
    expect(r.stdout).toContain("anthropic (in use): env — ANTHROPIC_API_KEY (shell env)")
    expect(r.stdout).toContain("env OPENAI_API_KEY=sk-proj-…6789 (env)")
    expect(r.stdout).not.toContain(KEY)
    const json = JSON.parse((await runCli(["models", "status", "--json"], {
      fs,
      shellEnv: shellEnv({ ANTHROPIC_API_KEY: KEY })
    })).stdout)
    expect(json.auth.shellEnvFallback).toEqual({ enabled: true, appliedKeys: ["ANTHROPIC_API_KEY"] })
    expect(json.auth.providers[0].env).toEqual({ name: "ANTHROPIC_API_KEY", value: "sk-ant-api03-…SHL1", source: "shell env" })
  })

  it("is off unless enabled, and OPENCLAW_LOAD_SHELL_ENV=1 enables it", async () => {
    const off = await runCli(["models", "status", "--check"], { fs: new MemoryFs(), shellEnv: shellEnv({ ANTHROPIC_API_KEY: KEY }) })
    expect(off.code).toBe(1)
    expect(off.stdout).toContain("Shell env  : off")
    const on = await runCli(["models", "status", "--check"], {
      fs: new MemoryFs(),
      vars: { OPENCLAW_LOAD_SHELL_ENV: "1" },
      shellEnv: shellEnv({ ANTHROPIC_API_KEY: KEY })
    })
    expect(on.code).toBe(0)
  })

  it("a failing login shell is a warning, not an error", async () => {
    const r = await runCli(["models", "status"], {
      fs: new MemoryFs({ [CONFIG]: "{ env: { shellEnv: { enabled: true } } }" }),
      shellEnv: { load: () => Effect.fail(new ShellEnvError({ shell: "/bin/zsh", kind: "timeout", timeoutMs: 15000 })) }
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("login-shell import failed (/bin/zsh -l did not finish within 15000 ms)")
  })
})

describe("ShellEnv live adapter with fake login shells", () => {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-shell-"))
  const script = (name: string, body: string) => {
    const path = join(dir, name)
    writeFileSync(path, `#!/bin/bash\n${body}\n`)
    chmodSync(path, 0o755)
    return path
  }
  const printer = script("printer", `[ "$1" = "-l" ] && [ "$2" = "-c" ] || exit 9\nprintf 'ANTHROPIC_API_KEY=${KEY}\\0MULTI=a\\nb\\0'`)
  const sleeper = script("sleeper", "sleep 30")
  const failer = script("failer", "exit 3")
  const shells = join(dir, "shells")
  writeFileSync(shells, `# allowed\n${printer}\n${sleeper}\n${failer}\n`)

  const load = (shell: string, timeoutMs: number, shellsFile = shells) =>
    Effect.flatMap(ShellEnv, (s) => s.load(timeoutMs)).pipe(
      Effect.provide(shellEnvWithShellsFile(shellsFile).pipe(Layer.provide(hostProcess({ vars: { SHELL: shell, PATH: process.env.PATH ?? "" } }))))
    )

  it.effect("reads NUL-separated output of `$SHELL -l -c 'env -0'`", () =>
    Effect.gen(function* () {
      const vars = yield* load(printer, 5_000)
      expect(vars.ANTHROPIC_API_KEY).toBe(KEY)
      expect(vars.MULTI).toBe("a\nb")
    })
  )

  it.effect("kills a shell that hangs past the timeout", () =>
    Effect.gen(function* () {
      const started = Date.now()
      const error = yield* Effect.flip(load(sleeper, 300))
      expect(error.reason).toBe(`${sleeper} -l did not finish within 300 ms`)
      expect(Date.now() - started).toBeLessThan(5_000)
      const left = execFileSync("ps", ["-eo", "args"]).toString().split("\n").filter((l) => l.includes(sleeper))
      expect(left).toEqual([])
    })
  )

  it.effect("reports a failing shell", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(load(failer, 5_000))
      expect(error.reason).toBe(`${failer} -l -c 'env -0' exited with code 3`)
    })
  )

  it.effect("runs /bin/sh when $SHELL is not listed in the shells file", () =>
    Effect.gen(function* () {
      const vars = yield* load(printer, 5_000, join(dir, "no-such-shells-file"))
      expect(vars.ANTHROPIC_API_KEY).toBeUndefined()
      expect(vars.SHELL).toBe(printer)
    })
  )

  it("parses env -0 output", () => {
    expect(parseEnvZero("A=1\0B=x=y\0\0NOEQ\0")).toEqual({ A: "1", B: "x=y" })
  })
})
