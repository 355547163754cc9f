/**
 * `openclaw doctor` end to end: the built binary in a fresh HOME, text and JSON, fixes seen on disk, and the
 * confirmation of a destructive fix answered on a real pseudo-terminal (util-linux `script`).
 * Tests run as root here, so permission problems are made with mode bits, which doctor judges by.
 */
import * as fs from "node:fs/promises"
import { afterAll, describe, expect, it } from "vitest"
import type { Outcome } from "../support/Child.js"
import { PtySession } from "../support/Pty.js"
import { expectTreeUnchanged, runsOfThisFile, Sandbox, useSandboxes } from "../support/Sandbox.js"
import { expectNoAnsi, expectNoInternals, expectNoSecrets, SECRETS, storeJson } from "./harness.js"

const newHome = useSandboxes()
/** What the pty sessions showed, searched for secrets with the plain runs. */
const ptyRuns: Array<Pick<Outcome, "args" | "stdout" | "stderr">> = []
afterAll(async () => {
  expectNoSecrets([...runsOfThisFile(), ...ptyRuns], Object.values(SECRETS))
})

interface Entry {
  id: string
  subject: string | null
  status: string
  summary: string
  remediation: string | null
  fixed?: boolean
  fixDetail?: string
}
const parse = (r: Outcome) => JSON.parse(r.stdout) as { schemaVersion: number; agentId: string; checks: Array<Entry> }
const modeOf = async (p: string) => ((await fs.stat(p)).mode & 0o777).toString(8)

const apiKey = { type: "api_key", provider: "anthropic", key: SECRETS.apiKey }

describe("openclaw doctor (built binary)", () => {
  it("reports open permissions and a shell-only key in text and JSON, and --fix repairs the modes on disk", async () => {
    const home = await newHome()
    await home.write(home.store, storeJson({ "anthropic:default": apiKey }), 0o644)
    await fs.chmod(home.state, 0o755)
    const env = { OPENAI_API_KEY: SECRETS.openaiKey }

    const text = await home.run(["doctor"], { env })
    expect(text.code).toBe(1)
    expect(text.stderr).toBe("")
    expectNoAnsi(text.stdout)
    expect(text.stdout).toContain(`fail  permissions          file ${home.store} is 0644, want 0600: other users can read it`)
    expect(text.stdout).toContain(`warn  permissions          directory ${home.state} is 0755, want 0700`)
    expect(text.stdout).toContain(`warn  daemon-env           the gateway daemon will not see OPENAI_API_KEY; add it to ${home.state}/.env`)
    expect(text.stdout.trimEnd()).toMatch(/\n\d+ ok, 2 warnings, 1 failure$/)

    const json = await home.run(["doctor", "--json"], { env })
    expect(json.code).toBe(1)
    const report = parse(json)
    expect(report).toMatchObject({ schemaVersion: 1, agentId: "main" })
    expect(report.checks.filter((c) => c.status !== "ok").map((c) => [c.id, c.subject, c.status])).toEqual([
      ["permissions", home.state, "warn"],
      ["permissions", home.store, "fail"],
      ["daemon-env", "OPENAI_API_KEY", "warn"]
    ])

    const fixed = await home.run(["doctor", "--fix", "--json"], { env })
    expect(fixed.code).toBe(0)
    expect(parse(fixed).checks.filter((c) => c.fixed === true).map((c) => c.fixDetail)).toEqual([
      `chmod 700 ${home.state}`,
      `chmod 600 ${home.store}`
    ])
    expect(await modeOf(home.store)).toBe("600")
    expect(await modeOf(home.state)).toBe("700")

    const after = await home.run(["doctor"], { env })
    expect(after.code).toBe(0)
    expect(after.stdout.trimEnd()).toMatch(/\n\d+ ok, 1 warning, 0 failures$/)
  })

  it("a config that does not parse fails, and --fix --yes leaves every file byte for byte", async () => {
    const home = await newHome()
    await home.write(home.store, storeJson({ "anthropic:default": apiKey, "anthropic:bad": { type: "api_key", key: SECRETS.token } }))
    await home.write(home.config, `{ env: { OPENAI_API_KEY: "${SECRETS.openaiKey}" }, auth: { `)
    const before = await home.snapshot()
    const r = await home.run(["doctor", "--fix", "--yes"])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("")
    expect(r.stdout).toMatch(new RegExp(`^fail  config-file          ${home.config}:\\d+:\\d+: invalid JSON5: `, "m"))
    expect(r.stdout).toContain("doctor --fix never rewrites it")
    expectNoInternals(r.stdout)
    // Not even the malformed profile goes: like logout, removing it needs the config, to drop its references.
    expect(r.stdout).toContain("warn  skipped-profiles     profile anthropic:bad")
    const after = await home.snapshot()
    expectTreeUnchanged(before, after)
  })

  describe("confirming a destructive fix on a terminal", () => {
    const fixture = async () => {
      const home = await newHome()
      await home.write(home.store, storeJson({ "anthropic:default": apiKey, "anthropic:bad": { type: "api_key", key: SECRETS.token } }))
      return home
    }

    it.each([
      ["y\r", true],
      ["n\r", false]
    ])("answering %j at the prompt", async (answer, removes) => {
      const home = await fixture()
      const session = await onPty(home, ["doctor", "--fix"], "Remove the unreadable profile anthropic:bad", answer)
      expect(session.code, session.screen).toBe(0)
      expect(session.screen).toContain(`Remove the unreadable profile anthropic:bad from ${home.store}?`)
      const profiles = JSON.parse(await fs.readFile(home.store, "utf8")).profiles
      expect(Object.keys(profiles).sort()).toEqual(removes ? ["anthropic:default"] : ["anthropic:bad", "anthropic:default"])
      expect(session.screen).toContain(removes ? `fixed: removed anthropic:bad from ${home.store}` : "not fixed: skipped: you declined")
    })

    it("--non-interactive on the same terminal never asks", async () => {
      const home = await fixture()
      const session = await onPty(home, ["doctor", "--fix", "--non-interactive"])
      expect(session.screen).not.toContain("Remove the unreadable profile")
      expect(session.screen).toContain("not fixed: skipped: needs confirmation (--non-interactive)")
      expect(JSON.parse(await fs.readFile(home.store, "utf8")).profiles["anthropic:bad"]).toBeDefined()
    })
  })
})

/**
 * Runs `openclaw <args>` on a pseudo-terminal; when `prompt` appears on the screen, types `answer`. Resolves with
 * the exit code and the screen without escape sequences.
 */
const onPty = async (home: Sandbox, args: ReadonlyArray<string>, prompt?: string, answer?: string) => {
  const pty = new PtySession(home, args)
  if (prompt !== undefined) await pty.answer(prompt, answer ?? "")
  const { code } = await pty.exit()
  ptyRuns.push({ args, stdout: pty.screenRaw, stderr: "" })
  return { code, screen: pty.screen }
}
