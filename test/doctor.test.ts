/**
 * `openclaw doctor` in-process (§6.3): for every check, a fixture that trips it, in text and JSON, and where a fix
 * exists the same fixture after `--fix`. Every output is kept and searched for the fixture secrets at the end.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import JSON5 from "json5"
import { CHECK_IDS } from "../src/domain/Doctor.js"
import { ScriptedPrompter } from "./support/FakeInteraction.js"
import { type MemoryEntry, MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, type CliResult, HOUR, NOW, runCli, STATE, STORE, type World } from "./support/TestApp.js"
import type { DoctorReport as Report } from "./support/DoctorReport.js"

const KEY = "sk-ant-api03-FAKEdoctorKey" + "k".repeat(30) + "-TESTdk01"
const TOKEN = "sk-ant-oat01-FAKEdoctorToken" + "t".repeat(70) + "-TESTdt02"
const OPENAI_KEY = "sk-proj-FAKEdoctorOpenai" + "o".repeat(30) + "-TESTdo03"
const ACCESS = "FAKEoauthAccess" + "a".repeat(30) + "TESTda04"
const REFRESH = "FAKEoauthRefresh" + "r".repeat(30) + "TESTdr05"
const SECRETS = [KEY, TOKEN, OPENAI_KEY, ACCESS, REFRESH]

const AGENT_DIR = `${STATE}/agents/main/agent`
const STATE_ENV = `${STATE}/.env`

const outputs: Array<string> = []
afterAll(() => {
  expect(outputs.length).toBeGreaterThan(0)
  const all = outputs.join("\n")
  for (const s of SECRETS) {
    expect(all).not.toContain(s)
    // Any 12 characters of the secret part (after the public prefix a mask may show) would be a leak.
    const body = s.replace(/^(sk-ant-api03-|sk-ant-oat01-|sk-proj-)/, "")
    for (let i = 0; i + 12 <= body.length; i += 4) expect(all).not.toContain(body.slice(i, i + 12))
  }
})

const run = async (args: ReadonlyArray<string>, world: World, now = NOW): Promise<CliResult> => {
  const r = await runCli(["doctor", ...args], world, now)
  outputs.push(r.stdout, r.stderr)
  return r
}

const runJson = async (args: ReadonlyArray<string>, world: World, now = NOW) => {
  const r = await run(["--json", ...args], world, now)
  expect(r.stderr).toBe("")
  return { code: r.code, report: JSON.parse(r.stdout) as Report }
}

const entries = (report: Report, id: string) => report.checks.filter((c) => c.id === id)
const only = (report: Report, id: string) => {
  const found = entries(report, id)
  expect(found, `exactly one ${id} entry in ${JSON.stringify(report.checks, null, 1)}`).toHaveLength(1)
  return found[0]!
}
/** The text line of a check and the indented lines under it. */
const textBlock = (stdout: string, id: string): string => {
  const lines = stdout.split("\n")
  const start = lines.findIndex((l) => new RegExp(`^(ok|warn|fail)\\s+${id}\\s`).test(l))
  expect(start, `a ${id} line in:\n${stdout}`).toBeGreaterThanOrEqual(0)
  const block = [lines[start]!]
  for (const l of lines.slice(start + 1)) {
    if (!/^\s/.test(l)) break
    block.push(l)
  }
  return block.join("\n")
}

const store = (profiles: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ version: 1, profiles, ...extra }, null, 2)
const apiKey = { type: "api_key", provider: "anthropic", key: KEY }
const healthyStore = () => store({ "anthropic:default": apiKey })
const fsWith = (files: Record<string, string | MemoryEntry>) => new MemoryFs({ [STORE]: healthyStore(), ...files })
/** The config stays JSON5 as its owner wrote it (#15 item 6); the stores are JSON. */
const json = (fs: MemoryFs, path: string) => (path === CONFIG ? JSON5.parse(fs.read(path)!) : JSON.parse(fs.read(path)!))

describe("doctor: a healthy setup", () => {
  it("reports every check ok, once, in text and JSON, and exits 0", async () => {
    const text = await run([], { fs: fsWith({}) })
    expect(text.code).toBe(0)
    expect(text.stderr).toBe("")
    expect(text.stdout.split("\n")[0]).toBe(`openclaw doctor: agent main, config ${CONFIG}`)
    expect(text.stdout.split("\n").at(-1)).toBe(`${CHECK_IDS.length} ok, 0 warnings, 0 failures`)
    expect(text.stdout).not.toMatch(/^(warn|fail)/m)
    expect(text.stdout).not.toContain("\u001b[")

    const { code, report } = await runJson([], { fs: fsWith({}) })
    expect(code).toBe(0)
    expect(report).toMatchObject({ schemaVersion: 1, agentId: "main", counts: { ok: CHECK_IDS.length, warn: 0, fail: 0 } })
    expect(report.checks.map((c) => c.id)).toEqual([...CHECK_IDS])
    for (const c of report.checks) {
      expect(Object.keys(c).sort()).toEqual(["id", "remediation", "status", "subject", "summary"])
      expect(c.status).toBe("ok")
    }
  })

  it("colours the markers only on a terminal", async () => {
    const tty = await run([], { fs: fsWith({}), host: { stdoutIsTTY: true } })
    expect(tty.stdout).toContain("\u001b[32mok  \u001b[39m")
    const noColor = await run([], { fs: fsWith({}), host: { stdoutIsTTY: true }, vars: { NO_COLOR: "1" } })
    expect(noColor.stdout).not.toContain("\u001b[")
  })

  it("--fix on a healthy setup changes nothing", async () => {
    const fs = fsWith({})
    const r = await run(["--fix"], { fs })
    expect(r.code).toBe(0)
    expect(fs.writes).toBe(0)
    expect(r.stdout).not.toContain("fixed")
  })
})

describe("doctor: permissions", () => {
  const fixture = () => {
    const fs = fsWith({ [STORE]: { content: healthyStore(), mode: 0o644 }, [STATE_ENV]: { content: "# keys\n", mode: 0o640 } })
    fs.dirs.set(STATE, 0o755)
    return fs
  }

  it("fails on a store others can read, warns on an open directory, with chmod as the fix", async () => {
    const text = await run([], { fs: fixture() })
    expect(text.code).toBe(1)
    expect(text.stdout).toContain(`fail  permissions          file ${STORE} is 0644, want 0600: other users can read it`)
    expect(text.stdout).toContain(`fix: openclaw doctor --fix (or: chmod 600 ${STORE})`)
    expect(text.stdout).toContain(`warn  permissions          directory ${STATE} is 0755, want 0700: other users can read it`)
    expect(text.stdout).toContain(`file ${STATE_ENV} is 0640, want 0600`)
    expect(text.stdout.split("\n").at(-1)).toBe(`${CHECK_IDS.length - 1} ok, 1 warning, 2 failures`)

    const { code, report } = await runJson([], { fs: fixture() })
    expect(code).toBe(1)
    expect(entries(report, "permissions").map((c) => [c.subject, c.status])).toEqual([
      [STATE, "warn"],
      [STATE_ENV, "fail"],
      [STORE, "fail"]
    ])
  })

  it("--fix sets 0700/0600 and reports each fix; afterwards all is ok", async () => {
    const fs = fixture()
    const r = await run(["--fix"], { fs })
    expect(r.code).toBe(0)
    expect(fs.files.get(STORE)!.mode).toBe(0o600)
    expect(fs.files.get(STATE_ENV)!.mode).toBe(0o600)
    expect(fs.dirs.get(STATE)).toBe(0o700)
    expect(textBlock(r.stdout, "permissions")).toContain(`fixed: chmod 700 ${STATE}`)
    expect(r.stdout).toContain(`fixed: chmod 600 ${STORE}`)
    expect(fs.writes).toBe(0)

    const fixedJson = await runJson(["--fix"], { fs: fixture() })
    expect(fixedJson.code).toBe(0)
    expect(entries(fixedJson.report, "permissions")).toEqual([
      expect.objectContaining({ subject: STATE, status: "ok", fixed: true, fixDetail: `chmod 700 ${STATE}`, remediation: null }),
      expect.objectContaining({ subject: STATE_ENV, status: "ok", fixed: true }),
      expect.objectContaining({ subject: STORE, status: "ok", fixed: true })
    ])
    const after = await runJson([], { fs })
    expect(only(after.report, "permissions")).toMatchObject({ status: "ok", subject: null })
  })

  it("judges by mode bits: a 0000 store fails (and is unreadable to a normal user), chmod makes it readable, content untouched", async () => {
    const fs = fsWith({ [STORE]: { content: healthyStore(), mode: 0o000 } })
    const { code, report } = await runJson([], { fs })
    expect(code).toBe(1)
    expect(only(report, "permissions")).toMatchObject({ status: "fail", summary: expect.stringContaining("you cannot read it") })
    expect(only(report, "store-file")).toMatchObject({ status: "fail", summary: expect.stringContaining("permission denied") })
    const fixed = await runJson(["--fix"], { fs })
    expect(fixed.code).toBe(0)
    expect(only(fixed.report, "store-file").status).toBe("ok")
    expect(fs.read(STORE)).toBe(healthyStore())
    expect(fs.writes).toBe(0)
  })
})

describe("doctor --fix changes modes only of paths you own inside the state dir (§11)", () => {
  const SHARED = "/srv/shared"
  const SHARED_STORE = `${SHARED}/auth-profiles.json`
  const OUTSIDE_CONFIG = "/etc-like/openclaw.json"

  it("an agent dir in a shared sticky directory is reported with advice to move, never chmodded; nor is its store", async () => {
    const fs = fsWith({
      [CONFIG]: `{ agents: { list: [{ id: "main", default: true, agentDir: "${SHARED}" }] } }`,
      [SHARED_STORE]: { content: healthyStore(), mode: 0o644 }
    })
    fs.dirs.set(SHARED, 0o1777)
    fs.notOwned.add(SHARED)
    const { report } = await runJson([], { fs })
    expect(entries(report, "permissions").find((c) => c.subject === SHARED)).toMatchObject({
      summary: `directory ${SHARED} is sticky 0777, want 0700: other users can read and write it`,
      remediation: expect.stringContaining("doctor --fix leaves it alone (it is a shared directory (sticky bit set)); keep openclaw's files in a private directory")
    })
    expect(entries(report, "permissions").find((c) => c.subject === SHARED_STORE)?.remediation).toBe(
      `chmod 600 ${SHARED_STORE} (doctor --fix leaves it alone: it is outside the state dir)`
    )
    await runJson(["--fix", "--yes"], { fs })
    expect(fs.dirs.get(SHARED)).toBe(0o1777)
    expect(fs.files.get(SHARED_STORE)!.mode).toBe(0o644)
  })

  it("a directory another user owns, or a config outside the state dir, is left alone; the state dir's own paths are fixed", async () => {
    const fs = fsWith({ [STATE_ENV]: { content: "# keys\n", mode: 0o644 } })
    fs.dirs.set(STATE, 0o755)
    fs.notOwned.add(STATE)
    fs.put(OUTSIDE_CONFIG, { content: "{}", mode: 0o644 })
    const { report } = await runJson(["--fix", "--yes"], { fs, vars: { OPENCLAW_CONFIG_PATH: OUTSIDE_CONFIG } })
    expect(fs.dirs.get(STATE)).toBe(0o755)
    expect(fs.files.get(OUTSIDE_CONFIG)!.mode).toBe(0o644)
    expect(fs.files.get(STATE_ENV)!.mode).toBe(0o600)
    expect(entries(report, "permissions").find((c) => c.subject === STATE)?.remediation).toContain("another user owns it")
  })
})

describe("doctor: unparseable or unreadable files are reported and never rewritten", () => {
  it.each([
    ["config", CONFIG, "{ auth: { ", "config-file", `${CONFIG}:1:`, "restore it from a backup"],
    ["store", STORE, '{ "version": 1, "profiles": { , } }', "store-file", `${STORE}:1:`, "restore it from a backup"],
    ["store shape", STORE, '{ "version": 1, "profiles": [] }', "store-file", "profiles: expected an object", "correct that field by hand"]
  ])("a broken %s fails, even after --fix --yes, byte for byte unchanged", async (_, path, content, id, where, fix) => {
    const fs = fsWith({ [path]: content })
    const text = await run([], { fs })
    expect(text.code).toBe(1)
    expect(textBlock(text.stdout, id)).toMatch(/^fail/)
    expect(textBlock(text.stdout, id)).toContain(where)
    expect(textBlock(text.stdout, id)).toContain("doctor --fix never rewrites it")
    expect(textBlock(text.stdout, id), "one sentence, not '….; …'").not.toContain(".;")
    const { report } = await runJson([], { fs })
    expect(only(report, id)).toMatchObject({ status: "fail", subject: path, remediation: expect.stringContaining(fix) })
    const fixed = await runJson(["--fix", "--yes"], { fs })
    expect(fixed.code).toBe(1)
    expect(only(fixed.report, id).status).toBe("fail")
    expect(fs.read(path)).toBe(content)
    expect(fs.writes).toBe(0)
  })

  it("a broken config still lets the store, permission and environment checks run", async () => {
    const { report } = await runJson([], { fs: fsWith({ [CONFIG]: "{ nope" }) })
    const ids = new Set(report.checks.map((c) => c.id))
    for (const id of ["store-file", "permissions", "skipped-profiles", "profile-expiry", "cooldowns", "daemon-env", "claude-cli"]) {
      expect(ids.has(id as never), id).toBe(true)
    }
    // These depend on the config's models and auth entries.
    expect(ids.has("missing-credentials" as never)).toBe(false)
    expect(ids.has("mode-mismatch" as never)).toBe(false)
  })

  it("an unreadable <state>/.env fails env-file", async () => {
    const { code, report } = await runJson([], { fs: fsWith({ [STATE_ENV]: { content: "X=1\n", mode: 0o200 } }) })
    expect(code).toBe(1)
    expect(only(report, "env-file")).toMatchObject({ status: "fail", subject: STATE_ENV, summary: expect.stringContaining("permission denied") })
  })

  it("lines of <state>/.env dotenv ignores are a warning by number (never by content: one may hold a key)", async () => {
    const secretish = "sk-proj-FAKEnotAnAssignment0123456789"
    const { code, report } = await runJson([], { fs: fsWith({ [STATE_ENV]: { content: `# mine\nOPENAI_API_KEY=x\n${secretish}\n=value\nB=1\n`, mode: 0o600 } }) })
    expect(only(report, "env-file")).toMatchObject({
      status: "warn",
      subject: STATE_ENV,
      summary: `${STATE_ENV}: lines 3, 4 are not NAME=value and are ignored`,
      remediation: expect.stringContaining("NAME=value")
    })
    expect(JSON.stringify(report)).not.toContain("FAKEnotAnAssign")
    expect(code).not.toBe(2)
  })
})

describe("doctor: skipped malformed profiles (destructive fix: asks first)", () => {
  const fixture = () =>
    fsWith({
      [STORE]: store(
        { "anthropic:default": apiKey, "anthropic:broken": { type: "api_key", key: KEY } },
        { usageStats: { "anthropic:broken": { errorCount: 1 } } }
      ),
      [CONFIG]: JSON.stringify({
        keep: true,
        auth: { profiles: { "anthropic:default": { provider: "anthropic" }, "anthropic:broken": { provider: "anthropic", mode: "api_key" } } }
      })
    })

  it("warns with the logout command as the remediation", async () => {
    const text = await run([], { fs: fixture() })
    expect(text.code).toBe(0)
    expect(textBlock(text.stdout, "skipped-profiles")).toBe(
      [
        `warn  skipped-profiles     profile anthropic:broken in ${STORE} is skipped: no provider`,
        "                         fix: openclaw models auth logout --profile-id anthropic:broken (or correct the entry by hand)"
      ].join("\n")
    )
    const { report } = await runJson([], { fs: fixture() })
    expect(only(report, "skipped-profiles")).toMatchObject({ status: "warn", subject: "anthropic:broken" })
  })

  it("--fix --non-interactive skips it and says so; nothing is written", async () => {
    const fs = fixture()
    const prompter = new ScriptedPrompter({ confirms: [true] }, true)
    const r = await run(["--fix", "--non-interactive"], { fs, prompter })
    expect(prompter.asked).toEqual([])
    expect(textBlock(r.stdout, "skipped-profiles")).toContain(
      "not fixed: skipped: needs confirmation (--non-interactive); rerun with --fix --yes to apply"
    )
    expect(fs.writes).toBe(0)
    const j = await runJson(["--fix", "--non-interactive"], { fs, prompter })
    expect(only(j.report, "skipped-profiles")).toMatchObject({ status: "warn", fixed: false })
  })

  it("--fix without a terminal does not prompt", async () => {
    const fs = fixture()
    const prompter = new ScriptedPrompter({ confirms: [true] }, false)
    const { report } = await runJson(["--fix"], { fs, prompter })
    expect(prompter.asked).toEqual([])
    expect(only(report, "skipped-profiles")).toMatchObject({ fixed: false, fixDetail: expect.stringContaining("no terminal to ask on") })
  })

  it("--fix asks; 'no' keeps the entry", async () => {
    const fs = fixture()
    const prompter = new ScriptedPrompter({ confirms: [false] }, true)
    const r = await run(["--fix"], { fs, prompter })
    expect(prompter.asked).toEqual([`Remove the unreadable profile anthropic:broken from ${STORE}? Its entry is deleted for good`])
    expect(r.stdout).toContain("not fixed: skipped: you declined")
    expect(json(fs, STORE).profiles["anthropic:broken"]).toBeDefined()
  })

  it("--fix asks; 'yes' removes the entry and every reference, in the store and the config", async () => {
    const fs = fixture()
    const prompter = new ScriptedPrompter({ confirms: [true] }, true)
    const r = await run(["--fix"], { fs, prompter })
    expect(r.code).toBe(0)
    expect(prompter.asked).toHaveLength(1)
    expect(textBlock(r.stdout, "skipped-profiles")).toContain(`fixed: removed anthropic:broken from ${STORE}`)
    expect(json(fs, STORE).profiles).toEqual({ "anthropic:default": apiKey })
    expect(json(fs, STORE).usageStats).toEqual({})
    expect(json(fs, CONFIG)).toEqual({ keep: true, auth: { profiles: { "anthropic:default": { provider: "anthropic" } } } })
    const after = await runJson([], { fs })
    expect(only(after.report, "skipped-profiles")).toMatchObject({ status: "ok", subject: null })
  })

  it("--fix --yes removes it without asking, and JSON marks it fixed", async () => {
    const fs = fixture()
    const prompter = new ScriptedPrompter({}, true)
    const { report } = await runJson(["--fix", "--yes"], { fs, prompter })
    expect(prompter.asked).toEqual([])
    expect(only(report, "skipped-profiles")).toMatchObject({ status: "ok", fixed: true, subject: "anthropic:broken" })
  })

  it("a cancelled prompt (Ctrl-C) skips the fix and asks nothing more", async () => {
    const fs = fixture()
    const prompter = new ScriptedPrompter({ confirms: [] }, true)
    const { report } = await runJson(["--fix"], { fs, prompter })
    expect(only(report, "skipped-profiles")).toMatchObject({ status: "warn", fixed: false, fixDetail: "skipped: cancelled" })
    expect(json(fs, STORE).profiles["anthropic:broken"]).toBeDefined()
  })

  it("with a config that does not parse, no removal is offered (like logout, it must clean the config too)", async () => {
    const fs = fsWith({ [STORE]: store({ "anthropic:default": apiKey, "anthropic:broken": { type: "api_key", key: KEY } }), [CONFIG]: "{ x" })
    const prompter = new ScriptedPrompter({ confirms: [true] }, true)
    const { report } = await runJson(["--fix", "--yes"], { fs, prompter })
    expect(only(report, "skipped-profiles")).toMatchObject({ status: "warn", remediation: expect.stringContaining("logout") })
    expect(only(report, "skipped-profiles").fixed).toBeUndefined()
    expect(fs.writes).toBe(0)
  })

  it("--yes without --fix is a usage error", async () => {
    const r = await run(["--yes"], { fs: fixture() })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("openclaw: --yes only applies to --fix. Fix: run `openclaw doctor --fix --yes`.")
  })
})

describe("doctor: expiry", () => {
  const fixture = () =>
    fsWith({
      [STORE]: store({
        "anthropic:default": apiKey,
        "anthropic:old": { type: "token", provider: "anthropic", token: TOKEN, expires: NOW - 3 * HOUR },
        "anthropic:soon": { type: "token", provider: "anthropic", token: TOKEN, expires: NOW + 5 * HOUR },
        "openai:oauth": { type: "oauth", provider: "openai", access: ACCESS, refresh: REFRESH },
        "anthropic:forever": { type: "token", provider: "anthropic", token: TOKEN }
      // A refreshable oauth profile counts only once its last refresh was refused (§5.2, issue 15 item 7).
      }, { usageStats: { "openai:oauth": { lastRefreshError: { at: NOW - HOUR, reason: "invalid_grant" } } } })
    })

  it("expired and unknown fail, expiring warns, static tokens pass; each says how to renew", async () => {
    const text = await run([], { fs: fixture(), vars: { PATH: "/nowhere" } })
    expect(text.code).toBe(1)
    expect(text.stdout).toContain("fail  profile-expiry       token profile anthropic:old: expired 3h ago")
    expect(text.stdout).toContain("fix: openclaw models auth setup-token --provider anthropic --profile-id anthropic:old")
    expect(text.stdout).toContain("warn  profile-expiry       token profile anthropic:soon: expires in 5h")
    expect(text.stdout).toContain(
      "fail  profile-expiry       oauth profile openai:oauth: expiry unknown (no valid expires) (its last refresh was refused)"
    )
    expect(text.stdout).toContain("fix: openclaw models auth login --provider openai")
    const { report } = await runJson([], { fs: fixture() })
    expect(entries(report, "profile-expiry").map((c) => [c.subject, c.status])).toEqual([
      ["anthropic:old", "fail"],
      ["anthropic:soon", "warn"],
      ["openai:oauth", "fail"]
    ])
  })

  it("--fix cannot renew a credential: the entries stay, with no fix claimed", async () => {
    const fs = fixture()
    const { code, report } = await runJson(["--fix"], { fs })
    expect(code).toBe(1)
    expect(entries(report, "profile-expiry").every((c) => c.fixed === undefined)).toBe(true)
    expect(fs.writes).toBe(0)
  })

  it("the clock decides: 30 hours earlier only the unknown expiry is left", async () => {
    const { report } = await runJson([], { fs: fixture() }, NOW - 30 * HOUR)
    expect(entries(report, "profile-expiry").map((c) => [c.subject, c.status])).toEqual([["openai:oauth", "fail"]])
  })
})

describe("doctor: cooldowns", () => {
  const fixture = () =>
    fsWith({
      [STORE]: store(
        {
          "anthropic:default": apiKey,
          "anthropic:busy": { ...apiKey },
          "anthropic:broke": { ...apiKey },
          "anthropic:stale": { ...apiKey }
        },
        {
          usageStats: {
            "anthropic:busy": { cooldownUntil: NOW + 5 * 60_000, errorCount: 2, lastUsed: 1 },
            "anthropic:broke": { disabledUntil: NOW + 4 * HOUR, disabledReason: "billing", errorCount: 1 },
            "anthropic:stale": { cooldownUntil: NOW - 2 * HOUR, disabledUntil: NOW - HOUR, disabledReason: "billing", errorCount: 3, lastUsed: 7 }
          }
        }
      )
    })

  it("warns about time left, and calls an ended cooldown still on file ok but fixable", async () => {
    const text = await run([], { fs: fixture() })
    expect(text.code).toBe(0)
    expect(text.stdout).toContain("warn  cooldowns            profile anthropic:busy is in cooldown for another 5m after 2 failures")
    expect(text.stdout).toContain("fix: openclaw models auth cooldowns clear --profile-id anthropic:busy (only once the cause is fixed)")
    expect(text.stdout).toContain("warn  cooldowns            profile anthropic:broke is disabled (billing) for another 4h")
    expect(textBlock(text.stdout, "cooldowns")).toBeDefined()
    expect(text.stdout).toContain("ok    cooldowns            profile anthropic:stale has a stale cooldown recorded (ended 1h ago)")
    expect(text.stdout).toContain("fix: openclaw doctor --fix (clears the ended cooldown fields)")
    const { report } = await runJson([], { fs: fixture() })
    expect(entries(report, "cooldowns").map((c) => [c.subject, c.status])).toEqual([
      ["anthropic:busy", "warn"],
      ["anthropic:broke", "warn"],
      ["anthropic:stale", "ok"]
    ])
  })

  it("--fix clears only the ended fields (counters stay for the next backoff) and leaves live cooldowns", async () => {
    const fs = fixture()
    const r = await run(["--fix"], { fs })
    expect(r.stdout).toContain(`fixed: cleared the ended cooldown of anthropic:stale in ${STORE}`)
    const stats = json(fs, STORE).usageStats
    expect(stats["anthropic:stale"]).toEqual({ errorCount: 3, lastUsed: 7 })
    expect(stats["anthropic:busy"]).toEqual({ cooldownUntil: NOW + 5 * 60_000, errorCount: 2, lastUsed: 1 })
    expect(stats["anthropic:broke"].disabledUntil).toBe(NOW + 4 * HOUR)

    const fixedJson = await runJson(["--fix"], { fs: fixture() })
    expect(entries(fixedJson.report, "cooldowns").find((c) => c.subject === "anthropic:stale")).toMatchObject({ status: "ok", fixed: true })
    const after = await runJson([], { fs })
    expect(entries(after.report, "cooldowns").map((c) => c.subject)).toEqual(["anthropic:busy", "anthropic:broke"])
  })
})

describe("doctor: providers in use without credentials", () => {
  it("fails with the fix that gives the provider a credential", async () => {
    const text = await run([], { fs: new MemoryFs() })
    expect(text.code).toBe(1)
    expect(textBlock(text.stdout, "missing-credentials")).toBe(
      [
        "fail  missing-credentials  anthropic is in use (anthropic/claude-opus-4-6) but has no credential",
        `                         fix: openclaw models auth paste-api-key --provider anthropic (or paste-token for a setup-token), or set ANTHROPIC_API_KEY in ${STATE_ENV} for the gateway daemon`
      ].join("\n")
    )
    const fallback = JSON.stringify({ agents: { defaults: { model: { primary: "anthropic/x", fallbacks: ["groq/llama"] } } } })
    const { code, report } = await runJson([], { fs: fsWith({ [CONFIG]: fallback }) })
    expect(code).toBe(1)
    expect(only(report, "missing-credentials")).toMatchObject({ status: "fail", subject: "groq", summary: "groq is in use (groq/llama) but has no credential" })
  })

  it("warns when every profile of a provider in use is cooling down", async () => {
    const fs = fsWith({ [STORE]: store({ "anthropic:default": apiKey }, { usageStats: { "anthropic:default": { cooldownUntil: NOW + HOUR } } }) })
    const { code, report } = await runJson([], { fs })
    expect(code).toBe(0)
    expect(only(report, "missing-credentials")).toMatchObject({
      status: "warn",
      summary: "anthropic is in use (anthropic/claude-opus-4-6) but every profile is in cooldown or disabled for another 1h",
      remediation: "openclaw models auth cooldowns clear --provider anthropic (only once the cause is fixed)"
    })
  })
})

describe("doctor: env keys and profiles competing", () => {
  it("warns when a profile shadows an env key, naming the key but never its value", async () => {
    const world = () => ({ fs: fsWith({}), vars: { ANTHROPIC_API_KEY: KEY } })
    const text = await run([], world())
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(
      "warn  env-shadowing        anthropic: ANTHROPIC_API_KEY (env) is set but profile anthropic:default is used; stored profiles beat environment variables, so the env key's account is not billed"
    )
    const { report } = await runJson([], world())
    expect(only(report, "env-shadowing")).toMatchObject({
      status: "warn",
      subject: "anthropic",
      remediation: "to use ANTHROPIC_API_KEY: openclaw models auth logout --profile-id anthropic:default; otherwise remove ANTHROPIC_API_KEY from env"
    })
  })

  it("warns the other way round: stored profiles passed over for an env key", async () => {
    const fs = fsWith({ [STORE]: store({ "anthropic:old": { type: "token", provider: "anthropic", token: TOKEN, expires: NOW - HOUR } }) })
    const { report } = await runJson([], { fs, vars: { ANTHROPIC_API_KEY: KEY } })
    expect(only(report, "env-shadowing")).toMatchObject({
      status: "warn",
      summary: "anthropic: no stored profile is usable, so ANTHROPIC_API_KEY (env) is used instead of anthropic:old"
    })
  })
})

describe("doctor: config mode disagrees with the stored type (safe fix)", () => {
  const fixture = () =>
    fsWith({
      [CONFIG]: "// mine\n{ gateway: { port: 1 }, auth: { profiles: { 'anthropic:default': { provider: 'anthropic', mode: 'token', email: 'a@b' } } } }"
    })

  it("fails: the profile is never used, so the provider has no credential either", async () => {
    const text = await run([], { fs: fixture() })
    expect(text.code).toBe(1)
    expect(textBlock(text.stdout, "mode-mismatch")).toBe(
      [
        `fail  mode-mismatch        profile anthropic:default: config says mode "token" but the store holds a api_key, so it is never used`,
        `                         fix: openclaw doctor --fix (sets auth.profiles["anthropic:default"].mode to "api_key" in ${CONFIG})`
      ].join("\n")
    )
    const { report } = await runJson([], { fs: fixture() })
    expect(only(report, "mode-mismatch")).toMatchObject({ status: "fail", subject: "anthropic:default" })
    expect(only(report, "missing-credentials").status).toBe("fail")
  })

  it("--fix sets the config mode to the stored type, keeping the rest of the config", async () => {
    const fs = fixture()
    const r = await run(["--fix"], { fs })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('fixed: set auth.profiles["anthropic:default"].mode to "api_key"')
    // the user's JSON5 kept as written, only the value changed (#15 item 6)
    expect(fs.read(CONFIG)).toBe("// mine\n{ gateway: { port: 1 }, auth: { profiles: { 'anthropic:default': { provider: 'anthropic', mode: 'api_key', email: 'a@b' } } } }")
    expect(json(fs, CONFIG)).toEqual({
      gateway: { port: 1 },
      auth: { profiles: { "anthropic:default": { provider: "anthropic", mode: "api_key", email: "a@b" } } }
    })
    expect(json(fs, STORE).profiles["anthropic:default"]).toEqual(apiKey)
    const fixedJson = await runJson(["--fix"], { fs: fixture() })
    expect(fixedJson.code).toBe(0)
    expect(only(fixedJson.report, "mode-mismatch")).toMatchObject({ status: "ok", fixed: true })
    expect(only(fixedJson.report, "missing-credentials").status).toBe("ok")
  })
})

describe("doctor: legacy files", () => {
  const LEGACY = `${AGENT_DIR}/auth.json`
  const fixture = () => fsWith({ [LEGACY]: JSON.stringify({ openai: { type: "api_key", key: OPENAI_KEY } }) })

  it("warns that a legacy file is present and not imported", async () => {
    const text = await run([], { fs: fixture() })
    expect(text.code).toBe(0)
    expect(textBlock(text.stdout, "legacy-files")).toBe(
      [
        `warn  legacy-files         legacy file present: ${LEGACY} is not yet imported into ${STORE}`,
        "                         fix: openclaw doctor --fix (imports it, then removes the legacy file)"
      ].join("\n")
    )
    const { report } = await runJson([], { fs: fixture() })
    expect(only(report, "legacy-files")).toMatchObject({ status: "warn", subject: LEGACY })
  })

  it("--fix imports it into the store and removes it", async () => {
    const fs = fixture()
    const r = await run(["--fix"], { fs })
    expect(r.stdout).toContain(`fixed: imported ${LEGACY} and removed it`)
    expect(fs.read(LEGACY)).toBeUndefined()
    expect(json(fs, STORE).profiles["openai:default"]).toEqual({ type: "api_key", provider: "openai", key: OPENAI_KEY })
    const fixedJson = await runJson(["--fix"], { fs: fixture() })
    expect(only(fixedJson.report, "legacy-files")).toMatchObject({ status: "ok", fixed: true })
  })
})

describe("doctor: the claude program for anthropic setup-tokens", () => {
  const fixture = (extra: Record<string, string | MemoryEntry> = {}) =>
    fsWith({ [STORE]: store({ "anthropic:work": { type: "token", provider: "anthropic", token: TOKEN } }), ...extra })

  it("warns when it is not on PATH, found by looking (never by running it)", async () => {
    const text = await run([], { fs: fixture(), vars: { PATH: "/usr/bin:/bin" } })
    expect(textBlock(text.stdout, "claude-cli")).toBe(
      [
        "warn  claude-cli           anthropic token profile anthropic:work is renewed with `claude setup-token`, but Claude Code's claude is not on PATH",
        "                         fix: npm install -g @anthropic-ai/claude-code"
      ].join("\n")
    )
    const { report } = await runJson([], { fs: fixture(), vars: { PATH: "/usr/bin:/bin" } })
    expect(only(report, "claude-cli")).toMatchObject({ status: "warn" })
  })

  it("is ok when an executable claude is on PATH; a non-executable one does not count", async () => {
    const found = await runJson([], { fs: fixture({ "/opt/claude/bin/claude": { content: "#!/bin/sh\n", mode: 0o755 } }), vars: { PATH: "/usr/bin:/opt/claude/bin" } })
    expect(only(found.report, "claude-cli")).toMatchObject({ status: "ok", summary: expect.stringContaining("/opt/claude/bin/claude") })
    const notExec = await runJson([], { fs: fixture({ "/opt/claude/bin/claude": { content: "", mode: 0o644 } }), vars: { PATH: "/opt/claude/bin" } })
    expect(only(notExec.report, "claude-cli").status).toBe("warn")
  })
})

describe("doctor: the gateway daemon's view of the environment", () => {
  it("warns about a provider key only this shell has, by name", async () => {
    const world = () => ({ fs: fsWith({}), vars: { OPENAI_API_KEY: OPENAI_KEY } })
    const text = await run([], world())
    expect(text.code).toBe(0)
    expect(textBlock(text.stdout, "daemon-env")).toBe(
      [
        `warn  daemon-env           the gateway daemon will not see OPENAI_API_KEY; add it to ${STATE_ENV}`,
        `                         fix: (umask 077; printf '%s=%s\\n' OPENAI_API_KEY "$OPENAI_API_KEY" >> ${STATE_ENV})`
      ].join("\n")
    )
    const { report } = await runJson([], world())
    expect(only(report, "daemon-env")).toMatchObject({ status: "warn", subject: "OPENAI_API_KEY" })
  })

  it("is ok once <state>/.env (or the config env block) has it, or a stored profile serves the provider", async () => {
    for (const world of [
      { fs: fsWith({ [STATE_ENV]: "OPENAI_API_KEY=something-else\n" }), vars: { OPENAI_API_KEY: OPENAI_KEY } },
      { fs: fsWith({ [CONFIG]: JSON.stringify({ env: { vars: { OPENAI_API_KEY: "x" } } }) }), vars: { OPENAI_API_KEY: OPENAI_KEY } },
      {
        fs: fsWith({ [STORE]: store({ "anthropic:default": apiKey, "openai:default": { type: "api_key", provider: "openai", key: OPENAI_KEY } }) }),
        vars: { OPENAI_API_KEY: OPENAI_KEY }
      }
    ]) {
      const { report } = await runJson([], world)
      expect(only(report, "daemon-env")).toMatchObject({ status: "ok", subject: null })
    }
  })

  it("an empty value in <state>/.env does not count", async () => {
    const { report } = await runJson([], { fs: fsWith({ [STATE_ENV]: "OPENAI_API_KEY=\n" }), vars: { OPENAI_API_KEY: OPENAI_KEY } })
    expect(only(report, "daemon-env").status).toBe("warn")
  })
})

describe("doctor: agents", () => {
  const config = JSON.stringify({ agents: { list: [{ id: "main", default: true }, { id: "work" }] } })

  it("a sub-agent without a store of its own uses the main agent's profiles", async () => {
    const { code, report } = await runJson(["--agent", "work"], { fs: fsWith({ [CONFIG]: config }) })
    expect(code).toBe(0)
    expect(report.agentId).toBe("work")
    expect(entries(report, "store-file").map((c) => c.subject)).toEqual([`${STATE}/agents/work/agent/auth-profiles.json`, STORE])
    expect(only(report, "missing-credentials").status).toBe("ok")
  })

  it("a sub-agent's checks see the main agent's profiles underneath its own; its own entries win", async () => {
    const WORK_STORE = `${STATE}/agents/work/agent/auth-profiles.json`
    const fs = fsWith({
      [CONFIG]: config,
      [STORE]: store({
        "anthropic:default": apiKey,
        "anthropic:old": { type: "token", provider: "anthropic", token: TOKEN, expires: NOW - HOUR },
        "anthropic:mine": { type: "token", provider: "anthropic", token: TOKEN, expires: NOW - HOUR }
      }),
      [WORK_STORE]: store({ "anthropic:mine": { type: "token", provider: "anthropic", token: TOKEN, expires: NOW + 100 * HOUR } })
    })
    const { code, report } = await runJson(["--agent", "work"], { fs })
    expect(code).toBe(1)
    expect(entries(report, "profile-expiry").map((c) => [c.subject, c.status])).toEqual([["anthropic:old", "fail"]])
    // The main agent's profile is renewed in the main agent's store.
    expect(entries(report, "profile-expiry")[0]!.remediation).toBe(
      "openclaw models auth setup-token --provider anthropic --profile-id anthropic:old (or paste-token with a new token)"
    )
  })

  it("an unknown agent is an error naming the configured ones", async () => {
    const r = await run(["--agent", "nope"], { fs: fsWith({ [CONFIG]: config }) })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Unknown agent "nope". Configured agents: main, work.')
  })
})

describe("doctor: control characters in a profile's email or account fields (§11)", () => {
  const fixture = () =>
    fsWith({
      [STORE]: store({
        "anthropic:default": apiKey,
        "anthropic:mail": { type: "oauth", provider: "anthropic", access: ACCESS, refresh: REFRESH, expires: NOW + 48 * HOUR, email: "me\u001b]0;pwned\u0007\n@example.com" },
        "openai:key": { type: "api_key", provider: "openai", key: OPENAI_KEY, email: "a\rb@example.com" }
      })
    })

  it("warns per profile and field with the fix (sign in again, or edit the field); nothing raw reaches the output", async () => {
    const text = await run([], { fs: fixture() })
    expect(text.code).toBe(0)
    expect(textBlock(text.stdout, "control-characters")).toBe(
      [
        `warn  control-characters   profile anthropic:mail in ${STORE}: email contains an ESC (a control character); it is shown escaped`,
        `                         fix: openclaw models auth login --provider anthropic (sign in again), or edit "email" of anthropic:mail in ${STORE}`
      ].join("\n")
    )
    expect(text.stdout).toContain(`warn  control-characters   profile openai:key in ${STORE}: email contains a carriage return (a control character); it is shown escaped`)
    expect(text.stdout).toContain(`fix: edit "email" of openai:key in ${STORE}`)
    expect(text.stdout + text.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    const { report } = await runJson([], { fs: fixture() })
    expect(entries(report, "control-characters")).toEqual([
      {
        id: "control-characters",
        subject: "anthropic:mail",
        status: "warn",
        summary: `profile anthropic:mail in ${STORE}: email contains an ESC (a control character); it is shown escaped`,
        remediation: `openclaw models auth login --provider anthropic (sign in again), or edit "email" of anthropic:mail in ${STORE}`
      },
      {
        id: "control-characters",
        subject: "openai:key",
        status: "warn",
        summary: `profile openai:key in ${STORE}: email contains a carriage return (a control character); it is shown escaped`,
        remediation: `edit "email" of openai:key in ${STORE}`
      }
    ])
    // Reported, not skipped: the profiles stay usable.
    expect(only(report, "skipped-profiles")).toMatchObject({ status: "ok" })
  })

  it("--fix leaves the store alone: the right text is the user's to give", async () => {
    const fs = fixture()
    const before = fs.read(STORE)
    const { report } = await runJson(["--fix", "--yes"], { fs })
    expect(entries(report, "control-characters").map((c) => c.status)).toEqual(["warn", "warn"])
    expect(fs.read(STORE)).toBe(before)
  })
})

describe("doctor: a stored secret no request can carry (§5.1, §11)", () => {
  it("fails the profile with the command that stores it again; status lists it unusable; the secret is never shown", async () => {
    const bad = "sk-proj-ABCD\u001b[31mEFGHIJKLMNOP1234"
    const fs = fsWith({
      [STORE]: store({
        "anthropic:default": apiKey,
        "openai:broken": { type: "api_key", provider: "openai", key: bad },
        "openai:spaced": { type: "api_key", provider: "openai", key: "sk-proj-with space-allowed-1234567" }
      })
    })
    const { report } = await runJson([], { fs })
    expect(entries(report, "unsendable-secrets")).toEqual([
      {
        id: "unsendable-secrets",
        subject: "openai:broken",
        status: "fail",
        summary: "profile openai:broken: its secret holds a control character at position 13, which no key has and no request can carry, so it is never used",
        remediation: "openclaw models auth paste-api-key --provider openai --profile-id openai:broken (paste the key again from where it was issued)"
      }
    ])
    const status = await runCli(["models", "status", "--json"], { fs }, NOW)
    const unusable = (JSON.parse(status.stdout) as { auth: { unusableProfiles: Array<{ profileId: string; reason: string }> } }).auth.unusableProfiles
    expect(unusable).toEqual([expect.objectContaining({ profileId: "openai:broken", reason: expect.stringContaining("control character at position 13") })])
    const text = await run([], { fs })
    expect(text.stdout + text.stderr).not.toContain("EFGHIJKL")
    expect(text.stdout + text.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/)
  })
})

describe("doctor: gateway.state (§10)", () => {
  it("a Redis URL every command refuses fails here in the same words, never quoted; files and a good URL are ok", async () => {
    const withState = (state: unknown) => ({ fs: fsWith({ [CONFIG]: JSON.stringify({ gateway: { state } }) }), vars: {} })
    const bad = await runJson([], withState({ backend: "redis", url: "redis://:Passw0rd-FAKE#x@127.0.0.1:6379/0" }))
    expect(only(bad.report, "shared-state")).toMatchObject({ status: "fail", summary: "gateway.state.url holds a # (a password with one must write it %23)" })
    expect(JSON.stringify(bad.report)).not.toContain("Passw0rd")
    expect(only((await runJson([], withState({ backend: "redis", url: "ftp://h" }))).report, "shared-state").status).toBe("fail")
    expect(only((await runJson([], withState({ backend: "redis", url: "redis://127.0.0.1:6379/0" }))).report, "shared-state")).toMatchObject({ status: "ok", summary: expect.stringContaining("on Redis") })
    expect(only((await runJson([], { fs: fsWith({}), vars: {} })).report, "shared-state")).toMatchObject({ status: "ok", summary: expect.stringContaining("in this host's files") })
  })
})
