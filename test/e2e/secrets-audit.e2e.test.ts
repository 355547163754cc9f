/**
 * `openclaw secrets audit --check` end to end (§9): the built binary on clean, plain-text, unresolved, shadowed and
 * legacy fixtures, every output mode; exit codes 0/1/2, nothing under HOME changed, no fixture secret in any output.
 */
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { runsOfThisFile, type Sandbox, expectTreeUnchanged, useSandboxes } from "../support/Sandbox.js"
import { expectNoAnsi, expectNoInternals, expectNoSecrets, SECRETS, storeJson } from "./harness.js"

const newHome = useSandboxes()

afterAll(() => expectNoSecrets(runsOfThisFile(), Object.values(SECRETS)))

const envRef = (id: string) => ({ source: "env", provider: "default", id })

interface Fixture {
  readonly name: string
  readonly code: 0 | 1 | 2
  readonly status: "clean" | "findings" | "unresolved"
  readonly codes: ReadonlyArray<string>
  readonly env?: Record<string, string>
  readonly setup: (h: Sandbox) => Promise<void>
}

const FIXTURES: ReadonlyArray<Fixture> = [
  {
    name: "clean: only refs, all resolve",
    code: 0,
    status: "clean",
    codes: [],
    env: { ANTHROPIC_API_KEY: SECRETS.apiKey, LOCAL_API_KEY: SECRETS.openaiKey },
    setup: async (h) => {
      await h.write(h.store, storeJson({ "anthropic:default": { type: "api_key", provider: "anthropic", keyRef: envRef("ANTHROPIC_API_KEY") } }))
      await h.write(h.config, JSON.stringify({ models: { providers: { local: { baseUrl: "http://127.0.0.1:8000/v1", apiKey: envRef("LOCAL_API_KEY") } } } }))
    }
  },
  {
    name: "plain text in the store, the config and <state>/.env",
    code: 1,
    status: "findings",
    codes: ["PLAINTEXT_FOUND", "PLAINTEXT_FOUND", "PLAINTEXT_FOUND"],
    setup: async (h) => {
      await h.write(h.store, storeJson({ "anthropic:default": { type: "api_key", provider: "anthropic", key: SECRETS.apiKey } }))
      await h.write(h.config, `{ gateway: { auth: { token: "${SECRETS.routerToken}" } } }`)
      await h.write(path.join(h.state, ".env"), `OPENAI_API_KEY=${SECRETS.openaiKey}\n`)
    }
  },
  {
    name: "unresolved: a keyRef whose variable is not set",
    code: 2,
    status: "unresolved",
    codes: ["REF_UNRESOLVED"],
    setup: async (h) => {
      await h.write(h.store, storeJson({ "openai:default": { type: "api_key", provider: "openai", keyRef: envRef("OPENAI_API_KEY") } }))
    }
  },
  {
    name: "shadowed: a stored profile over a config ref",
    code: 1,
    status: "findings",
    codes: ["REF_SHADOWED"],
    env: { OPENAI_API_KEY: SECRETS.openaiKey, WORK_KEY: SECRETS.envFileKey },
    setup: async (h) => {
      await h.write(h.store, storeJson({ "openai:work": { type: "api_key", provider: "openai", keyRef: envRef("WORK_KEY") } }))
      await h.write(h.config, JSON.stringify({ models: { providers: { openai: { apiKey: envRef("OPENAI_API_KEY") } } } }))
    }
  },
  {
    name: "legacy auth.json still present",
    code: 1,
    status: "findings",
    codes: ["LEGACY_RESIDUE"],
    setup: async (h) => {
      await h.write(path.join(h.agentDir, "auth.json"), JSON.stringify({ anthropic: { type: "api_key", key: SECRETS.processKey } }))
    }
  },
  {
    name: "a store that does not parse",
    code: 2,
    status: "unresolved",
    codes: ["REF_UNRESOLVED"],
    setup: async (h) => {
      await h.write(h.store, `{"version":1,"profiles":{"anthropic:default":{"type":"api_key","key":"${SECRETS.token2}"`)
    }
  }
]

describe("secrets audit --check (built binary)", () => {
  it.each(FIXTURES.map((f) => [f.name, f] as const))("%s", async (_, f) => {
    const h = await newHome("audit")
    await f.setup(h)
    const before = await h.snapshot()
    const [text, json, plain] = await Promise.all([
      h.run(["secrets", "audit", "--check"], { env: f.env ?? {} }),
      h.run(["secrets", "audit", "--check", "--json"], { env: f.env ?? {} }),
      h.run(["secrets", "audit"], { env: f.env ?? {} })
    ])
    expect({ text: text.code, json: json.code, withoutCheck: plain.code }).toEqual({ text: f.code, json: f.code, withoutCheck: 0 })
    const report = JSON.parse(json.stdout) as { status: string; findings: Array<{ code: string; file: string; jsonPath: string }> }
    expect(report.status).toBe(f.status)
    expect(report.findings.map((x) => x.code).sort()).toEqual([...f.codes].sort())
    expect(text.stdout).toContain(`Secrets audit: ${f.status}`)
    for (const r of [text, json, plain]) {
      expect(r.stderr).toBe("")
      expectNoAnsi(r.stdout)
      expectNoInternals(r.stdout)
    }
    // The audit reads; it never writes, imports or re-modes anything.
    expectTreeUnchanged(before, await h.snapshot())
  })
})
