import { describe, expect, it } from "@effect/vitest"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, HOME, HOUR, NOW, runCli, STATE, STORE } from "./support/TestApp.js"

const CLAUDE = `${HOME}/.claude/.credentials.json`
const ACCESS = "sk-ant-oat01-FAKEclaudeAccess" + "c".repeat(40) + "CC01"
const REFRESH = "sk-ant-ort01-FAKEclaudeRefresh" + "c".repeat(40) + "CC02"
const SECRETS = [ACCESS, REFRESH]

const claudeFile = (o: Record<string, unknown> = {}) =>
  JSON.stringify({ claudeAiOauth: { accessToken: ACCESS, refreshToken: REFRESH, expiresAt: NOW + 6 * HOUR, scopes: ["user:inference"], subscriptionType: "max", ...o } })
const stored = (fs: MemoryFs, path = STORE) => JSON.parse(fs.read(path)!)
const clean = (text: string) => {
  for (const s of SECRETS) {
    expect(text).not.toContain(s)
    expect(text).not.toContain(s.slice(13, 40))
  }
}

describe("models auth import --from claude-code", () => {
  it("stores Claude Code's login as the anthropic:claude-cli oauth profile and registers it in the config", async () => {
    const fs = new MemoryFs({ [CLAUDE]: claudeFile() })
    const r = await runCli(["models", "auth", "import", "--from", "claude-code"], { fs })
    expect(r).toMatchObject({ code: 0, stdout: "Auth profile: anthropic:claude-cli (anthropic/oauth)", stderr: "" })
    expect(stored(fs).profiles["anthropic:claude-cli"]).toEqual({ type: "oauth", provider: "anthropic", access: ACCESS, refresh: REFRESH, expires: NOW + 6 * HOUR })
    expect(JSON.parse(fs.read(CONFIG)!).auth.profiles["anthropic:claude-cli"]).toEqual({ provider: "anthropic", mode: "oauth" })
    const status = await runCli(["models", "status"], { fs })
    // A refresh token makes it `ok` while expiring (§5.2, issue 15 item 7: deliberately changed from `expiring`).
    expect(status.stdout).toContain("anthropic:claude-cli  oauth  ok        refreshes on use")
    clean(r.stdout + r.stderr + status.stdout)
  })

  it("honours CLAUDE_CONFIG_DIR and --agent", async () => {
    const fs = new MemoryFs({
      "/opt/claude/.credentials.json": claudeFile(),
      [CONFIG]: JSON.stringify({ agents: { list: [{ id: "main", default: true }, { id: "work" }] } })
    })
    const r = await runCli(["models", "auth", "import", "--from", "claude-code", "--agent", "work"], { fs, vars: { CLAUDE_CONFIG_DIR: "/opt/claude" } })
    expect(r.code).toBe(0)
    expect(stored(fs, `${STATE}/agents/work/agent/auth-profiles.json`).profiles["anthropic:claude-cli"].type).toBe("oauth")
    expect(fs.read(STORE)).toBeUndefined()
  })

  it.each([
    ["missing", undefined, "the file does not exist"],
    ["not JSON", "{ nope", "it is not valid JSON"],
    ["not signed in", JSON.stringify({ other: 1 }), "it has no claudeAiOauth section (Claude Code is not signed in with a Claude account)"],
    ["no access token", JSON.stringify({ claudeAiOauth: { refreshToken: REFRESH } }), "claudeAiOauth.accessToken is missing"]
  ])("%s → a clear error naming the file and `claude login`; nothing stored", async (_, content, problem) => {
    const fs = new MemoryFs(content === undefined ? {} : { [CLAUDE]: content })
    const r = await runCli(["models", "auth", "import", "--from", "claude-code"], { fs })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `openclaw: Cannot import Claude Code's credentials from ${CLAUDE}: ${problem}; nothing was stored. Fix: sign in to Claude Code first (\`claude login\`, or /login inside \`claude\`), then run this again.`
    )
    expect(fs.read(STORE)).toBeUndefined()
    clean(r.stderr)
  })

  it("an unreadable file says so (and on macOS points at the Keychain)", async () => {
    const fs = new MemoryFs({ [CLAUDE]: { content: claudeFile(), mode: 0o000 } })
    const r = await runCli(["models", "auth", "import", "--from", "claude-code"], { fs, host: { platform: "darwin" } })
    expect(r.stderr).toContain("it cannot be read (EACCES); nothing was stored")
    expect(r.stderr).toContain("On macOS Claude Code keeps its login in the Keychain")
  })

  it("a Claude Code file with what no file or request can keep: refused with the field, nothing stored (§11)", async () => {
    const cases = [
      [claudeFile({ accessToken: `${ACCESS}\n` + "x" }), "claudeAiOauth.accessToken holds a control character"],
      [claudeFile({ refreshToken: `${REFRESH}\u001b[2J` }), "claudeAiOauth.refreshToken holds a control character"],
      [claudeFile().replace(`"expiresAt":${NOW + 6 * HOUR}`, `"expiresAt":1e20`), "1e20"],
      [claudeFile().replace('{"claudeAiOauth":', `{"claudeAiOauth":{"accessToken":"sk-ant-oat01-FAKEother${"o".repeat(40)}"},"claudeAiOauth":`), "duplicate key"]
    ] as const
    for (const [text, what] of cases) {
      const fs = new MemoryFs({ [CLAUDE]: text })
      const r = await runCli(["models", "auth", "import", "--from", "claude-code"], { fs })
      expect(r.code, what).toBe(1)
      expect(r.stderr).toContain(what)
      expect(r.stderr).toContain("nothing was stored")
      expect(fs.read(STORE)).toBeUndefined()
      clean(r.stderr)
    }
  })

  it("never downgrades an oauth profile to a token", async () => {
    const fs = new MemoryFs({ [CLAUDE]: claudeFile({ refreshToken: undefined }) })
    await runCli(["models", "auth", "import", "--from", "claude-code"], { fs })
    expect(stored(fs).profiles["anthropic:claude-cli"]).toEqual({ type: "token", provider: "anthropic", token: ACCESS, expires: NOW + 6 * HOUR })

    fs.put(CLAUDE, claudeFile())
    expect((await runCli(["models", "auth", "import", "--from", "claude-code"], { fs })).code).toBe(0)
    const before = fs.read(STORE)
    fs.put(CLAUDE, claudeFile({ refreshToken: undefined, expiresAt: NOW + 9 * HOUR }))
    const r = await runCli(["models", "auth", "import", "--from", "claude-code"], { fs })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("holds no refresh token, and anthropic:claude-cli is an OAuth profile with one; it was kept as it is")
    expect(fs.read(STORE)).toBe(before)
    clean(r.stderr)
  })

  it("keeps a stored profile that is newer than Claude Code's copy (we refreshed and rotated since)", async () => {
    const newer = { type: "oauth", provider: "anthropic", access: "sk-ant-oat01-FAKEours" + "o".repeat(40), refresh: "sk-ant-ort01-FAKEours" + "o".repeat(40), expires: NOW + 7 * HOUR }
    const fs = new MemoryFs({ [CLAUDE]: claudeFile(), [STORE]: JSON.stringify({ version: 1, profiles: { "anthropic:claude-cli": newer } }) })
    const before = fs.read(STORE)
    const r = await runCli(["models", "auth", "import", "--from", "claude-code"], { fs })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`Already up to date: the stored profile is as new as ${CLAUDE} or newer; nothing was changed.`)
    expect(fs.read(STORE)).toBe(before)
  })

  it("an unknown source is a usage error", async () => {
    const r = await runCli(["models", "auth", "import", "--from", "codex"], { fs: new MemoryFs() })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("openclaw: --from codex is not a source openclaw can import from. Fix: use --from claude-code.")
  })
})
