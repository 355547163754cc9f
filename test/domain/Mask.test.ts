import { describe, expect, it } from "@effect/vitest"
import { maskSecret } from "../../src/domain/Mask.js"
import { makeProfileId, profileIdFromInput, slugProfileName } from "../../src/domain/ProfileId.js"
import { normalizeProvider } from "../../src/domain/Provider.js"

describe("maskSecret (§6)", () => {
  it("shows the public prefix and the last four", () => {
    expect(maskSecret("sk-ant-api03-" + "a".repeat(40) + "wxyz")).toBe("sk-ant-api03-…wxyz")
    expect(maskSecret("sk-or-v1-" + "0".repeat(40) + "6789")).toBe("sk-or-v1-…6789")
    expect(maskSecret("sk-proj-" + "b".repeat(30) + "1234")).toBe("sk-proj-…1234")
    expect(maskSecret("gsk_" + "c".repeat(30) + "9999")).toBe("gsk_…9999")
  })
  it("reveals nothing under 12 characters and no prefix for unknown shapes", () => {
    expect(maskSecret("short")).toBe("…")
    expect(maskSecret("12345678901")).toBe("…")
    expect(maskSecret("abcdefghijklmnop")).toBe("…mnop")
  })
  it("never shows a prefix that leaves less than 16 characters hidden", () => {
    expect(maskSecret("sk-ant-api03-abcdefgh")).toBe("…efgh")
  })
})

describe("profile ids (§1)", () => {
  it("slugs names", () => {
    expect(slugProfileName("Work Account!")).toBe("work-account")
    expect(slugProfileName("  ")).toBe("default")
    expect(slugProfileName("me@example.com")).toBe("me@example.com")
    expect(slugProfileName("--A__b..c--")).toBe("a__b..c")
  })
  it("builds ids from a provider and a name or a full id", () => {
    expect(makeProfileId(normalizeProvider("Claude"), "Work")).toBe("anthropic:work")
    expect(profileIdFromInput(normalizeProvider("anthropic"), "manual")).toBe("anthropic:manual")
    expect(profileIdFromInput(normalizeProvider("anthropic"), "Claude:Team A")).toBe("anthropic:team-a")
  })
})
