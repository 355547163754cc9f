/**
 * What Claude Code (the pinned @anthropic-ai/claude-code) sends, with ANTHROPIC_BASE_URL pointing straight at the
 * fake Anthropic provider — no gateway. This is the traffic the gateway's `/v1/messages` must take (§8.2), and the
 * proof that the fake answers the way Claude Code needs (its tool-use turn runs through the gateway in
 * claude-code.e2e). A Claude Code upgrade that changes any of it fails here first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { maskSecret } from "../../../src/domain/Mask.js"
import { runClaude } from "../../support/ClaudeCode.js"
import { type FakeProvider, reply, startFakeProvider } from "../../support/fakeProviders.js"
import { Sandbox } from "../../support/Sandbox.js"

const TOKEN = "gw-FAKE-claude-code-bearer-" + "c".repeat(32)
const MODEL = "claude-opus-4-6"

let fake: FakeProvider
let sandbox: Sandbox
let home: string
let project: string
beforeAll(async () => {
  // Any credential is accepted (no `credentials`): this test is about the wire, not about whose key it is.
  fake = await startFakeProvider()
  sandbox = await Sandbox.create("claude-wire")
  home = await sandbox.mkdir("claude-home")
  project = await sandbox.mkdir("project")
})
afterAll(async () => {
  await fake?.close()
  await sandbox?.cleanup()
})

describe("Claude Code against a fake Anthropic provider, directly", () => {
  it("one streamed POST /v1/messages?beta=true with the bearer token, the version and Claude Code's betas; nothing else", async () => {
    fake.script("*", [reply.ok("PONG from the fake", { id: "msg_wire_1" })])
    const run = await runClaude({ baseUrl: fake.url, authToken: TOKEN, prompt: "Say pong.", home, cwd: project, args: ["--model", MODEL] })
    expect(run.outcome.stderr).toBe("")
    expect(run.outcome.code).toBe(0)
    expect(run.json).toMatchObject({ type: "result", is_error: false, result: "PONG from the fake" })

    expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /v1/messages?beta=true"])
    const [req] = fake.requests
    expect(req!.headers).toMatchObject({
      authorization: `Bearer ${maskSecret(TOKEN)}`,
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
      "x-app": "cli"
    })
    expect(req!.headers["x-api-key"]).toBeUndefined()
    expect(req!.headers["anthropic-beta"]!.split(",")).toContain("claude-code-20250219")
    expect(req!.headers["user-agent"]).toMatch(/^claude-cli\/2\.1\.332 /)
    const body = req!.body as Record<string, any>
    expect(body).toMatchObject({ model: MODEL, stream: true })
    expect(body.max_tokens).toBeGreaterThan(0)
    // The parts a cross-shape translation has to face: system blocks with cache_control, tools, thinking, metadata.
    expect(Array.isArray(body.system)).toBe(true)
    expect(body.tools.map((t: { name: string }) => t.name)).toContain("Bash")
    expect(typeof body.metadata.user_id).toBe("string")
    expect(req!.raw.length).toBe(Number(req!.headers["content-length"]))
  })
})
