/**
 * The live resolver over a real temp directory: secrets files and small resolver scripts written by the test,
 * resolved through SecretResolverLive with the home the test chooses. Time is the test's clock (TestClock under
 * `it.effect`), so timeouts are reached by `TestClock.adjust`, never by waiting.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import { mkdtempSync, rmSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll } from "vitest"
import { decodeSecretsConfig } from "../../src/domain/SecretProviders.js"
import type { Resolution } from "../../src/domain/SecretResolution.js"
import { type SecretRef, secretRefKey } from "../../src/domain/SecretRef.js"
import { SecretResolver } from "../../src/services/SecretResolver.js"
import { SecretResolverLive } from "../../src/services/SecretResolverLive.js"
import { hostProcess } from "../support/TestPorts.js"

/** A fresh directory per call, removed when the file's tests end. */
const made: Array<string> = []
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})
export const tempDir = (label = "secrets"): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `openclaw-${label}-`))
  made.push(dir)
  return dir
}

/** Writes `text` to `file` with `mode` (chmod after the write, so the umask does not decide it). */
export const writeFile = async (file: string, text: string, mode = 0o600): Promise<string> => {
  await fs.writeFile(file, text)
  await fs.chmod(file, mode)
  return file
}

/** A resolver script: `body` under a `#!/bin/sh` line, executable. */
export const shScript = (file: string, body: string, mode = 0o755): Promise<string> => writeFile(file, `#!/bin/sh\n${body}\n`, mode)

/** A resolver script run by this very node (absolute shebang: no PATH needed). */
export const nodeScript = (file: string, body: string, mode = 0o755): Promise<string> =>
  writeFile(file, `#!${process.execPath}\n${body}\n`, mode)

/** Node script prelude: `request` is the parsed stdin, `reply(values, errors)` prints the protocol answer. */
export const READ_REQUEST = `
const fs = require("node:fs")
const request = JSON.parse(fs.readFileSync(0, "utf8"))
const reply = (values, errors) => process.stdout.write(JSON.stringify({ protocolVersion: 1, values, errors }))
`

export interface ResolveOptions {
  readonly env?: Readonly<Record<string, string>>
  readonly allowExec?: boolean
  readonly home?: string
}

/** Resolves `refs` with the live layer over the raw `secrets` block `secrets`. */
export const resolveLive = (refs: ReadonlyArray<SecretRef>, secrets: unknown, options: ResolveOptions = {}) =>
  Effect.gen(function* () {
    const resolver = yield* SecretResolver
    const env = options.env ?? {}
    return yield* resolver.resolve({
      refs,
      config: decodeSecretsConfig(secrets),
      env: (name) => (Object.hasOwn(env, name) ? env[name] : undefined),
      allowExec: options.allowExec ?? true
    })
  }).pipe(
    Effect.provide(
      SecretResolverLive.pipe(Layer.provide(hostProcess({ vars: { HOME: options.home ?? "/nonexistent-home" }, osHome: "/nonexistent-os-home" })))
    )
  )

export const ref = (source: SecretRef["source"], provider: string, id: string): SecretRef => ({ source, provider, id })

/** The resolution of `r` in a result, which must hold it. */
export const of = (results: ReadonlyMap<string, Resolution>, r: SecretRef): Resolution => {
  const found = results.get(secretRefKey(r))
  if (found === undefined) throw new Error(`no resolution for ${secretRefKey(r)}`)
  return found
}

/** The reason of an unresolved ref ("" when it resolved, so an assertion on the text fails readably). */
export const reasonOf = (results: ReadonlyMap<string, Resolution>, r: SecretRef): string => {
  const resolution = of(results, r)
  return resolution._tag === "Resolved" ? "" : resolution.reason
}

/** Real time, for waiting on a child process (TestClock does not move the world). */
export const realSleep = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Waits (real time, bounded) until `file` exists and returns its trimmed content. */
export const waitForFile = (file: string, timeoutMs = 10_000) =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const text = yield* Effect.promise(() => fs.readFile(file, "utf8").catch(() => undefined))
      if (text !== undefined && text.trim() !== "") return text.trim()
      if (Date.now() > deadline) return yield* Effect.die(new Error(`${file} never appeared`))
      yield* realSleep(20)
    }
  })

/** Waits (real time, bounded) until `count` timers are queued on the TestClock, so an adjust reaches them. */
export const timersQueued = (count: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < 500; i++) {
      if ((yield* TestClock.sleeps()).length >= count) return
      yield* realSleep(10)
    }
    return yield* Effect.die(new Error("the resolver's timers never started"))
  })

/** Whether a process with this pid exists (a zombie counts: the resolver must have reaped its child). */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}
