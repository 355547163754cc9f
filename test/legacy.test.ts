import { describe, expect, it } from "@effect/vitest"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, HOUR, NOW, runCli, STATE, STORE } from "./support/TestApp.js"

const KEY = "sk-ant-api03-FAKElegacy" + "l".repeat(30) + "LEG1"
const AUTH_JSON = `${STATE}/agents/main/agent/auth.json`
const OAUTH_JSON = `${STATE}/credentials/oauth.json`

describe("legacy import (§3.1)", () => {
  it("imports auth.json and credentials/oauth.json on first use, then removes them", async () => {
    const fs = new MemoryFs({
      [AUTH_JSON]: JSON.stringify({ anthropic: { type: "api_key", key: KEY } }),
      [OAUTH_JSON]: JSON.stringify({ openai: { access: "FAKEaccess", refresh: "FAKErefresh", expires: NOW + 5 * HOUR } })
    })
    const r = await runCli(["models", "status", "--json"], { fs })
    expect(r.code).toBe(0)
    const store = JSON.parse(fs.read(STORE)!)
    expect(store.profiles).toEqual({
      "anthropic:default": { type: "api_key", provider: "anthropic", key: KEY },
      "openai:default": { type: "oauth", provider: "openai", access: "FAKEaccess", refresh: "FAKErefresh", expires: NOW + 5 * HOUR }
    })
    expect(fs.read(AUTH_JSON)).toBeUndefined()
    expect(fs.read(OAUTH_JSON)).toBeUndefined()
    expect(JSON.parse(r.stdout).auth.warnings[0]).toBe(`imported legacy credentials into ${STORE}: anthropic:default, openai:default`)
    expect(r.stdout).not.toContain(KEY)
  })

  it("never replaces an existing profile, and keeps a legacy file whose credential conflicts with it (§11)", async () => {
    const store = JSON.stringify({ version: 1, profiles: { "anthropic:default": { type: "token", provider: "anthropic", token: "sk-ant-oat01-FAKEkeep" } } })
    const authJson = JSON.stringify({ anthropic: { type: "api_key", key: KEY } })
    const oauthJson = JSON.stringify({ anthropic: { access: "FAKEaccess", refresh: "FAKErefresh", expires: NOW + HOUR } })
    const fs = new MemoryFs({ [STORE]: store, [AUTH_JSON]: authJson, [OAUTH_JSON]: oauthJson })
    // A read-only command: it imports nothing here, so it must delete nothing.
    const r = await runCli(["models", "status", "--json"], { fs })
    expect(r.code).toBe(0)
    expect(fs.read(STORE)).toBe(store)
    expect(fs.read(AUTH_JSON)).toBe(authJson)
    expect(fs.read(OAUTH_JSON)).toBe(oauthJson)
    const warnings: Array<string> = JSON.parse(r.stdout).auth.warnings
    for (const file of [AUTH_JSON, OAUTH_JSON]) {
      expect(warnings).toContainEqual(expect.stringContaining(`legacy file ${file}: entry anthropic was not imported: anthropic:default already holds another credential`))
    }
    expect(warnings.join("\n")).toContain("the legacy file is kept. Fix: ")
    expect(r.stdout).not.toContain(KEY)
  })

  it("keeps a legacy file whose id the store holds as an entry it cannot read", async () => {
    const store = JSON.stringify({ version: 1, profiles: { "anthropic:default": { type: "mystery", provider: "anthropic" } } })
    const fs = new MemoryFs({ [STORE]: store, [AUTH_JSON]: JSON.stringify({ anthropic: { type: "api_key", key: KEY } }) })
    await runCli(["models", "status"], { fs })
    expect(fs.read(STORE)).toBe(store)
    expect(fs.read(AUTH_JSON)).toBeDefined()
  })

  it("retires a legacy file the store already holds as it is", async () => {
    const fs = new MemoryFs({
      [STORE]: JSON.stringify({ version: 1, profiles: { "anthropic:default": { type: "api_key", provider: "anthropic", key: KEY } } }),
      [AUTH_JSON]: JSON.stringify({ anthropic: { type: "api_key", key: KEY } })
    })
    await runCli(["models", "status"], { fs })
    expect(fs.read(AUTH_JSON)).toBeUndefined()
    expect(fs.writes).toBe(0)
  })

  it("keeps a legacy file it cannot fully read, imports the rest, and says why", async () => {
    const fs = new MemoryFs({
      [AUTH_JSON]: JSON.stringify({ anthropic: { type: "api_key", key: KEY }, groq: { type: "mystery" } }),
      [OAUTH_JSON]: "{ not json"
    })
    const r = await runCli(["models", "status"], { fs })
    expect(r.code).toBe(0)
    expect(Object.keys(JSON.parse(fs.read(STORE)!).profiles)).toEqual(["anthropic:default"])
    expect(fs.read(AUTH_JSON)).toBeDefined()
    expect(fs.read(OAUTH_JSON)).toBe("{ not json")
    expect(r.stdout).toContain('entry groq was not imported: unknown type "mystery"')
    expect(r.stdout).toContain(`legacy file ${OAUTH_JSON} was not imported: ${OAUTH_JSON}:1:3: invalid JSON`)
  })

  it("does not write anything when the store itself does not parse", async () => {
    const fs = new MemoryFs({ [STORE]: "{", [AUTH_JSON]: JSON.stringify({ anthropic: { type: "api_key", key: KEY } }) })
    const r = await runCli(["models", "status"], { fs })
    expect(r.code).toBe(1)
    expect(fs.read(STORE)).toBe("{")
    expect(fs.read(AUTH_JSON)).toBeDefined()
  })
})

describe("sub-agent store inheritance (§3.1)", () => {
  const config = `{ agents: { list: [{ id: "main", default: true }, { id: "work" }] } }`
  const WORK_STORE = `${STATE}/agents/work/agent/auth-profiles.json`

  it("a sub-agent without a store sees the main agent's profiles", async () => {
    const fs = new MemoryFs({
      [CONFIG]: config,
      [STORE]: JSON.stringify({ version: 1, profiles: { "anthropic:default": { type: "api_key", provider: "anthropic", key: KEY } } })
    })
    const r = await runCli(["models", "status", "--check", "--agent", "work"], { fs })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("anthropic (in use): profiles — anthropic:default")
    expect(r.stdout).toContain(`Auth store : ${WORK_STORE}`)
  })

  it("its own entries win, and writes go to its own store", async () => {
    const fs = new MemoryFs({
      [CONFIG]: config,
      [STORE]: JSON.stringify({ version: 1, profiles: { "anthropic:default": { type: "api_key", provider: "anthropic", key: KEY } } }),
      [WORK_STORE]: JSON.stringify({
        version: 1,
        profiles: { "anthropic:default": { type: "token", provider: "anthropic", token: "sk-ant-oat01-FAKEwork", expires: NOW - 1 } }
      })
    })
    const r = await runCli(["models", "status", "--check", "--agent", "work"], { fs })
    expect(r.code).toBe(1)
    const main = await runCli(["models", "status", "--check"], { fs })
    expect(main.code).toBe(0)
  })
})
