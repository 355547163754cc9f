import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { afterAll } from "vitest"
import { decodeAuthStore } from "../src/domain/AuthStore.js"
import { decodeConfig, substituteEnvRefs } from "../src/domain/Config.js"
import { parseExpiresIn } from "../src/domain/Duration.js"
import { dotEnvValue, upsertDotEnv } from "../src/domain/DotEnv.js"
import { parse as parseDotenv } from "dotenv"
import { parseModelDirective } from "../src/domain/ModelDirective.js"
import { slugProfileName } from "../src/domain/ProfileId.js"
import { ConfigStore } from "../src/services/ConfigStore.js"
import { ProfileStore } from "../src/services/ProfileStore.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, STORE, testServices } from "./support/TestApp.js"
import { scaled } from "./support/Timing.js"

/** Issue 7: at least 10,000 generated cases per parser; none may throw, every rejection is a clear message. */
const RUNS = { fastCheck: { numRuns: 10_000 } }

/** Text that is often almost-JSON: JSON with random damage, plus arbitrary strings. */
const damagedJson = FastCheck.oneof(
  FastCheck.string({ unit: "binary", maxLength: 200 }),
  FastCheck.tuple(FastCheck.jsonValue({ maxDepth: 4 }), FastCheck.nat(), FastCheck.string({ maxLength: 3 })).map(([v, at, junk]) => {
    const text = JSON.stringify({ version: 1, profiles: { "anthropic:x": v } })
    const i = at % (text.length + 1)
    return text.slice(0, i) + junk + text.slice(i + (at % 3))
  })
)

const oneLineError = (message: string) => {
  expect(message.length).toBeGreaterThan(10)
  expect(message).not.toContain("\n")
  expect(message).toContain("Fix:")
}

/**
 * Reads a file through the real service code (ProfileStore.load / ConfigStore.load) over an in-memory file
 * system. The layer is built once; each case only replaces the file's text. A defect is a test failure.
 */
const fs = new MemoryFs()
const runtime = ManagedRuntime.make(testServices({ fs }) as Layer.Layer<ProfileStore | ConfigStore>)
afterAll(() => runtime.dispose())
const readThrough = <A, E>(path: string, text: string, read: Effect.Effect<A, E, ProfileStore | ConfigStore>) => {
  fs.put(path, text)
  return runtime.runPromiseExit(read)
}

const expectCleanFailure = <A, E>(exit: Exit.Exit<A, E>, text: string, path: string) => {
  if (Exit.isSuccess(exit)) return
  const failure = exit.cause._tag === "Fail" ? (exit.cause.error as { message: string }) : undefined
  expect(failure, `defect for ${JSON.stringify(text)}`).toBeDefined()
  oneLineError(failure!.message)
  expect(failure!.message).toContain(path)
}

describe("fuzz: readers never throw (10,000 cases each)", () => {
  it.prop("auth-profiles.json decoding of any JSON value", [FastCheck.jsonValue({ maxDepth: 5 })], ([value]) => {
    const result = decodeAuthStore(value)
    if (Either.isLeft(result)) expect(result.left.length).toBeGreaterThan(5)
  }, RUNS)

  // Plain fast-check over one runtime: per-case Effect test environments would cost more than the parsing.
  it("auth-profiles.json files, damaged or not", async () => {
    await FastCheck.assert(
      FastCheck.asyncProperty(damagedJson, async (text) => {
        expectCleanFailure(await readThrough(STORE, text, Effect.flatMap(ProfileStore, (s) => s.load(STORE))), text, STORE)
      }),
      RUNS.fastCheck
    )
  }, scaled(120_000))

  it("openclaw.json (JSON5) files of any text", async () => {
    const texts = FastCheck.oneof(damagedJson, FastCheck.string({ maxLength: 120 }).map((s) => `{ ${s} }`))
    await FastCheck.assert(
      FastCheck.asyncProperty(texts, async (text) => {
        const exit = await readThrough(CONFIG, text, Effect.flatMap(ConfigStore, (c) => c.load))
        expectCleanFailure(exit, text, CONFIG)
        if (Exit.isSuccess(exit)) {
          const decoded = decodeConfig(exit.value.raw)
          if (Either.isLeft(decoded)) expect(decoded.left.length).toBeGreaterThan(5)
        }
      }),
      RUNS.fastCheck
    )
  }, scaled(120_000))

  it.prop("${VAR} substitution of any JSON value", [FastCheck.jsonValue({ maxDepth: 4 })], ([value]) => {
    const { missing } = substituteEnvRefs(value, () => undefined)
    for (const name of missing) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/)
  }, RUNS)

  it.prop(".env files: reading any text, and setting a key in it", [FastCheck.string({ unit: "binary", maxLength: 200 }), FastCheck.string({ maxLength: 40 })], ([text, value]) => {
    parseDotenv(text)
    const result = upsertDotEnv(text, "OPENAI_API_KEY", value)
    if (Either.isRight(result)) {
      // What we write reads back as written, by our reader and by dotenv's.
      expect(dotEnvValue(result.right.text, "OPENAI_API_KEY")).toBe(value)
      expect(parseDotenv(result.right.text).OPENAI_API_KEY).toBe(value)
    } else expect(result.left.length).toBeGreaterThan(5)
  }, RUNS)

  it.prop("duration parsing", [FastCheck.oneof(FastCheck.string({ maxLength: 12 }), FastCheck.tuple(FastCheck.double(), FastCheck.constantFrom("", "m", "h", "d", "x", "D")).map(([n, u]) => `${n}${u}`))], ([text]) => {
    const result = parseExpiresIn(text)
    if (Either.isRight(result)) expect(result.right).toBeGreaterThan(0)
    else expect(result.left).toMatch(/30m, 12h, 2w|more than 100 years/)
  }, RUNS)

  it.prop("/model directive parsing", [FastCheck.oneof(FastCheck.string({ maxLength: 60 }), FastCheck.string({ maxLength: 60 }).map((s) => `/model ${s}`))], ([text]) => {
    const d = parseModelDirective(text)
    if (d?.kind === "set") {
      expect(d.ref.length).toBeGreaterThan(0)
      if (d.profileId !== undefined) expect(d.profileId.length).toBeGreaterThan(0)
      // Whatever a session stores must be sendable in a response header.
      expect(d.ref).toMatch(/^[\x21-\x7e]+$/)
      if (d.profileId !== undefined) expect(d.profileId).toMatch(/^[\x21-\x7e]+$/)
    }
  }, RUNS)

  it.prop("profile-id slugging", [FastCheck.string({ unit: "binary", maxLength: 40 })], ([raw]) => {
    const slug = slugProfileName(raw)
    expect(slug).toMatch(/^[a-z0-9._@-]+$/)
    expect(slugProfileName(slug)).toBe(slug)
  }, RUNS)
})
