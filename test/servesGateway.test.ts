import { describe, expect, it } from "vitest"
import { servesGateway } from "../src/bin/servesGateway.js"

/** The launcher's V8 settings and the CLI's blocking file calls are for every command but the serving gateway. */
describe("servesGateway", () => {
  it.each([
    [["gateway"], true],
    [["gateway", "--port", "18789"], true],
    [["gateway", "--bind", "lan", "--agent", "work"], true],
    [["gateway", "install"], false],
    [["gateway", "install", "--print"], false],
    [["gateway", "--help"], true],
    [["models", "status", "--check"], false],
    [["models", "auth", "login", "--provider", "gateway"], false],
    [["--log-level", "debug", "gateway"], true],
    [["--log-level", "debug", "gateway", "install"], false],
    [[], false]
  ])("%j → %s", (argv, serves) => {
    expect(servesGateway(argv)).toBe(serves)
  })
})
