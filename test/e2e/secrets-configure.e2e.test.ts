/**
 * `openclaw secrets configure` on a real pseudo-terminal (§9, §6 manners): pick a field with the arrow keys, type the
 * variable, finish, and the plan is written and applied; the key is gone from every file and never on the screen.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { findScript, PtySession } from "../support/Pty.js"
import { fakeBody, prng } from "../support/Random.js"
import { expectTreeUnchanged, useSandboxes } from "../support/Sandbox.js"
import { findLeak } from "../support/SecretScan.js"

const newSandbox = useSandboxes()
const KEY = `sk-proj-FAKE${fakeBody(prng(0xc0f), 40)}`
const ENTER = "\r"

describe.skipIf(findScript() === undefined)("secrets configure under a real terminal", () => {
  it("field → env variable → done: plan written 0600 and applied, no plain key left, none shown", async () => {
    const s = await newSandbox("sconf")
    await s.write(s.store, JSON.stringify({ version: 1, profiles: { "openai:default": { type: "api_key", provider: "openai", key: KEY } } }))
    await s.write(path.join(s.state, ".env"), `OPENAI_API_KEY=${KEY}\n`)
    const plan = path.join(s.home, "plan.json")
    const pty = new PtySession(s, ["secrets", "configure", "--skip-provider-setup", "--plan-out", plan, "--apply", "--yes"], {
      env: { V_OPENAI: KEY }
    })
    await pty.answer("Which credential field should hold a ref?", ENTER)
    await pty.answer("Variable name (Enter: OPENAI_API_KEY)", "V_OPENAI", ENTER)
    // Once a field is mapped, Done comes first.
    await pty.answer("Which credential field should hold a ref?", ENTER)
    const exit = await pty.exit()
    expect(exit.code, pty.screen).toBe(0)
    expect(pty.screen).toContain("Applied the plan.")
    expect(((await fs.stat(plan)).mode & 0o777).toString(8)).toBe("600")
    expect((await s.readJson(plan)).targets[0]).toMatchObject({ type: "auth-profiles.api_key.key", agentId: "main", ref: { id: "V_OPENAI" } })
    expect((await s.readJson(s.store)).profiles["openai:default"]).toEqual({
      type: "api_key",
      provider: "openai",
      keyRef: { source: "env", provider: "default", id: "V_OPENAI" }
    })
    for (const e of await s.tree()) {
      if (!e.dir) expect(findLeak(await fs.readFile(path.join(s.state, e.rel), "utf8"), KEY), e.rel).toBeUndefined()
    }
    expect(findLeak(pty.screenRaw, KEY)).toBeUndefined()
  })

  it("a stored key pasted where a variable name is asked is never drawn back (the prompt's frames are scrubbed)", async () => {
    const s = await newSandbox("sconf-paste")
    await s.write(s.store, JSON.stringify({ version: 1, profiles: { "openai:default": { type: "api_key", provider: "openai", key: KEY } } }))
    const pty = new PtySession(s, ["secrets", "configure", "--skip-provider-setup", "--plan-out", path.join(s.home, "plan.json")])
    await pty.answer("Which credential field should hold a ref?", ENTER)
    await pty.answer("Variable name (Enter: OPENAI_API_KEY)", KEY, ENTER)
    // Refused as a name (it is not one), and asked again.
    await pty.waitFor("Not a valid id", undefined, pty.typedAt)
    pty.type("\u0003")
    await pty.exit()
    expect(findLeak(pty.screenRaw, KEY), pty.screen).toBeUndefined()
  })

  it("Ctrl-C in the wizard: nothing under HOME changes and it says so", async () => {
    const s = await newSandbox("sconf-cancel")
    await s.write(s.store, JSON.stringify({ version: 1, profiles: { "openai:default": { type: "api_key", provider: "openai", key: KEY } } }))
    const before = await s.snapshot()
    const pty = new PtySession(s, ["secrets", "configure", "--plan-out", path.join(s.home, "plan.json"), "--apply", "--yes"])
    await pty.answer("Secrets providers: what next?", ENTER)
    await pty.answer("Which credential field should hold a ref?", "\u0003")
    const exit = await pty.exit()
    expect(exit.code, pty.screen).not.toBe(0)
    expect(pty.screen).toContain("Cancelled; nothing was stored.")
    expectTreeUnchanged(before, await s.snapshot())
  })
})
