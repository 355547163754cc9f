import { describe, expect, it } from "@effect/vitest"
import { MemoryFs } from "./support/MemoryFiles.js"
import { NOW, runCli, STORE } from "./support/TestApp.js"

// Issue 15 item 8: a profile an order override leaves out keeps its cooldown label in `models status`, as in `auth list`.
const key = (tail: string) => "sk-ant-api03-FAKE" + "k".repeat(30) + tail

describe("models status labels cooldowns outside an order override", () => {
  it("shows [cooldown 5m] / [disabled:billing 4h] for profiles the override leaves out, as auth list does", async () => {
    const fs = new MemoryFs({
      [STORE]: JSON.stringify({
        version: 1,
        profiles: {
          "anthropic:a": { type: "api_key", provider: "anthropic", key: key("AAA1") },
          "anthropic:b": { type: "api_key", provider: "anthropic", key: key("BBB2") },
          "anthropic:c": { type: "api_key", provider: "anthropic", key: key("CCC3") }
        },
        order: { anthropic: ["anthropic:a"] },
        usageStats: {
          "anthropic:b": { cooldownUntil: NOW + 5 * 60_000 },
          "anthropic:c": { disabledUntil: NOW + 4 * 3_600_000, disabledReason: "billing" }
        }
      })
    })
    const status = await runCli(["models", "status"], { fs })
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(/anthropic:a=sk-ant-api03-…AAA1\n/)
    expect(status.stdout).toContain("anthropic:b=sk-ant-api03-…BBB2 [cooldown 5m]\n")
    expect(status.stdout).toContain("anthropic:c=sk-ant-api03-…CCC3 [disabled:billing 4h]\n")
    const list = await runCli(["models", "auth", "list"], { fs })
    expect(list.stdout).toMatch(/anthropic:b .*cooldown/)
    expect(list.stdout).toMatch(/anthropic:c .*disabled:billing/)
  })
})
