import { describe, expect, it } from "@effect/vitest"
import { MemoryFs } from "./support/MemoryFiles.js"
import { runCli } from "./support/TestApp.js"

describe("--help", () => {
  it("lists every command once, with its real path (patched @effect/cli nested usage)", async () => {
    const r = await runCli(["--help"], { fs: new MemoryFs() })
    expect(r.code).toBe(0)
    for (const path of [
      "models status",
      "models auth paste-token",
      "models auth setup-token",
      "models auth paste-api-key",
      "models auth list",
      "models auth logout",
      "models auth order get",
      "models auth order set",
      "models auth order clear",
      "models auth cooldowns clear",
      "secrets audit"
    ]) {
      expect(r.stdout).toContain(`- ${path}`)
    }
    expect(r.stdout).not.toMatch(/models models|auth models|order models/)
  })

  it.each([["models"], ["models", "auth"], ["models", "auth", "order"], ["models", "status"], ["models", "auth", "paste-token"], ["secrets"], ["secrets", "audit"]])(
    "%s --help exits 0 and describes the command",
    async (...path) => {
      const r = await runCli([...path, "--help"], { fs: new MemoryFs() })
      expect(r.code).toBe(0)
      expect(r.stdout).toContain("DESCRIPTION")
    }
  )

  it("an unknown flag fails with the flag named and a pointer to --help", async () => {
    const r = await runCli(["models", "status", "--bogus"], { fs: new MemoryFs() })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("--bogus")
    expect(r.stderr).toContain("--help")
  })
})
