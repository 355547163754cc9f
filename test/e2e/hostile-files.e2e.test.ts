/**
 * §11 hostile files against the built binary: each run ends (no hang), says the problem and the fix on one line,
 * and leaves the hostile file byte for byte as it was.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import { describe, expect, it } from "vitest"
import { useSandboxes } from "../support/Sandbox.js"

const newHome = useSandboxes()

const oneLine = (stderr: string, ...parts: ReadonlyArray<string>) => {
  const lines = stderr.trimEnd().split("\n")
  expect(lines, stderr).toHaveLength(1)
  for (const p of parts) expect(lines[0]).toContain(p)
  expect(lines[0]).toContain("Fix:")
  expect(stderr).not.toMatch(/internal error|Maximum call stack|    at /)
}

describe("hostile files (§11, built binary)", () => {
  it.each([
    ["duplicate keys", '{"version":1,"profiles":{"openai:a":{"type":"api_key","provider":"openai","key":"sk-first-aaaaaaaaaaaa"},\n"openai:a":{"type":"api_key","provider":"openai","key":"sk-second-bbbbbbbbbbb"}}}\n', "duplicate key"],
    ["a number past Infinity", '{"version":1,"profiles":{"anthropic:t":{"type":"token","provider":"anthropic","token":"sk-ant-oat01-x","expires":1e309}}}\n', "1e309"],
    ["nesting thousands deep", `{"version":1,"x":${"[".repeat(5000)}${"]".repeat(5000)}}`, "nested deeper than"],
    ["a __proto__ profile id", '{"version":1,"profiles":{"__proto__":{"type":"api_key","provider":"openai","key":"sk-x-aaaaaaaaaaaa"}}}\n', "__proto__"]
  ])("a store with %s: reported with its position, never rewritten, by a read and by a write", { timeout: 120_000 }, async (_, text, what) => {
    const home = await newHome("hf")
    await home.write(home.store, text)
    for (const args of [["models", "status"], ["models", "auth", "paste-api-key", "--provider", "openai"]]) {
      const r = await home.run(args, { input: "sk-proj-FAKEhostilefiles000000000000000000\n" })
      expect(r.code, r.stderr).toBe(1)
      oneLine(r.stderr, `${home.store}:`, what)
      expect(await home.readText(home.store)).toBe(text)
    }
  })

  it("a store that is a FIFO is refused at once, not waited on", { timeout: 120_000 }, async () => {
    const home = await newHome("hf")
    await home.mkdir(home.agentDir)
    expect(spawnSync("mkfifo", [home.store]).status).toBe(0)
    const r = await home.run(["models", "status"], { timeoutMs: 60_000 })
    expect(r.signal, "killed by the hang guard").toBeNull()
    expect(r.code).toBe(1)
    oneLine(r.stderr, home.store, "not a regular file")
    expect((await fs.lstat(home.store)).isFIFO()).toBe(true)
  })

  it("a store that is a symlink into a directory that does not exist: refused, no directory made outside the state dir", { timeout: 120_000 }, async () => {
    const home = await newHome("hf")
    await home.mkdir(home.agentDir)
    const nowhere = `${home.home}/gone/away/auth-profiles.json`
    await fs.symlink(nowhere, home.store)
    const r = await home.run(["models", "auth", "paste-api-key", "--provider", "openai"], { input: "sk-proj-FAKEhostilefiles000000000000000000\n" })
    expect(r.code).toBe(1)
    oneLine(r.stderr, home.store, "symlink to a file in a directory that does not exist")
    await expect(fs.stat(`${home.home}/gone`)).rejects.toMatchObject({ code: "ENOENT" })
    expect(await fs.readlink(home.store)).toBe(nowhere)
  })

  it("HOME= is an error, and nothing lands in the current directory", { timeout: 120_000 }, async () => {
    const home = await newHome("hf")
    const r = await home.run(["models", "auth", "paste-api-key", "--provider", "openai"], { env: { HOME: "" }, input: "sk-proj-FAKEhostilefiles000000000000000000\n" })
    expect(r.code).toBe(1)
    oneLine(r.stderr, "HOME is set but empty")
    expect(await fs.readdir(home.home)).toEqual([])
  })

  it("a path variable with a trailing newline is an error, and no second directory appears", { timeout: 120_000 }, async () => {
    const home = await newHome("hf")
    const r = await home.run(["models", "auth", "paste-api-key", "--provider", "openai"], { env: { OPENCLAW_STATE_DIR: `${home.home}/.openclaw\n` }, input: "sk-proj-FAKEhostilefiles000000000000000000\n" })
    expect(r.code).toBe(1)
    oneLine(r.stderr, "OPENCLAW_STATE_DIR holds a control character", "set OPENCLAW_STATE_DIR to the path alone")
    expect(await fs.readdir(home.home)).toEqual([])
  })

  it("a state dir that is a file: the message names that file and the settings, never tells the user to delete it, and the file is kept", { timeout: 120_000 }, async () => {
    const home = await newHome("hf")
    const notes = `${home.home}/notes.txt`
    await fs.writeFile(notes, "the user's own notes\n")
    for (const args of [["models", "status"], ["models", "auth", "paste-api-key", "--provider", "openai"]]) {
      const r = await home.run(args, { env: { OPENCLAW_STATE_DIR: notes }, input: "sk-proj-FAKEhostilefiles000000000000000000\n" })
      expect(r.code).toBe(1)
      oneLine(r.stderr, `its parent ${notes} is a file, not a directory`, "OPENCLAW_STATE_DIR", "move the file aside")
      expect(r.stderr).not.toMatch(/remove|delete/i)
      expect(await fs.readFile(notes, "utf8")).toBe("the user's own notes\n")
    }
  })

  it("gateway install --print refuses a state dir with a newline instead of writing a unit with an injected line", { timeout: 120_000 }, async () => {
    const home = await newHome("hf")
    const r = await home.run(["gateway", "install", "--print", "--platform", "linux"], { env: { OPENCLAW_STATE_DIR: `${home.home}/x\nExecStartPre=/bin/touch /tmp/pwned` } })
    expect(r.code).toBe(1)
    expect(r.stdout).toBe("")
    // Refused before any command runs (every command refuses such a path), without echoing the injected line.
    oneLine(r.stderr, "OPENCLAW_STATE_DIR holds a control character")
    expect(r.stderr).not.toContain("ExecStartPre")
  })
})
