/**
 * SecretRefs end to end (§9): the built binary over a store that holds only refs — env, file (a 0600 JSON file and a
 * JSON pointer) and exec (a resolver script in the sandbox) — resolves them when the command starts: `models status
 * --check` exits 0 and shows each source with its masked value. No resolved value appears in any output or file.
 */
import { afterAll, describe, expect, it } from "vitest"
import { runsOfThisFile, type Sandbox, useSandboxes } from "../support/Sandbox.js"
import { expectNoSecrets, storeJson } from "./harness.js"

const newHome = useSandboxes()

/** What the refs resolve to: in the environment, the secrets file and the resolver script only. */
const RESOLVED = {
  openai: "sk-proj-FAKEe2eRefFromEnv0123456789abcdefENV1",
  groq: "gsk_FAKEe2eRefFromFile0123456789abcdefFIL2",
  anthropic: "sk-ant-oat01-FAKEe2eRefFromExec" + "x".repeat(60) + "EXC3"
} as const

afterAll(() => expectNoSecrets(runsOfThisFile(), Object.values(RESOLVED)))

const ref = (source: string, provider: string, id: string) => ({ source, provider, id })

/** A home whose store holds only refs; `resolverFails` makes the exec resolver answer with a per-id error. */
const refHome = async (resolverFails = false): Promise<Sandbox> => {
  const h = await newHome("refs")
  const secretsFile = await h.write(".openclaw/secrets.json", JSON.stringify({ providers: { groq: { apiKey: RESOLVED.groq } } }), 0o600)
  const answer = resolverFails
    ? { protocolVersion: 1, values: {}, errors: { "anthropic/token": { message: "not in the vault" } } }
    : { protocolVersion: 1, values: { "anthropic/token": RESOLVED.anthropic } }
  const resolver = await h.write("bin/vault-resolver", `#!/bin/sh\ncat >/dev/null\nprintf '%s' '${JSON.stringify(answer)}'\n`, 0o700)
  await h.write(
    h.config,
    JSON.stringify({
      agents: { defaults: { model: { primary: "anthropic/claude-opus-4-6", fallbacks: ["openai/gpt-5", "groq/llama"] } } },
      secrets: {
        providers: {
          filemain: { source: "file", path: secretsFile, mode: "json" },
          vault: { source: "exec", command: resolver }
        }
      }
    })
  )
  await h.write(
    h.store,
    storeJson({
      "anthropic:work": { type: "token", provider: "anthropic", tokenRef: ref("exec", "vault", "anthropic/token") },
      "openai:default": { type: "api_key", provider: "openai", keyRef: ref("env", "default", "OPENAI_API_KEY") },
      "groq:default": { type: "api_key", provider: "groq", keyRef: ref("file", "filemain", "/providers/groq/apiKey") }
    })
  )
  return h
}

const env = { OPENAI_API_KEY: RESOLVED.openai }

describe("SecretRefs with the built binary (§9)", () => {
  it("a store of env, file and exec refs: status --check 0 with the right masked values, in text and JSON", async () => {
    const h = await refHome()
    const before = await h.readText(h.store)
    const text = await h.run(["models", "status", "--check"], { env })
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain("anthropic:work=sk-ant-oat01-…EXC3 (ref exec:vault)")
    expect(text.stdout).toContain("openai:default=sk-proj-…ENV1 (ref env:OPENAI_API_KEY)")
    expect(text.stdout).toContain("groq:default=gsk_…FIL2 (ref file:filemain)")
    const json = await h.run(["models", "status", "--json", "--check"], { env })
    expect(json.code).toBe(0)
    const report = JSON.parse(json.stdout)
    expect(report.auth.unusableProfiles).toEqual([])
    expect(report.auth.secretRefs.map((r: any) => [r.source, r.resolved])).toEqual([
      ["ref exec:vault", true],
      ["ref env:OPENAI_API_KEY", true],
      ["ref file:filemain", true]
    ])
    const list = await h.run(["models", "auth", "list"], { env })
    expect(list.stdout).toMatch(/groq:default\s+api_key\s+ref file:filemain/)
    // Other commands read the same refs; whatever they print or write holds no resolved value.
    await h.run(["models", "auth", "list", "--json"], { env })
    await h.run(["doctor", "--json"], { env })
    await h.run(["models", "auth", "order", "set", "--provider", "openai", "openai:default"], { env })
    expect(JSON.parse((await h.readText(h.store))!).profiles).toEqual(JSON.parse(before!).profiles)
    for (const rel of (await h.tree()).filter((e) => !e.dir).map((e) => e.rel)) {
      if (rel === "secrets.json") continue
      const content = (await h.readText(`${h.state}/${rel}`)) ?? ""
      for (const value of Object.values(RESOLVED)) expect(content, rel).not.toContain(value)
    }
  })

  it("a ref that does not resolve: its profile is unusable (unresolved_ref) and --check exits 1 for a provider in use", async () => {
    const h = await refHome(true)
    const r = await h.run(["models", "status", "--json", "--check"], { env })
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout)
    expect(report.auth.missingProvidersInUse).toEqual(["anthropic"])
    expect(report.auth.unusableProfiles).toEqual([
      { profileId: "anthropic:work", provider: "anthropic", reason: "unresolved_ref", until: null, kind: "unusable", remainingMs: null, detail: expect.stringContaining("not in the vault") }
    ])
    const text = await h.run(["models", "status"], { env })
    expect(text.stdout).toContain("anthropic:work=(unresolved) (ref exec:vault) [unusable: unresolved_ref]")
  })

  it("paste-api-key --ref stores the ref without a prompt, and status then uses it", async () => {
    const h = await newHome("paste-ref")
    const r = await h.run(["models", "auth", "paste-api-key", "--provider", "openai", "--ref", "env:default:OPENAI_API_KEY"], { env })
    expect(r.code, r.stderr).toBe(0)
    expect((await h.readJson(h.store)).profiles["openai:default"]).toEqual({ type: "api_key", provider: "openai", keyRef: ref("env", "default", "OPENAI_API_KEY") })
    const refused = await h.run(["models", "auth", "paste-api-key", "--provider", "openai", "--profile-id", "other", "--ref", "env:default:NOT_SET_ANYWHERE"])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("ref env:NOT_SET_ANYWHERE does not resolve")
    expect((await h.readJson(h.store)).profiles["openai:other"]).toBeUndefined()
  })
})
