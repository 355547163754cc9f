import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { isSecretVarName, makeSecretRegistry, redactSecrets } from "../src/services/SecretRegistry.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, runCli } from "./support/TestApp.js"

describe("secret registry", () => {
  it("scrubs registered values by their mask, longest first, and ignores short values", () => {
    const r = makeSecretRegistry()
    Effect.runSync(r.register(["sk-ant-api03-FAKEabcdefghijklmnopqrstuvwxyz", "sk-ant-api03-FAKEabcdefghijklmnopqrstuvwxyz-longer", "short", undefined]))
    expect(r.scrub("a sk-ant-api03-FAKEabcdefghijklmnopqrstuvwxyz-longer b sk-ant-api03-FAKEabcdefghijklmnopqrstuvwxyz short")).toBe(
      "a sk-ant-api03-…nger b sk-ant-api03-…wxyz short"
    )
  })

  it("knows secret-looking variable names", () => {
    expect(["ANTHROPIC_API_KEY", "OPENCLAW_GATEWAY_TOKEN", "DB_PASSWORD", "aws_secret"].every(isSecretVarName)).toBe(true)
    expect(["PATH", "HOME", "LANG"].some(isSecretVarName)).toBe(false)
  })

  it("nets a secret that reaches the CLI's output by any other path", async () => {
    // A secret env value that also names the agent: status prints agent ids unmasked, the net catches it.
    const value = "FAKEsecretAgentName0123456789"
    const fs = new MemoryFs({ [CONFIG]: JSON.stringify({ agents: { list: [{ id: value, default: true }] } }) })
    const r = await runCli(["models", "status"], { fs, vars: { MY_SERVICE_TOKEN: value } })
    expect(r.stdout).toContain("Agent         : …6789")
    expect(r.stdout + r.stderr).not.toContain(value)
  })
})

describe("redactSecrets", () => {
  it("replaces every occurrence, the longer of two overlapping secrets whole, in any order given", () => {
    const short = "sk-FAKE-short-123"
    const long = short + "-and-more-456"
    const text = `a ${long} b ${short} c ${long}`
    for (const secrets of [[short, long], [long, short]]) {
      expect(redactSecrets(text, secrets)).toBe("a <redacted> b <redacted> c <redacted>")
    }
    expect(redactSecrets("nothing here", ["", short])).toBe("nothing here")
  })
})
