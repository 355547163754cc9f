/**
 * §11 terminal injection, end to end: ids, emails and reasons from a hostile store reach stdout/stderr of the built
 * binary only escaped — no raw control byte but the program's own line breaks (and, with colour on, its own SGR
 * colours), and no line the store forged.
 */
import { describe, expect, it } from "vitest"
import type { Outcome } from "../support/Child.js"
import { useSandboxes } from "../support/Sandbox.js"
import { HOUR, SECRETS, storeJson } from "./harness.js"

const newHome = useSandboxes()

/** Every hostile kind at once: a forged line (LF), SGR and OSC sequences, BEL, CR, a C1 CSI, DEL, U+2028. */
const HOSTILE = "evil\nFORGED line\u001b[5;41m\u001b]0;pwned\u0007\rTAKEOVER\u009b2J\u007f\u2028end"
const ID = `anthropic:${HOSTILE}`
const EMAIL = `me\r\nFORGED mail\u001b[2J@example.com`

const hostileStore = () =>
  storeJson({
    [ID]: { type: "token", provider: "anthropic", token: SECRETS.token, expires: Date.now() + 48 * HOUR },
    "anthropic:mail": { type: "oauth", provider: "anthropic", access: SECRETS.token2, refresh: "FAKErefresh-escape-TEST", expires: Date.now() + 48 * HOUR, email: EMAIL }
  })

/** Our own colours (render/Style.ts) are the only escape sequences a colour run may hold. */
const OWN_SGR = /\u001b\[(?:1|2|22|31|32|33|39)m/g
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/

const expectClean = (r: Outcome, colour: boolean) => {
  for (const [name, text] of [["stdout", r.stdout], ["stderr", r.stderr]] as const) {
    const rest = colour ? text.replace(OWN_SGR, "") : text
    const raw = RAW_CONTROL.exec(rest)
    expect(raw, `${r.args.join(" ")}: raw control ${JSON.stringify(raw?.[0])} on ${name}: ${JSON.stringify(text.slice(0, 400))}`).toBeNull()
    // No forged line: a FORGED marker only ever follows its escaped line break, on the line that quotes it.
    for (const line of text.split("\n")) {
      if (line.includes("FORGED")) expect(line, `${r.args.join(" ")} ${name}`).toMatch(/(evil|me\\r)\\nFORGED/)
    }
  }
}

describe("hostile text in the store reaches the terminal escaped (§11)", () => {
  it.each([
    ["models status", ["models", "status"]],
    ["models auth list", ["models", "auth", "list"]],
    ["doctor", ["doctor"]]
  ])("%s: no raw control character, no forged line, the id shown escaped", { timeout: 120_000 }, async (_, args) => {
    const home = await newHome("inj")
    await home.write(home.store, hostileStore())
    for (const colour of [false, true]) {
      const r = await home.run(args, { env: colour ? { FORCE_COLOR: "1" } : {} })
      expect(r.stdout + r.stderr).not.toBe("")
      expectClean(r, colour)
      if (!colour) expect(r.stdout + r.stderr).not.toContain("\u001b")
      if (args[0] !== "doctor") expect(r.stdout + r.stderr).toContain("evil\\nFORGED line\\x1b[5;41m\\x1b]0;pwned\\x07\\rTAKEOVER\\x9b2J\\x7f\\u2028end")
    }
  })

  it("models auth list shows the email escaped", { timeout: 120_000 }, async () => {
    const home = await newHome("inj")
    await home.write(home.store, hostileStore())
    const r = await home.run(["models", "auth", "list"])
    expectClean(r, false)
    expect(r.stdout).toContain("me\\r\\nFORGED mail\\x1b[2J@example.com")
  })

  it.each([
    ["models status --json", ["models", "status", "--json"]],
    ["models auth list --json", ["models", "auth", "list", "--json"]],
    ["doctor --json", ["doctor", "--json"]]
  ])("%s: JSON escapes by itself, parses, and keeps the id as it is", { timeout: 120_000 }, async (_, args) => {
    const home = await newHome("inj")
    await home.write(home.store, hostileStore())
    const r = await home.run(args)
    expectClean(r, false)
    expect(r.stdout).not.toContain("\u001b")
    const parsed: unknown = JSON.parse(r.stdout)
    if (args[0] !== "doctor") expect(JSON.stringify(parsed)).toContain(JSON.stringify(ID).slice(1, -1))
  })
})

describe("a profile's email with control characters is reported, not only escaped (§11)", () => {
  it.each([
    ["models status", ["models", "status"], "anthropic:mail: email contains a carriage return (a control character); it is shown escaped"],
    ["models status --json", ["models", "status", "--json"], '"reason": "email contains a carriage return (a control character); it is shown escaped"'],
    ["doctor", ["doctor"], "control-characters   profile anthropic:mail in "],
    ["doctor --json", ["doctor", "--json"], '"id": "control-characters"']
  ])("%s says which profile and how to fix it; no raw control character", { timeout: 120_000 }, async (_, args, said) => {
    const home = await newHome("inj")
    await home.write(home.store, hostileStore())
    const r = await home.run(args)
    expectClean(r, false)
    expect(r.stdout).not.toContain("\u001b")
    expect(r.stdout).toContain(said)
    expect(r.stdout).toContain("sign in again")
    if (args.includes("--json")) {
      const parsed = JSON.parse(r.stdout)
      const flagged = args[0] === "doctor" ? parsed.checks.filter((c: { id: string }) => c.id === "control-characters") : parsed.auth.flaggedProfiles
      expect(flagged).toHaveLength(1)
      expect(flagged[0]).toMatchObject(args[0] === "doctor" ? { status: "warn", subject: "anthropic:mail" } : { profileId: "anthropic:mail", field: "email" })
    }
  })
})
