/**
 * The interactive credential commands under a real pseudo-terminal (SPEC §6.2): hidden paste prompts, the
 * setup-token confirmation, and `claude setup-token` run on the same terminal. The terminal comes from util-linux
 * `script`; we type into its stdin and read the screen from its stdout. `claude` is test/fixtures/fake-claude.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { FAKE_CLAUDE } from "../support/Child.js"
import { findScript, PtySession } from "../support/Pty.js"
import { fakeBody, prng } from "../support/Random.js"
import { Sandbox } from "../support/Sandbox.js"
import { findWindow } from "../support/SecretScan.js"

const DAY = 86_400_000

const HAVE_SCRIPT = findScript() !== undefined
const rand = prng(0x7e57)
/** A FAKE Anthropic setup-token: the public prefix, FAKE, then random characters to 100 in all. */
const newToken = (): string => {
  const head = "sk-ant-oat01-FAKE"
  return head + fakeBody(rand, 100 - head.length)
}

const sandboxes: Array<Sandbox> = []
const newSandbox = async (): Promise<Sandbox> => {
  const s = await Sandbox.create("pty")
  sandboxes.push(s)
  return s
}
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.cleanup()))
})

/** A bin dir holding only `claude` (the fake), first on PATH; `marker` records each run of it. */
const withFakeClaude = async (s: Sandbox) => {
  const bin = path.join(s.home, "bin")
  await fs.mkdir(bin, { recursive: true })
  await fs.copyFile(FAKE_CLAUDE, path.join(bin, "claude"))
  await fs.chmod(path.join(bin, "claude"), 0o755)
  return { path: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, marker: path.join(s.home, "claude-ran") }
}

const exists = (file: string) =>
  fs.stat(file).then(
    () => true,
    () => false
  )

const HIDDEN_PROMPT = "Paste the token for anthropic (input is hidden)"
const LIFETIME_PROMPT = "How long is this anthropic token valid?"

describe.skipIf(!HAVE_SCRIPT)("under a real terminal", () => {
  beforeAll(() => {
    // Everything below relies on the pty; say clearly when the machine has no `script`.
    expect(HAVE_SCRIPT, "util-linux `script` is needed for the pty tests").toBe(true)
  })

  it("paste-token: a hidden prompt that echoes nothing, not even mask characters", async () => {
    const s = await newSandbox()
    const token = newToken()
    const pty = new PtySession(s, ["models", "auth", "paste-token", "--provider", "anthropic"])
    await pty.waitFor(HIDDEN_PROMPT)
    // Pasted the way a terminal delivers a paste: the whole token at once, then Enter.
    pty.type(token)
    pty.type("\r")
    // Without --expires-in a terminal is asked how long the token lives (issue 15 item 8); Enter takes a year.
    await pty.waitFor(LIFETIME_PROMPT)
    const asked = Date.now()
    pty.type("\r")
    const exit = await pty.exit()
    expect(exit.code, pty.screen).toBe(0)
    expect(pty.screen).toContain("Auth profile: anthropic:manual (anthropic/token)")

    const store = await s.readJson(s.store)
    expect(store.profiles["anthropic:manual"]).toEqual({ type: "token", provider: "anthropic", token, expires: expect.any(Number) })
    expect(Math.abs(store.profiles["anthropic:manual"].expires - (asked + 365 * 86_400_000))).toBeLessThan(60_000)
    for (const screen of [pty.screenRaw, pty.screen]) {
      expect(findWindow(screen, token, 8), "no 8 consecutive characters of the token on the screen").toBeUndefined()
    }
    expect(pty.screen).not.toContain("*")
  })

  it("paste-token: typed one key at a time, the screen still shows none of it", async () => {
    const s = await newSandbox()
    const token = newToken()
    const pty = new PtySession(s, ["models", "auth", "paste-token", "--provider", "anthropic", "--profile-id", "typed"])
    await pty.waitFor(HIDDEN_PROMPT)
    for (let i = 0; i < token.length; i += 10) pty.type(token.slice(i, i + 10))
    pty.type("\r")
    await pty.waitFor(LIFETIME_PROMPT)
    pty.type("never\r")
    expect((await pty.exit()).code, pty.screen).toBe(0)
    expect(pty.screen).toContain("Auth profile: anthropic:typed (anthropic/token)")
    expect((await s.readJson(s.store)).profiles["anthropic:typed"].token).toBe(token)
    expect(findWindow(pty.screenRaw, token, 8)).toBeUndefined()
    expect(pty.screen).not.toContain("*")
  })

  it("paste-token: Backspace on an empty answer beeps (the terminal's bell) and the prompt goes on", async () => {
    const s = await newSandbox()
    const token = newToken()
    const pty = new PtySession(s, ["models", "auth", "paste-token", "--provider", "anthropic", "--profile-id", "beep"])
    await pty.waitFor(HIDDEN_PROMPT)
    pty.type(`${token}\r`)
    await pty.waitFor(LIFETIME_PROMPT)
    const before = pty.screenRaw.length
    pty.type("\x7f")
    await pty.waitFor("\x07", undefined, before)
    pty.type("never\r")
    expect((await pty.exit()).code, pty.screen).toBe(0)
    expect((await s.readJson(s.store)).profiles["anthropic:beep"].token).toBe(token)
  })

  it("paste-token: Ctrl-C at the hidden prompt cancels and stores nothing", async () => {
    const s = await newSandbox()
    const token = newToken()
    const pty = new PtySession(s, ["models", "auth", "paste-token", "--provider", "anthropic"])
    await pty.waitFor(HIDDEN_PROMPT)
    pty.type(token.slice(0, 40))
    pty.type("\x03")
    const exit = await pty.exit()
    expect(exit.code, pty.screen).not.toBe(0)
    expect(pty.screen).toContain("Cancelled; nothing was stored.")
    expect(await exists(s.store)).toBe(false)
    expect(await exists(s.config)).toBe(false)
    expect(findWindow(pty.screenRaw, token.slice(0, 40), 8)).toBeUndefined()
  })

  it("setup-token --yes: claude runs on the same terminal, then the token it printed is stored for 365 days", async () => {
    const s = await newSandbox()
    const claude = await withFakeClaude(s)
    const token = newToken()
    const started = Date.now()
    const pty = new PtySession(s, ["models", "auth", "setup-token", "--provider", "anthropic", "--yes"], {
      path: claude.path,
      env: { FAKE_CLAUDE_TOKEN: token, FAKE_CLAUDE_MARKER: claude.marker }
    })
    // The fake claude opened /dev/tty itself: that only works when it shares openclaw's controlling terminal
    // (the platform-node-shared patch keeps an inherited-stdin child in our session).
    await pty.waitFor("FAKE-CLAUDE-TTY-OK")
    await pty.waitFor("continue in the browser? [y/N]")
    pty.type("y\r")
    await pty.waitFor("FAKE-CLAUDE-GOT:y")
    await pty.waitFor(token)
    const promptAt = await pty.waitFor(HIDDEN_PROMPT)
    pty.type(token)
    pty.type("\r")
    const exit = await pty.exit()
    const finished = Date.now()
    expect(exit.code, pty.screen).toBe(0)
    expect(pty.screen).toContain("Auth profile: anthropic:manual (anthropic/token)")
    expect(await fs.readFile(claude.marker, "utf8")).toBe("setup-token\n")

    const stored = (await s.readJson(s.store)).profiles["anthropic:manual"]
    expect(stored).toMatchObject({ type: "token", provider: "anthropic", token })
    expect(stored.expires).toBeGreaterThanOrEqual(started + 365 * DAY)
    expect(stored.expires).toBeLessThanOrEqual(finished + 365 * DAY)
    // claude printed the token itself; nothing openclaw showed after its prompt may repeat any of it.
    expect(findWindow(pty.screenRaw.slice(promptAt), token, 8)).toBeUndefined()
    const config = JSON.parse(await fs.readFile(s.config, "utf8"))
    expect(config.auth.profiles["anthropic:manual"].provider).toBe("anthropic")
  })

  it("setup-token: the confirmation takes a typed answer with Enter (n, rubbed out, then y), then claude runs on the terminal after the prompt has let go of it", async () => {
    const s = await newSandbox()
    const claude = await withFakeClaude(s)
    const token = newToken()
    const pty = new PtySession(s, ["models", "auth", "setup-token", "--provider", "anthropic"], {
      path: claude.path,
      env: { FAKE_CLAUDE_TOKEN: token, FAKE_CLAUDE_MARKER: claude.marker }
    })
    await pty.waitFor("Run `claude setup-token` now?")
    // A single key decides nothing (§6): "n" alone would have cancelled with the old one-key confirm.
    pty.type("n")
    pty.type("\x7fy")
    pty.type("\r")
    await pty.waitFor("continue in the browser? [y/N]")
    pty.type("yes please\r")
    // The whole line reached claude: openclaw no longer reads the terminal while claude runs.
    await pty.waitFor("FAKE-CLAUDE-GOT:yes please")
    await pty.waitFor(HIDDEN_PROMPT)
    pty.type(`${token}\r`)
    expect((await pty.exit()).code, pty.screen).toBe(0)
    expect((await s.readJson(s.store)).profiles["anthropic:manual"].token).toBe(token)
  })

  it("setup-token: answering n at the confirmation cancels before claude runs", async () => {
    const s = await newSandbox()
    const claude = await withFakeClaude(s)
    const pty = new PtySession(s, ["models", "auth", "setup-token", "--provider", "anthropic"], {
      path: claude.path,
      env: { FAKE_CLAUDE_MARKER: claude.marker }
    })
    await pty.waitFor("Run `claude setup-token` now?")
    pty.type("n\r")
    const exit = await pty.exit()
    expect(exit.code, pty.screen).toBe(1)
    expect(pty.screen).toContain("Cancelled; nothing was stored.")
    expect(pty.screen).not.toContain("FAKE-CLAUDE")
    expect(await exists(claude.marker), "claude must not have run").toBe(false)
    expect(await exists(s.store)).toBe(false)
  })

  it("setup-token: claude not on PATH → exit 1 with how to install Claude Code", async () => {
    const s = await newSandbox()
    // A PATH with nothing on it: node and the shell are run by absolute path.
    const empty = path.join(s.home, "empty-bin")
    await fs.mkdir(empty)
    const pty = new PtySession(s, ["models", "auth", "setup-token", "--provider", "anthropic", "--yes"], { path: empty })
    const exit = await pty.exit()
    expect(exit.code, pty.screen).toBe(1)
    expect(pty.screen).toContain("`claude` program was not found on PATH")
    expect(pty.screen).toContain("install Claude Code")
    expect(pty.screen).not.toContain(HIDDEN_PROMPT)
    expect(await exists(s.store)).toBe(false)
  })

  it("setup-token: claude failing → exit 1, its exit code named, no token asked for, nothing stored", async () => {
    const s = await newSandbox()
    const claude = await withFakeClaude(s)
    const pty = new PtySession(s, ["models", "auth", "setup-token", "--provider", "anthropic", "--yes"], {
      path: claude.path,
      env: { FAKE_CLAUDE_MARKER: claude.marker, FAKE_CLAUDE_EXIT: "3" }
    })
    await pty.waitFor("continue in the browser? [y/N]")
    pty.type("y\r")
    const exit = await pty.exit()
    expect(exit.code, pty.screen).toBe(1)
    expect(pty.screen).toContain("`claude setup-token` exited with code 3; nothing was stored.")
    expect(pty.screen).not.toContain(HIDDEN_PROMPT)
    expect(await exists(s.store)).toBe(false)
  })

  it("setup-token: stdin a terminal but stdout redirected to a file is not interactive", async () => {
    const s = await newSandbox()
    const claude = await withFakeClaude(s)
    const pty = new PtySession(s, ["models", "auth", "setup-token", "--provider", "anthropic", "--yes"], {
      path: claude.path,
      env: { FAKE_CLAUDE_MARKER: claude.marker },
      redirect: ">out.txt"
    })
    const exit = await pty.exit()
    expect(exit.code, pty.screen).toBe(1)
    expect(pty.screen).toContain("setup-token requires an interactive TTY.")
    expect(await exists(claude.marker)).toBe(false)
  })

  it("setup-token: stdin redirected from /dev/null on a terminal is not interactive", async () => {
    const s = await newSandbox()
    const claude = await withFakeClaude(s)
    const pty = new PtySession(s, ["models", "auth", "setup-token", "--provider", "anthropic", "--yes"], {
      path: claude.path,
      env: { FAKE_CLAUDE_MARKER: claude.marker },
      redirect: "</dev/null"
    })
    const exit = await pty.exit()
    expect(exit.code, pty.screen).toBe(1)
    expect(pty.screen).toContain("setup-token requires an interactive TTY.")
    expect(await exists(claude.marker)).toBe(false)
  })
})

it("setup-token without any terminal (plain pipes) → exit 1 'setup-token requires an interactive TTY.'", async () => {
  const s = await newSandbox()
  const claude = await withFakeClaude(s)
  const r = await s.run(["models", "auth", "setup-token", "--provider", "anthropic", "--yes"], {
    path: claude.path,
    env: { FAKE_CLAUDE_MARKER: claude.marker }
  })
  expect(r.code).toBe(1)
  expect(r.stdout).toBe("")
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
  expect(r.stderr).toMatch(/^openclaw: setup-token requires an interactive TTY\./)
  expect(await exists(claude.marker)).toBe(false)
  expect(await exists(s.store)).toBe(false)
})
