/**
 * What the end-to-end suites of the CLI share beyond the sandbox (test/support/Sandbox.ts): the fake secrets they
 * plant, a store document, and checks on what a user may see (no secrets, no ANSI, no internals).
 */
import { expect } from "vitest"
import type { Outcome } from "../support/Child.js"
import { expectNoLeak, outputsOf } from "../support/SecretScan.js"

export const HOUR = 3_600_000

/** Fake secrets only: each carries FAKE/TEST and a distinct body. Public prefix first, as real keys have. */
export const SECRETS = {
  apiKey: "sk-ant-api03-FAKEapikeyAaBbCcDdEeFfGgHhIiJjKkLlMmNn0123456789-TESTak01",
  token: "sk-ant-oat01-FAKEtokenQqRrSsTtUuVvWwXxYyZz9876543210abcdefghijklmnopqrstuvwxyz-TESTtk02",
  token2: "sk-ant-oat01-FAKEsecondtokenPpOoNnMmLlKkJjIiHhGgFfEeDdCcBbAa0011223344556677-TESTtk03",
  envFileKey: "sk-ant-api03-FAKEdotenvkeyZzYyXxWwVvUuTtSsRrQqPp5544332211-TESTef04",
  processKey: "sk-ant-api03-FAKEprocesskeyMmNnBbVvCcXxZzLlKkJjHhGg6677889900-TESTpk05",
  openaiKey: "sk-proj-FAKEopenaikeyQwErTyUiOpAsDfGhJkLzXcVbNm13579-TESTok06",
  routerToken: "sk-or-v1-FAKErouterTokenPlOkIjUhYgTfRdEsWaQz24680135-TESTrt07",
  workToken: "sk-ant-oat01-FAKEworkagentTokenAzSxDcFvGbHnJmKlQwErTyUiOp1122334455667788-TESTwt08"
} as const

const ANSI = /\u001b\[/

export const expectNoAnsi = (text: string): void => {
  expect(ANSI.test(text), `no ANSI escapes in: ${JSON.stringify(text.slice(0, 200))}`).toBe(false)
}

/** No stack frames, no error class names, no `Error:` dumps. */
export const expectNoInternals = (text: string): void => {
  expect(text).not.toMatch(/^\s+at\s/m)
  expect(text).not.toContain("    at ")
  expect(text).not.toMatch(/[A-Za-z]*Error:/)
  expect(text).not.toMatch(/\b[A-Z][A-Za-z]*Error\b/)
  expect(text).not.toMatch(/\b_tag\b|\[cause\]|node:internal|internal error/)
}

/** Neither the whole secret nor any 12-character slice of its secret part, in any output of any run. */
export const expectNoSecrets = (runs: ReadonlyArray<Pick<Outcome, "args" | "stdout" | "stderr">>, secrets: ReadonlyArray<string>): void => {
  expect(runs.length).toBeGreaterThan(0)
  expectNoLeak(outputsOf(runs), secrets)
}

/** `{ version: 1, profiles }` as §3.1 writes it. */
export const storeJson = (profiles: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
  `${JSON.stringify({ version: 1, profiles, ...extra }, null, 2)}\n`
