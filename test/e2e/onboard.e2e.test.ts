/**
 * `openclaw onboard` end to end (SPEC §6.4): the built binary in a fresh HOME, the wizard under a real
 * pseudo-terminal (util-linux `script`, keys typed into its stdin, the screen read from its stdout), and the
 * non-interactive flags. After onboarding, `models status --check` must pass.
 */
import * as fs from "node:fs/promises"
import { describe, expect, it } from "vitest"
import { findScript, PtySession } from "../support/Pty.js"
import { canRunUnprivileged, runsOfThisFile, type Sandbox, useSandboxes } from "../support/Sandbox.js"
import { secretPart, windows } from "../support/SecretScan.js"
import { expectNoInternals, expectNoSecrets, SECRETS } from "./harness.js"

const newHome = useSandboxes()

const KEYS = { down: "\u001b[B", enter: "\r", ctrlC: "\u0003" }

/** Every terminal of this file, its screen checked for secrets at the end. */
const ptys: Array<PtySession> = []
const newPty = (home: Sandbox, args: ReadonlyArray<string>): PtySession => {
  const pty = new PtySession(home, args)
  ptys.push(pty)
  return pty
}

const expectNotOnScreen = (pty: PtySession, secret: string) => {
  for (const screen of [pty.screenRaw, pty.screen]) {
    expect(screen.includes(secret), "the secret is on the screen").toBe(false)
    for (const slice of windows(secretPart(secret), 12)) expect(screen.includes(slice), `"${slice}" of the secret is on the screen`).toBe(false)
  }
}

const mode = async (file: string) => (await fs.stat(file)).mode & 0o777


/**
 * Nothing stored: onboard's first step creates the state directory (0700, so `cat >> ~/.openclaw/.env` works after
 * it, #15 item 8) and nothing else is written.
 */
const expectOnlyStateDir = async (state: string): Promise<void> => {
  expect((await fs.stat(state)).mode & 0o777).toBe(0o700)
  expect(await fs.readdir(state)).toEqual([])
}

describe.skipIf(findScript() === undefined)("onboard wizard under a real terminal", () => {
  it("openai → API key (hidden) → <state>/.env → default model; then models status --check passes", async () => {
    const home = await newHome()
    const envFile = await home.write(".openclaw/.env", "# for the gateway daemon\nexport GROQ_API_KEY=gsk_FAKEnotused\n", 0o644)
    const key = SECRETS.openaiKey
    const pty = newPty(home, ["onboard"])
    await pty.answer("Model provider", KEYS.down, KEYS.enter)
    await pty.answer("How should openclaw authenticate to openai?", KEYS.enter)
    await pty.answer("Paste the openai API key (input is hidden)", key, KEYS.enter)
    await pty.answer("Where should openclaw keep the key?", KEYS.down, KEYS.enter)
    await pty.answer("Change it?", KEYS.enter)
    await pty.answer("Default model (openai/<model>)", "openai/gpt-4.1", KEYS.enter)
    expect((await pty.exit()).code, pty.screen).toBe(0)

    expect(pty.screen).toContain(`Added OPENAI_API_KEY in ${envFile} (mode 0600).`)
    expect(pty.screen).toContain("Default model : openai/gpt-4.1")
    expect(pty.screen).toMatch(/Missing auth\s+\(none\)/)
    expectNotOnScreen(pty, key)
    expect(await fs.readFile(envFile, "utf8")).toBe(`# for the gateway daemon\nexport GROQ_API_KEY=gsk_FAKEnotused\nOPENAI_API_KEY=${key}\n`)
    expect(await mode(envFile)).toBe(0o600)
    expect(JSON.parse(await fs.readFile(home.config, "utf8"))).toEqual({ agents: { defaults: { model: { primary: "openai/gpt-4.1" } } } })

    const status = await home.run(["models", "status", "--check"])
    expect(status.code, status.stdout + status.stderr).toBe(0)
    expect(status.stdout).toContain(`env OPENAI_API_KEY=sk-proj-…${key.slice(-4)} (.env: ${envFile})`)
  })

  it("anthropic → API key typed key by key → the agent's store, default model kept; status --check passes", async () => {
    const home = await newHome()
    const key = SECRETS.apiKey
    const pty = newPty(home, ["onboard"])
    await pty.answer("Model provider", KEYS.enter)
    await pty.answer("How should openclaw authenticate to anthropic?", KEYS.enter)
    await pty.waitFor("Paste the anthropic API key (input is hidden)", undefined, pty.typedAt)
    for (const ch of key) {
      pty.type(ch)
      await new Promise((r) => setTimeout(r, 2))
    }
    pty.type(KEYS.enter)
    await pty.answer("Where should openclaw keep the key?", KEYS.enter)
    await pty.answer("The default model is anthropic/claude-opus-4-6. Change it?", KEYS.enter)
    expect((await pty.exit()).code, pty.screen).toBe(0)
    expect(pty.screen).toContain("Auth profile: anthropic:default (anthropic/api_key)")
    expectNotOnScreen(pty, key)
    expect(pty.screen).not.toContain("*")
    expect(JSON.parse(await fs.readFile(home.store, "utf8")).profiles["anthropic:default"]).toEqual({ type: "api_key", provider: "anthropic", key })
    expect(await mode(home.store)).toBe(0o600)
    expect((await home.run(["models", "status", "--check"])).code).toBe(0)
  })

  it("Ctrl-C at the first question cancels with nothing written", async () => {
    const home = await newHome()
    const pty = newPty(home, ["onboard"])
    await pty.answer("Model provider", KEYS.ctrlC)
    expect((await pty.exit()).code).toBe(1)
    expect(pty.screen).toContain("Cancelled; nothing was stored.")
    await expectOnlyStateDir(home.state)
  })
})

describe("onboard --non-interactive (built binary)", () => {
  const OPENAI = ["onboard", "--non-interactive", "--auth-choice", "api-key", "--provider", "openai"]

  it("--api-key to <state>/.env with a default model: other lines kept, 0600; status --check passes", async () => {
    const home = await newHome()
    const envFile = await home.write(".openclaw/.env", "# daemon\nOPENAI_API_KEY=sk-proj-FAKEoldoldoldoldoldold-OLD9 # rotated\n", 0o644)
    const r = await home.run([...OPENAI, "--api-key", SECRETS.openaiKey, "--store", "env", "--model", "openai/gpt-4.1"])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`Replaced OPENAI_API_KEY in ${envFile} (mode 0600).`)
    expect(await fs.readFile(envFile, "utf8")).toBe(`# daemon\nOPENAI_API_KEY=${SECRETS.openaiKey} # rotated\n`)
    expect(await mode(envFile)).toBe(0o600)
    expect((await home.run(["models", "status", "--check"])).code).toBe(0)
  })

  it("takes the key from the provider's environment variable into the agent's store", async () => {
    const home = await newHome()
    const r = await home.run([...OPENAI, "--model", "openai/gpt-4.1"], { env: { OPENAI_API_KEY: SECRETS.openaiKey } })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain("Auth profile: openai:default (openai/api_key)")
    expect(JSON.parse(await fs.readFile(home.store, "utf8")).profiles["openai:default"].key).toBe(SECRETS.openaiKey)
    expect((await home.run(["models", "status", "--check"])).code).toBe(0)
  })

  it("names the missing flag; without a terminal or --non-interactive, says what to pass", async () => {
    const home = await newHome()
    const missing = await home.run(OPENAI)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe(
      "openclaw: --api-key is required with --auth-choice api-key (or set OPENAI_API_KEY). Fix: pass --api-key <key>, or export OPENAI_API_KEY before running onboard (the environment stays out of shell history and `ps`).\n"
    )
    const noTty = await home.run(["onboard"])
    expect(noTty.code).toBe(1)
    expect(noTty.stderr).toMatch(/^openclaw: onboard is an interactive wizard, but this is not a terminal\. Fix: .*--non-interactive --auth-choice api-key --provider <p>/)
    expectNoInternals(missing.stderr + noTty.stderr)
    await expectOnlyStateDir(home.state)
  })

  it("a secret misplaced on the command line is not quoted by the usage error", async () => {
    const home = await newHome()
    const r = await home.run(["onboard", "--provider", "--api-key", SECRETS.openaiKey])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("openclaw: --provider needs a value\nRun `openclaw onboard --help` for usage.\n")
    // A stray long argument is described by its length and end only.
    const stray = await home.run(["models", "status", SECRETS.openaiKey.replace(/^sk-/, "x")])
    expect(stray.code).toBe(1)
    expect(stray.stderr).toContain(`openclaw: unexpected argument: a ${SECRETS.openaiKey.length - 2}-character value ending in '${SECRETS.openaiKey.slice(-4)}'`)
    expect(stray.stderr + r.stderr).not.toContain(SECRETS.openaiKey.slice(8, 20))
  })

  it.skipIf(!canRunUnprivileged())("an unreadable .env fails clearly and nothing changes", async () => {
    const home = await newHome()
    const envFile = await home.write(".openclaw/.env", "A=1\n", 0o000)
    await home.openUp()
    await fs.chmod(envFile, 0o000)
    const before = await home.snapshot()
    const r = await home.run([...OPENAI, "--api-key", SECRETS.openaiKey, "--store", "env", "--model", "openai/gpt-4.1"], { unprivileged: true })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`openclaw: Cannot read ${envFile}: permission denied.`)
    expect(await home.snapshot()).toEqual(before)
  })

  it("no secret reached any output of any run, nor any pty screen", () => {
    expectNoSecrets(runsOfThisFile(), Object.values(SECRETS))
    for (const screen of ptys.map((p) => p.screenRaw)) {
      for (const s of Object.values(SECRETS)) for (const slice of windows(secretPart(s), 12)) expect(screen.includes(slice)).toBe(false)
    }
  })
})
