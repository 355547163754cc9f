/**
 * Broken, unreadable and misplaced files, and bad command lines, against the built binary. Every failure must be
 * exit 1 with one short line on stderr that names the file and says how to fix it; nothing is rewritten or
 * created; no stack traces; no secrets.
 */
import { spawnSync } from "node:child_process"
import { closeSync, openSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { BIN, type Outcome } from "../support/Child.js"
import { canRunUnprivileged, expectTreeUnchanged, runsOfThisFile, Sandbox, useSandboxes } from "../support/Sandbox.js"
import { expectNoAnsi, expectNoInternals, expectNoSecrets, HOUR, SECRETS, storeJson } from "./harness.js"

const newHome = useSandboxes()

/** The two ways cron and people run it. */
const VARIANTS: ReadonlyArray<ReadonlyArray<string>> = [
  ["models", "status", "--check"],
  ["models", "status", "--json", "--check"]
]

/** A valid store holding secrets, so a failure elsewhere has something it must not print or touch. */
const validStore = () =>
  storeJson(
    {
      "anthropic:default": { type: "api_key", provider: "anthropic", key: SECRETS.apiKey },
      "anthropic:work": { type: "token", provider: "anthropic", token: SECRETS.token, expires: Date.now() + 100 * HOUR }
    },
    { order: { anthropic: ["anthropic:work", "anthropic:default"] } }
  )

const validConfig = `// hand-written
{
  env: { OPENROUTER_API_KEY: "${SECRETS.routerToken}" },
  agents: { list: [ { id: "main", default: true }, { id: "work" } ] },
}
`

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** One of our own errors: exactly one short line, `openclaw: `, the file, `Fix:`. */
const expectOwnError = (r: Outcome, names: string, position: boolean): void => {
  const label = `openclaw ${r.args.join(" ")}`
  expect(r.code, `${label}: exit code (stderr: ${r.stderr})`).toBe(1)
  expect(r.stdout, `${label}: nothing on stdout`).toBe("")
  expect(r.stderr.endsWith("\n"), `${label}: stderr ends with a newline`).toBe(true)
  const lines = r.stderr.trimEnd().split("\n")
  expect(lines, `${label}: exactly one line on stderr`).toHaveLength(1)
  const line = lines[0]!
  expect(line.startsWith("openclaw: "), line).toBe(true)
  expect(line, "names the file").toContain(names)
  expect(line, "says how to fix it").toContain("Fix:")
  if (position) expect(line, "names the parse position").toMatch(new RegExp(`${escapeRe(names)}:\\d+:\\d+: `))
  // Short: paths aside, a sentence or two.
  expect(line.split(names).join("<path>").length, `short: ${line}`).toBeLessThanOrEqual(300)
  // Said the way a person editing the file would put it, not in schema notation.
  expect(line).not.toMatch(/readonly |ReadonlyArray<|\| undefined|Expected .*, actual/)
  expect(line, "quotes no file content").not.toContain('..."')
  expectNoInternals(r.stdout + r.stderr)
  expectNoAnsi(r.stdout + r.stderr)
}

interface OwnErrorCase {
  readonly name: string
  /** Writes the fixtures; returns the path the message must name. */
  readonly setup: (home: Sandbox) => Promise<string>
  readonly args?: ReadonlyArray<string>
  /** A parse error must name line and column (§3.3). */
  readonly position?: boolean
  /** The file is unreadable: run as a user that file modes apply to. */
  readonly unprivileged?: boolean
  readonly extra?: (r: Outcome, home: Sandbox) => void
  /** A product bug: the test asserts the right behaviour and is expected to fail until it is fixed. */
  readonly knownBug?: boolean
}

const store = (home: Sandbox, text: string, mode = 0o600) => home.write(home.store, text, mode)
const config = (home: Sandbox, text: string, mode = 0o600) => home.write(home.config, text, mode)

const OWN_ERRORS: ReadonlyArray<OwnErrorCase> = [
  // ---- auth-profiles.json ----
  {
    name: "malformed JSON in auth-profiles.json",
    position: true,
    setup: async (h) => {
      await config(h, validConfig)
      return store(h, `{\n  "version": 1,\n  "profiles": {\n    "anthropic:default": { "type": "api_key", "provider": "anthropic", "key": "${SECRETS.apiKey}",, }\n  }\n}\n`)
    }
  },
  {
    name: "auth-profiles.json cut off mid-write",
    position: true,
    setup: (h) => store(h, `{ "version": 1, "profiles": { "anthropic:default": { "type": "api_key", "provider": "anthropic", "key": "${SECRETS.apiKey}"`)
  },
  {
    name: "auth-profiles.json with a key pasted without quotes (Node's 'Unexpected token' parse message)",
    position: true,
    setup: (h) =>
      store(h, `{\n  "version": 1,\n  "profiles": {\n    "anthropic:default": { "type": "api_key", "provider": "anthropic", "key": ${SECRETS.apiKey} }\n  }\n}\n`)
  },
  {
    name: "a JSON array where the auth-profiles.json object belongs",
    setup: (h) => store(h, JSON.stringify([{ type: "api_key", provider: "anthropic", key: SECRETS.apiKey }])),
    extra: (r) => expect(r.stderr).toContain("array")
  },
  {
    name: "profiles: [] in auth-profiles.json",
    setup: (h) => store(h, `{ "version": 1, "profiles": [] }\n`),
    extra: (r) => expect(r.stderr).toContain("profiles")
  },
  {
    name: 'order: { anthropic: "x" } in auth-profiles.json',
    setup: (h) =>
      store(h, storeJson({ "anthropic:default": { type: "api_key", provider: "anthropic", key: SECRETS.apiKey } }, { order: { anthropic: "x" } })),
    extra: (r) => expect(r.stderr).toContain("order.anthropic")
  },
  {
    name: 'version: "1" in auth-profiles.json',
    setup: (h) => store(h, `{ "version": "1", "profiles": {} }\n`),
    extra: (r) => expect(r.stderr).toContain("version")
  },
  {
    name: "an empty auth-profiles.json",
    position: true,
    setup: (h) => store(h, ""),
    extra: (r) => expect(r.stderr).toContain("empty")
  },
  {
    name: "an unreadable auth-profiles.json (mode 000)",
    unprivileged: true,
    setup: async (h) => {
      await config(h, validConfig, 0o644)
      return store(h, validStore(), 0o000)
    },
    extra: (r) => expect(r.stderr).toContain("permission denied")
  },
  {
    name: "a directory where auth-profiles.json belongs",
    setup: async (h) => {
      await h.write(path.join(h.store, "stray.json"), "{}")
      return h.store
    },
    extra: (r) => expect(r.stderr).toContain("directory")
  },
  // ---- openclaw.json ----
  {
    name: "malformed JSON5 in openclaw.json",
    position: true,
    setup: async (h) => {
      await store(h, validStore())
      return config(h, `// my config\n{\n  agents: {\n    list: [ { id: "main" } ]\n  },\n  oops here\n}\n`)
    }
  },
  {
    name: "openclaw.json cut off",
    position: true,
    setup: async (h) => {
      await store(h, validStore())
      return config(h, `{\n  agents: {\n    list: [ { id: "main" }`)
    }
  },
  {
    name: "a JSON array where the openclaw.json object belongs",
    setup: async (h) => {
      await store(h, validStore())
      return config(h, `[ { id: "main", default: true } ]\n`)
    },
    extra: (r) => expect(r.stderr).toContain("array")
  },
  {
    name: "agents: { list: 5 } in openclaw.json",
    setup: async (h) => {
      await store(h, validStore())
      return config(h, `{ agents: { list: 5 } }\n`)
    },
    extra: (r) => expect(r.stderr).toContain("agents.list")
  },
  {
    name: "agents: [] in openclaw.json",
    setup: (h) => config(h, `{ agents: [] }\n`),
    extra: (r) => expect(r.stderr).toContain("agents")
  },
  {
    name: 'auth: { order: { anthropic: "x" } } in openclaw.json',
    setup: async (h) => {
      await store(h, validStore())
      return config(h, `{ auth: { order: { anthropic: "x" } } }\n`)
    },
    extra: (r) => expect(r.stderr).toContain("auth.order.anthropic")
  },
  {
    name: "an empty openclaw.json",
    position: true,
    setup: async (h) => {
      await store(h, validStore())
      return config(h, "")
    },
    extra: (r) => expect(r.stderr).toContain("empty")
  },
  {
    name: "an unreadable openclaw.json (mode 000)",
    unprivileged: true,
    setup: async (h) => {
      await store(h, validStore())
      return config(h, validConfig, 0o000)
    },
    extra: (r) => expect(r.stderr).toContain("permission denied")
  },
  {
    name: "a directory where openclaw.json belongs",
    setup: async (h) => {
      await store(h, validStore())
      await h.mkdir(h.config)
      return h.config
    },
    extra: (r) => expect(r.stderr).toContain("directory")
  },
  {
    name: "a directory where <state>/.env belongs",
    setup: async (h) => {
      await store(h, validStore())
      return h.mkdir(path.join(h.state, ".env"))
    }
  },
  // ---- agents ----
  {
    name: "an unknown --agent (agents configured)",
    args: ["--agent", "nope"],
    setup: async (h) => {
      await store(h, validStore())
      return config(h, validConfig)
    },
    extra: (r) => {
      expect(r.stderr).toContain('"nope"')
      expect(r.stderr).toContain("main, work")
    }
  },
  {
    name: "an unknown --agent (no config)",
    args: ["--agent", "nope"],
    setup: async (h) => {
      await store(h, validStore())
      return h.config
    },
    extra: (r) => {
      expect(r.stderr).toContain('"nope"')
      expect(r.stderr).toContain("main")
    }
  }
]

describe.concurrent("bad files: one clear line, exit 1, nothing touched (built binary)", () => {
  for (const c of OWN_ERRORS) {
    const test = c.knownBug ? it.fails : c.unprivileged ? it.skipIf(!canRunUnprivileged()) : it
    test(c.name, async () => {
      const home = await newHome()
      const named = await c.setup(home)
      if (c.unprivileged) await home.openUp()
      const before = await home.snapshot()
      const runs = await Promise.all(
        VARIANTS.map((v) => home.run([...v, ...(c.args ?? [])], c.unprivileged ? { unprivileged: true } : {}))
      )
      for (const r of runs) {
        expectOwnError(r, named, c.position === true)
        c.extra?.(r, home)
      }
      expectTreeUnchanged(before, await home.snapshot())
    })
  }

  it("--json with --plain is refused in one line", async () => {
    const home = await newHome()
    await store(home, validStore())
    const before = await home.snapshot()
    const r = await home.run(["models", "status", "--json", "--plain", "--check"])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe("")
    expect(r.stderr).toMatch(/^openclaw: --json and --plain cannot be used together\. Fix: .+\n$/)
    expectNoInternals(r.stderr)
    expectTreeUnchanged(before, await home.snapshot())
  })
})

interface UsageCase {
  readonly name: string
  readonly args: ReadonlyArray<string>
  /** What the message must mention. */
  readonly mentions: ReadonlyArray<string>
  readonly mustNotSay?: RegExp
  readonly knownBug?: boolean
}

const USAGE_ERRORS: ReadonlyArray<UsageCase> = [
  { name: "an unknown flag: models status --bogus", args: ["models", "status", "--bogus"], mentions: ["openclaw: unknown flag --bogus\n"] },
  { name: "an unknown flag after --check", args: ["models", "status", "--check", "--jsn"], mentions: ["openclaw: unknown flag --jsn (did you mean --json?)\n"] },
  { name: "--agent without a value", args: ["models", "status", "--agent"], mentions: ["openclaw: --agent needs a value\n"] },
  { name: "an unknown top-level subcommand: openclaw frobnicate", args: ["frobnicate"], mentions: ["openclaw: 'frobnicate' is not a command of openclaw;", "models"] },
  {
    // Unpatched @effect/cli re-wraps the inner mismatch at the root and tells someone who typed `models` to use 'models'.
    name: "an unknown subcommand of models: openclaw models frobnicate",
    args: ["models", "frobnicate"],
    mentions: ["openclaw: 'frobnicate' is not a command of openclaw models;", "status"],
    mustNotSay: /use 'models'/
  },
  {
    name: "an unknown subcommand two levels down: openclaw models auth order frob",
    args: ["models", "auth", "order", "frob"],
    mentions: ["openclaw: 'frob' is not a command of openclaw models auth order; its commands are get, set, clear\n"]
  }
]

describe.concurrent("bad command lines: one line naming the mistake, and a usage hint (built binary)", () => {
  for (const c of USAGE_ERRORS) {
    const test = c.knownBug ? it.fails : it
    test(c.name, async () => {
      const home = await newHome()
      await store(home, validStore())
      const before = await home.snapshot()
      const r = await home.run(c.args)
      expect(r.code).toBe(1)
      expect(r.stdout).toBe("")
      const lines = r.stderr.trimEnd().split("\n").filter((l) => l.trim() !== "")
      expect(lines.length).toBeGreaterThanOrEqual(1)
      expect(lines.length, r.stderr).toBeLessThanOrEqual(4)
      expect(r.stderr).toContain("--help")
      for (const m of c.mentions) expect(r.stderr).toContain(m)
      if (c.mustNotSay) expect(r.stderr).not.toMatch(c.mustNotSay)
      expectNoInternals(r.stdout + r.stderr)
      expectNoAnsi(r.stdout + r.stderr)
      expectTreeUnchanged(before, await home.snapshot())
    })
  }
})

it("a secret passed as an argument is refused without being echoed (the parser would quote it)", async () => {
  const secret = "sk-ant-api03-FAKEargvLeakCheckQwErTyUiOp1234567890"
  const home = await newHome()
  const before = await home.snapshot()
  const r = await home.run(["models", "auth", "paste-api-key", "--provider", "anthropic", secret])
  expect(r.code).toBe(1)
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
  expect(r.stderr).toContain("was given on the command line")
  expect(r.stderr).toContain("sk-ant-api03-…7890")
  expect(r.stdout + r.stderr).not.toContain(secret.slice(13, 30))
  expectTreeUnchanged(before, await home.snapshot())
})

/**
 * Lenient reading and shape errors quote the offending value (`got string "…"`). When that value is a secret in
 * the wrong place, it is printed in full. These use their own secrets so that the suite-wide check below stays a
 * check of everything else.
 */
const MISPLACED = {
  bareKey: "sk-ant-api03-FAKEmisplacedBareKeyQaWsEdRfTgYhUjIkOlP0987654321-TESTmp09",
  arrayKey: "sk-or-v1-FAKEmisplacedArrayKeyZxCvBnMaSdFgHjKl1357924680-TESTmp10"
} as const

const expectNoMisplacedSecret = (runs: ReadonlyArray<Outcome>, secret: string) => expectNoSecrets(runs, [secret])

describe.concurrent("a secret in the wrong place is never echoed (built binary)", () => {
  it("a profile whose value is the bare key string is skipped and reported without printing it", async () => {
    const home = await newHome()
    await store(home, storeJson({ "anthropic:default": MISPLACED.bareKey }))
    const before = await home.snapshot()
    const runs = await Promise.all(
      [[], ["--json"], ["--plain"]].map((m) => home.run(["models", "status", "--check", ...m]))
    )
    for (const r of runs) expect(r.code).toBe(1) // anthropic is in use and has no usable credential
    expect(runs[0]!.stdout).toContain("Skipped profiles")
    expect(runs[0]!.stdout).toContain("anthropic:default")
    expect(JSON.parse(runs[1]!.stdout).auth.skippedProfiles).toMatchObject([{ profileId: "anthropic:default" }])
    expect(runs[2]!.stderr).toContain("skipped profile anthropic:default")
    expectTreeUnchanged(before, await home.snapshot())
    expectNoMisplacedSecret(runs, MISPLACED.bareKey)
  })

  it("a config apiKey of the wrong type is reported without printing it", async () => {
    const home = await newHome()
    const cfg = await config(home, `{ models: { providers: { openrouter: { apiKey: ["${MISPLACED.arrayKey}"] } } } }\n`)
    const before = await home.snapshot()
    const runs = await Promise.all(VARIANTS.map((v) => home.run(v)))
    for (const r of runs) {
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(cfg)
      expect(r.stderr).toContain("models.providers.openrouter.apiKey")
    }
    expectTreeUnchanged(before, await home.snapshot())
    expectNoMisplacedSecret(runs, MISPLACED.arrayKey)
  })
})

it("the unreadable-file cases really ran as a user file modes apply to", async () => {
  if (!canRunUnprivileged()) return
  const home = await newHome()
  const file = await home.write("probe.txt", "x", 0o000)
  await home.openUp()
  const r = await home.run(["models", "status", "--check"], { unprivileged: true, env: { OPENCLAW_CONFIG_PATH: file } })
  expect(r.code).toBe(1)
  expect(r.stderr).toContain("permission denied")
  await fs.chmod(file, 0o600)
})

it("no fixture secret appears in any output of this suite", () => {
  expectNoSecrets(runsOfThisFile(), Object.values(SECRETS))
})

describe("output that cannot be written (§6: exit 1 on failure)", () => {
  it("a full disk under stdout fails the command with one line; a reader that stops early (EPIPE) does not", { timeout: 120_000 }, async () => {
    const home = await newHome("full")
    await home.write(home.store, validStore())
    const full = openSync("/dev/full", "w")
    try {
      for (const args of [["completion", "bash"], ["models", "status", "--json"], ["models", "auth", "list"]]) {
        const r = spawnSync(process.execPath, [BIN, ...args], { cwd: home.home, env: home.env(), stdio: ["ignore", full, "pipe"], encoding: "utf8" })
        expect(r.status, args.join(" ")).toBe(1)
        expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringContaining("Cannot write the output to stdout: no space left on device")])
        expect(r.stderr).toContain("Fix:")
      }
    } finally {
      closeSync(full)
    }
    // `| head -c 10`: the reader took what it wanted and went away (EPIPE: the output is far larger than a pipe
    // holds); that is not a failure.
    const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`openai:p${i}`, { type: "api_key", provider: "openai", key: `sk-proj-FAKEpipe${String(i).padStart(28, "0")}` }]))
    await home.write(home.store, storeJson(many))
    const early = spawnSync("bash", ["-c", `"${process.execPath}" "${BIN}" models auth list --json | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], { cwd: home.home, env: home.env(), encoding: "utf8" })
    expect(early.stdout.trim()).toBe("0")
    expect(early.stderr).toBe("")
  })
})
