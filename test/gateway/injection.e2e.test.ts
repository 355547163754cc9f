/**
 * §11 log and reply injection through the built gateway: a hostile profile id and email in the store and a
 * provider error message full of control characters. Every log message stays one line with no raw control
 * character, and the `/model status` reply shows the id and email escaped.
 */
import { afterEach, describe, expect, it } from "vitest"
import { reply } from "../support/fakeProviders.js"
import { type GatewayProcess, startGatewayProcess } from "../support/GatewayProcess.js"
import { GatewayHome, KEYS } from "./harness.js"

/** A forged line (LF), SGR and OSC sequences, BEL, CR, a C1 CSI, DEL, U+2028. */
const HOSTILE = "evil\nFORGED line\u001b[5;41m\u001b]0;pwned\u0007\rTAKEOVER\u009b2J\u007f\u2028end"
const ID = `anthropic:${HOSTILE}`
const EMAIL = `me\r\nFORGED mail\u001b[2J@example.com`
const PROVIDER_MESSAGE = "bad key\nFORGED provider\u001b[31m\u0007\rINFO fake line"

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/
/** One log line: ISO time, level, message. */
const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO |WARN |ERROR|FATAL|TRACE) /

let home: GatewayHome | undefined
let gw: GatewayProcess | undefined
afterEach(async () => {
  await gw?.kill()
  await home?.cleanup()
  gw = home = undefined
})

const chat = (content: string) =>
  fetch(`${gw!.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-openclaw-session-key": "injection" },
    body: JSON.stringify({ model: "openclaw", messages: [{ role: "user", content }] })
  })

describe("hostile text through the gateway (§11)", () => {
  it("log lines stay single lines with no raw control character; /model status shows ids and emails escaped", { timeout: 120_000 }, async () => {
    home = await GatewayHome.make({
      store: {
        version: 1,
        profiles: {
          // An id with control characters is skipped at load and reported (§11); it must not disturb anything.
          [ID]: { type: "api_key", provider: "anthropic", key: KEYS.b },
          "anthropic:first": { type: "api_key", provider: "anthropic", key: KEYS.a },
          "anthropic:mail": { type: "token", provider: "anthropic", token: KEYS.work, email: EMAIL }
        },
        order: { anthropic: ["anthropic:first", "anthropic:mail"] }
      }
    })
    home.fake.script(KEYS.a, [reply.error(401, { message: PROVIDER_MESSAGE }), reply.error(401, { message: PROVIDER_MESSAGE })])
    gw = await startGatewayProcess({ cwd: home.home, env: home.env() })

    // Served by the second profile after the first failed with the hostile message.
    const served = await chat("hello")
    expect(served.status).toBe(200)
    expect(home.fake.countFor(KEYS.a)).toBeGreaterThan(0)

    const status = await chat("/model status")
    expect(status.status).toBe(200)
    const text = ((await status.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content
    expect(RAW_CONTROL.exec(text), JSON.stringify(text)).toBeNull()
    expect(text).toContain("me\\r\\nFORGED mail\\x1b[2J@example.com")
    // The provider's message is there too, as the profile's last error, escaped on its one line.
    expect(text).toContain("last error <1m ago: auth — anthropic request failed (HTTP 401): bad key\\nFORGED provider\\x1b[31m\\x07\\rINFO fake line")
    for (const line of text.split("\n")) if (line.includes("FORGED")) expect(line).toMatch(/(evil|me\\r|bad key)\\nFORGED/)

    await gw.stop()
    const log = gw.output()
    expect(RAW_CONTROL.exec(log), JSON.stringify(log.slice(0, 2000))).toBeNull()
    const lines = log.split("\n").filter((l) => l !== "")
    for (const line of lines) expect(line, JSON.stringify(log.slice(0, 2000))).toMatch(LOG_LINE)
    expect(lines.some((l) => l.includes("anthropic:first"))).toBe(true)
  })
})
