/** `secrets apply` refusals stay one readable line however many targets are wrong (§9: one clear line with the fix). */
import { describe, expect, it } from "@effect/vitest"
import { LISTED_PROBLEMS, SecretsPlanError, SecretsUnresolvedError } from "../../src/domain/SecretsApplyErrors.js"

const many = (n: number) => Array.from({ length: n }, (_, i) => `targets[${i}]: ref: env ids are variable names`)

describe("secrets apply refusals list a bounded number of problems", () => {
  it("10,000 bad targets: the first few, then how many more", () => {
    const message = new SecretsPlanError({ source: "plan.json", problems: many(10_000) }).problem
    expect(message).toContain(`(${LISTED_PROBLEMS}) targets[${LISTED_PROBLEMS - 1}]`)
    expect(message).not.toContain(`targets[${LISTED_PROBLEMS}]`)
    expect(message).toContain(`… and ${10_000 - LISTED_PROBLEMS} more`)
    expect(message.length).toBeLessThan(2000)
    expect(message).toMatch(/Nothing was written$/)
  })

  it("unresolved refs: the count is the whole count, the list is bounded", () => {
    const message = new SecretsUnresolvedError({ unresolved: many(500) }).problem
    expect(message).toMatch(/^500 refs of the plan did not resolve/)
    expect(message).toContain(`… and ${500 - LISTED_PROBLEMS} more`)
  })

  it("a few problems are all listed, numbered", () => {
    const message = new SecretsPlanError({ source: "plan.json", problems: many(3) }).problem
    expect(message).toContain("(1) targets[0]")
    expect(message).toContain("(3) targets[2]")
    expect(message).not.toContain("more")
  })
})
