/**
 * scripts/secret-resolvers/ (SPEC §9 "Beyond") against stand-in programs on PATH: each resolver turns a batch of ids
 * into calls of `op` / `security` / `secret-tool` / `pass` with exactly the expected arguments (no shell: an id with
 * spaces or `$(…)` stays one argument), answers per id, says what to install when the program is missing, gives the
 * program only the variables it needs, bounds each call in time, and never lets a secret reach stderr.
 * The real `pass` and `secret-tool` are exercised in secretResolvers.real.test.ts.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Outcome } from "../support/Child.js"
import { expectNoLeak } from "../support/SecretScan.js"
import { scaled } from "../support/Timing.js"
import { type Answer, nodeOnlyBin, processGone, request, responseOf, runResolver, type StandIn, standIn } from "./resolverHarness.js"

interface Case {
  readonly script: string
  readonly program: string
  readonly binEnv: string
  /** Three ids of the kind users write; the last one is made to fail. */
  readonly ids: readonly [string, string, string]
  /** An id holding spaces and shell syntax, still valid for this backend. */
  readonly odd: string
  readonly argv: (id: string) => Array<string>
  /** What the program prints for a secret. */
  readonly printed: (secret: string) => string
  /** A variable this program needs and must be given (beyond PATH and HOME). */
  readonly toolVar?: string
}

const CASES: ReadonlyArray<Case> = [
  {
    script: "pass.mjs",
    program: "pass",
    binEnv: "PASS_BIN",
    ids: ["openclaw/openai", "openclaw/anthropic", "work/missing"],
    odd: "team a/$(touch PWNED); `touch PWNED2`",
    argv: (id) => ["show", id],
    printed: (secret) => `${secret}\nuser: someone\nurl: https://example.invalid\n`,
    toolVar: "PASSWORD_STORE_DIR"
  },
  {
    script: "onepassword.mjs",
    program: "op",
    binEnv: "OP_BIN",
    ids: ["Private/OpenAI/credential", "op://Work/Anthropic/api/key", "Private/Missing/credential"],
    odd: "Private/My $(touch PWNED) key/`touch PWNED2`",
    argv: (id) => ["read", id.startsWith("op://") ? id : `op://${id}`],
    printed: (secret) => `${secret}\n`,
    toolVar: "OP_SERVICE_ACCOUNT_TOKEN"
  },
  {
    script: "keychain.mjs",
    program: "security",
    binEnv: "SECURITY_BIN",
    ids: ["openclaw-openai/openclaw", "openclaw-anthropic", "openclaw-missing/me"],
    odd: "my $(touch PWNED) service/`touch PWNED2` me",
    argv: (id) => {
      const [service, ...rest] = id.split("/")
      return ["find-generic-password", "-s", service!, ...(rest.length > 0 ? ["-a", rest.join("/")] : []), "-w"]
    },
    printed: (secret) => `${secret}\n`
  },
  {
    script: "secret-service.mjs",
    program: "secret-tool",
    binEnv: "SECRET_TOOL_BIN",
    ids: ["service:openclaw/account:openai", "service:openclaw/account:anthropic/env:prod", "service:openclaw/account:missing"],
    odd: "service:a $(touch PWNED)/account:`touch PWNED2`",
    argv: (id) => ["lookup", ...id.split("/").flatMap((s) => [s.slice(0, s.indexOf(":")), s.slice(s.indexOf(":") + 1)])],
    // secret-tool adds no newline when its stdout is not a terminal.
    printed: (secret) => secret,
    toolVar: "DBUS_SESSION_BUS_ADDRESS"
  }
]

const secretFor = (c: Case, i: number): string => `sk-standin-${c.program}-${i}-Q9xT4mZr8LwP2vKc`
const SECRETS = CASES.flatMap((c) => [0, 1, 2, 3].map((i) => secretFor(c, i)))

let tmp: string
let nodeBin: string
const outcomes: Array<Outcome> = []

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "openclaw-resolvers-"))
  nodeBin = await nodeOnlyBin(tmp)
})

afterAll(async () => {
  // Nothing a resolver wrote to stderr, in any test, held a piece of any secret the stand-ins gave out.
  expectNoLeak(outcomes.map((o) => ({ label: `stderr of ${o.args.join(" ")}`, text: o.stderr })), SECRETS)
  await fs.rm(tmp, { recursive: true, force: true })
})

/** A fresh directory for one test: `bin` (the stand-ins) and `cwd` (where the resolver runs). */
const workspace = async (label: string): Promise<{ bin: string; cwd: string }> => {
  const root = await fs.mkdtemp(path.join(tmp, `${label}-`))
  const bin = path.join(root, "bin")
  const cwd = path.join(root, "cwd")
  await fs.mkdir(bin)
  await fs.mkdir(cwd)
  return { bin, cwd }
}

const run = async (script: string, input: string, cwd: string, env: Record<string, string>): Promise<Outcome> => {
  const outcome = await runResolver(script, input, cwd, env)
  outcomes.push(outcome)
  return outcome
}

const answersFor = (c: Case, entries: ReadonlyArray<readonly [string, Answer]>): Record<string, Answer> =>
  Object.fromEntries(entries.map(([id, answer]) => [JSON.stringify(c.argv(id)), answer]))

// Every test has its own workspace and mostly waits on a resolver and its stand-ins (one waits out a timeout):
// the tests run side by side, five at a time (vitest's maxConcurrency).
describe.concurrent.each(CASES)("$script", (c) => {
  const setUp = async (label: string, entries: ReadonlyArray<readonly [string, Answer]>): Promise<{ tool: StandIn; cwd: string; env: Record<string, string> }> => {
    const { bin, cwd } = await workspace(`${c.program}-${label}`)
    const tool = await standIn(bin, c.program, answersFor(c, entries))
    return { tool, cwd, env: { PATH: `${bin}:${nodeBin}`, HOME: cwd } }
  }

  it("resolves a batch in one run: one call per id with exactly the expected arguments, per-id errors", async () => {
    const [a, b, missing] = c.ids
    const { tool, cwd, env } = await setUp("batch", [
      [a, { stdout: c.printed(secretFor(c, 0)) }],
      [b, { stdout: c.printed(secretFor(c, 1)) }],
      [missing, { code: 1, stderr: `${c.program}: item ${missing} not found\n` }]
    ])
    const response = responseOf(await run(c.script, request([a, b, missing, a]), cwd, env))
    expect(response.protocolVersion).toBe(1)
    expect(response.values).toEqual({ [a]: secretFor(c, 0), [b]: secretFor(c, 1) })
    expect(Object.keys(response.errors)).toEqual([missing])
    expect(response.errors[missing]!.message).toContain(`item ${missing} not found`)
    // The duplicate id is looked up once; order of calls may interleave (a few run at once).
    expect((await tool.calls()).map((call) => call.argv).sort()).toEqual([a, b, missing].map(c.argv).sort())
  })

  it("passes an id with spaces and shell syntax as one argument; no shell ever runs it", async () => {
    const { tool, cwd, env } = await setUp("odd", [[c.odd, { stdout: c.printed(secretFor(c, 2)) }]])
    const response = responseOf(await run(c.script, request([c.odd]), cwd, env))
    expect(response.values).toEqual({ [c.odd]: secretFor(c, 2) })
    expect((await tool.calls()).map((call) => call.argv)).toEqual([c.argv(c.odd)])
    expect(await fs.readdir(cwd)).toEqual([])
  })

  it("refuses an id that could be read as an option, without running the program", async () => {
    const { tool, cwd, env } = await setUp("option", [])
    const response = responseOf(await run(c.script, request(["-h", "--version"]), cwd, env))
    expect(response.values).toEqual({})
    expect(response.errors["-h"]!.message).toMatch(/could be read as an option/)
    expect(response.errors["--version"]!.message).toMatch(/could be read as an option/)
    expect(await tool.calls()).toEqual([])
  })

  it("says per id which program to install and which variable to set when it is missing", async () => {
    const { cwd } = await workspace(`${c.program}-missing`)
    const [a, b] = c.ids
    const outcome = await run(c.script, request([a, b]), cwd, { PATH: nodeBin, HOME: cwd })
    const response = responseOf(outcome)
    expect(response.values).toEqual({})
    for (const id of [a, b]) {
      expect(response.errors[id]!.message).toContain(`${c.program} not found on PATH`)
      expect(response.errors[id]!.message).toContain(`set ${c.binEnv} to its absolute path`)
    }
    expect(outcome.stderr).toBe("")
    // A *_BIN naming a program that is not there says so too.
    const elsewhere = path.join(cwd, "nowhere", c.program)
    const pointed = responseOf(await run(c.script, request([a]), cwd, { PATH: nodeBin, HOME: cwd, [c.binEnv]: elsewhere }))
    expect(pointed.errors[a]!.message).toContain(`${c.program} not found at ${c.binEnv}=${elsewhere}`)
  })

  it(`uses ${c.binEnv} when set, and gives the program only the variables it needs`, async () => {
    const [a] = c.ids
    const { bin, cwd } = await workspace(`${c.program}-bin`)
    const tool = await standIn(bin, "renamed-tool", answersFor(c, [[a, { stdout: c.printed(secretFor(c, 3)) }]]))
    const env: Record<string, string> = {
      PATH: nodeBin,
      HOME: cwd,
      [c.binEnv]: tool.file,
      OPENCLAW_RESOLVER_TIMEOUT_MS: String(scaled(3_000)),
      UNRELATED_API_KEY: "sk-unrelated-must-not-travel",
      ...(c.toolVar === undefined ? {} : { [c.toolVar]: "needed" })
    }
    const response = responseOf(await run(c.script, request([a]), cwd, env))
    expect(response.values).toEqual({ [a]: secretFor(c, 3) })
    const [call] = await tool.calls()
    expect(call!.env).toEqual(expect.arrayContaining(["PATH", "HOME", ...(c.toolVar === undefined ? [] : [c.toolVar])]))
    for (const name of ["UNRELATED_API_KEY", c.binEnv, "OPENCLAW_RESOLVER_TIMEOUT_MS"]) expect(call!.env).not.toContain(name)
  })

  it("reports a failure without the program's stdout, which may hold a secret", async () => {
    const [a] = c.ids
    const { cwd, env } = await setUp("stdout-on-failure", [[a, { code: 2, stdout: c.printed(secretFor(c, 1)), stderr: "partial failure\n" }]])
    const outcome = await run(c.script, request([a]), cwd, env)
    const response = responseOf(outcome)
    expect(response.values).toEqual({})
    expect(response.errors[a]!.message).toBe(`${c.program} exited with code 2: partial failure`)
    expectNoLeak([{ label: "stdout", text: outcome.stdout }, { label: "stderr", text: outcome.stderr }], [secretFor(c, 1)])
  })
})

describe.concurrent("the protocol (shared by every resolver; run through pass.mjs)", () => {
  const passCase = CASES[0]!
  const passArgv = (id: string) => JSON.stringify(passCase.argv(id))

  const withPass = async (label: string, answers: Record<string, Answer>) => {
    const { bin, cwd } = await workspace(`protocol-${label}`)
    const tool = await standIn(bin, "pass", answers)
    return { tool, cwd, env: { PATH: `${bin}:${nodeBin}`, HOME: cwd } }
  }

  it("bounds each id in time: a stuck program is killed with its children, the other ids still answer", async () => {
    const { tool, cwd, env } = await withPass("timeout", {
      [passArgv("slow")]: { sleepMs: 60_000, grandchild: true },
      [passArgv("fast")]: { stdout: "sk-standin-pass-0-Q9xT4mZr8LwP2vKc\n" }
    })
    // Long enough for the quick stand-in to start on a loaded machine, far below the stuck one's minute.
    const limit = scaled(2_000)
    const outcome = await run("pass.mjs", request(["slow", "fast"]), cwd, { ...env, OPENCLAW_RESOLVER_TIMEOUT_MS: String(limit) })
    const response = responseOf(outcome)
    expect(response.values).toEqual({ fast: "sk-standin-pass-0-Q9xT4mZr8LwP2vKc" })
    expect(response.errors.slow!.message).toMatch(new RegExp(`^pass gave no answer within ${limit} ms`))
    const slow = (await tool.calls()).find((call) => call.argv[1] === "slow")!
    expect(await processGone(slow.grandchild!)).toBe(true)
  })

  it("a program killed by a signal, an empty value and an oversized output are errors of their id", async () => {
    const { cwd, env } = await withPass("odd-exits", {
      [passArgv("killed")]: { signal: "SIGKILL" },
      [passArgv("empty")]: { stdout: "\nsecond line\n" },
      [passArgv("huge")]: { stdout: "x".repeat(1024 * 1024 + 10) }
    })
    const response = responseOf(await run("pass.mjs", request(["killed", "empty", "huge"]), cwd, env))
    expect(response.values).toEqual({})
    expect(response.errors.killed!.message).toBe("pass was killed by SIGKILL")
    expect(response.errors.empty!.message).toBe("pass printed an empty value for this id")
    expect(response.errors.huge!.message).toMatch(/printed more than 1048576 bytes/)
  })

  it("refuses ids with control characters and empty ids, and answers an empty batch with empty maps", async () => {
    const { tool, cwd, env } = await withPass("ids", {})
    const response = responseOf(await run("pass.mjs", request(["a\nb", "", "x\u0000y"]), cwd, env))
    expect(Object.keys(response.errors).sort()).toEqual(["", "a\nb", "x\u0000y"])
    expect(await tool.calls()).toEqual([])
    expect(responseOf(await run("pass.mjs", request([]), cwd, env))).toEqual({ protocolVersion: 1, values: {}, errors: {} })
  })

  it("answers ids that are also names of Object.prototype under their own key", async () => {
    const { cwd, env } = await withPass("proto", { [passArgv("__proto__")]: { stdout: "sk-standin-pass-2-Q9xT4mZr8LwP2vKc\n" } })
    const response = responseOf(await run("pass.mjs", request(["__proto__", "constructor"]), cwd, env))
    expect(Object.keys(response.values)).toEqual(["__proto__"])
    expect(response.values["__proto__"]).toBe("sk-standin-pass-2-Q9xT4mZr8LwP2vKc")
    expect(Object.keys(response.errors)).toEqual(["constructor"])
  })

  it.each([
    ["not JSON", "{nope", /not JSON/],
    ["another protocol version", JSON.stringify({ protocolVersion: 2, ids: ["a"] }), /unsupported protocolVersion 2/],
    ["ids that are not strings", JSON.stringify({ protocolVersion: 1, ids: [1] }), /ids must be an array of strings/],
    ["no object", "[]", /not a JSON object/]
  ])("refuses a request that is %s: exit 2, the reason on stderr, nothing on stdout", async (_, input, reason) => {
    const { tool, cwd, env } = await withPass("bad-request", {})
    const outcome = await run("pass.mjs", input, cwd, env)
    expect(outcome.code).toBe(2)
    expect(outcome.stdout).toBe("")
    expect(outcome.stderr).toMatch(reason)
    expect(await tool.calls()).toEqual([])
  })
})

describe.concurrent("backend-specific ids", () => {
  it("pass: the secret is the entry's first line", async () => {
    const { bin, cwd } = await workspace("pass-first-line")
    await standIn(bin, "pass", { [JSON.stringify(["show", "a"])]: { stdout: "sk-standin-pass-1-Q9xT4mZr8LwP2vKc\r\nlogin: me\n" } })
    expect(responseOf(await run("pass.mjs", request(["a"]), cwd, { PATH: `${bin}:${nodeBin}` })).values).toEqual({
      a: "sk-standin-pass-1-Q9xT4mZr8LwP2vKc"
    })
  })

  it("1Password: an id that is not Vault/Item[/section]/field is refused before op runs", async () => {
    const { bin, cwd } = await workspace("op-shape")
    const tool = await standIn(bin, "op", {})
    const ids = ["Vault/Item", "a/b/c/d/e", "Vault//field", "op://Vault/Item", "Vault/-Item/field"]
    const response = responseOf(await run("onepassword.mjs", request(ids), cwd, { PATH: `${bin}:${nodeBin}` }))
    expect(Object.keys(response.errors).sort()).toEqual([...ids].sort())
    expect(await tool.calls()).toEqual([])
  })

  it("Keychain: a service without an account asks for the first item of that service", async () => {
    const c = CASES[2]!
    expect(c.argv("openclaw-anthropic")).toEqual(["find-generic-password", "-s", "openclaw-anthropic", "-w"])
    const { bin, cwd } = await workspace("keychain-shape")
    const tool = await standIn(bin, "security", {})
    const response = responseOf(await run("keychain.mjs", request(["svc/", "svc/-a"]), cwd, { PATH: `${bin}:${nodeBin}` }))
    expect(Object.keys(response.errors).sort()).toEqual(["svc/", "svc/-a"])
    expect(await tool.calls()).toEqual([])
  })

  it("Secret Service: nothing found is said with the attributes; a segment without attribute:value is refused", async () => {
    const { bin, cwd } = await workspace("secret-tool-shape")
    const tool = await standIn(bin, "secret-tool", { [JSON.stringify(["lookup", "service", "openclaw", "account", "nope"])]: { code: 1 } })
    const ids = ["service:openclaw/account:nope", "openclaw", "service:", ":x", "service:openclaw/-x:y", "service:-v"]
    const response = responseOf(await run("secret-service.mjs", request(ids), cwd, { PATH: `${bin}:${nodeBin}` }))
    expect(response.errors["service:openclaw/account:nope"]!.message).toBe("no Secret Service item matches service=openclaw account=nope")
    for (const id of ids.slice(1)) expect(response.errors[id]!.message).toMatch(/attribute:value|starts with '-'/)
    expect((await tool.calls()).map((call) => call.argv)).toEqual([["lookup", "service", "openclaw", "account", "nope"]])
  })
})
