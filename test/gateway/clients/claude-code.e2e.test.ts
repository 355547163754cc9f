/**
 * Claude Code itself through the built gateway (§8.2, issue #13): `claude -p … --output-format json` with
 * ANTHROPIC_BASE_URL = the gateway and the gateway token as its credential, against the fake Anthropic provider.
 * The answer arrives and the provider saw the chosen profile's key (never the gateway token); a tool-use turn
 * (Claude Code runs Bash and sends the tool_result back) completes; with the first profile answering 429 the
 * second serves it and the first is in cooldown, as `openclaw models status --json` shows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { maskSecret } from "../../../src/domain/Mask.js"
import { runClaude } from "../../support/ClaudeCode.js"
import { reply } from "../../support/fakeProviders.js"
import { type GatewayProcess, startGatewayProcess } from "../../support/GatewayProcess.js"
import { GATEWAY_TOKEN, GatewayHome, KEYS } from "../harness.js"
import { ANTHROPIC_MODEL } from "./support.js"

let home: GatewayHome
let gw: GatewayProcess
let claudeHome: string
let project: string

beforeAll(async () => {
  home = await GatewayHome.make({
    token: true,
    store: {
      version: 1,
      profiles: {
        "anthropic:a": { type: "api_key", provider: "anthropic", key: KEYS.a },
        "anthropic:b": { type: "api_key", provider: "anthropic", key: KEYS.b }
      },
      order: { anthropic: ["anthropic:a", "anthropic:b"] }
    },
    config: {
      agents: { defaults: { model: { primary: `anthropic/${ANTHROPIC_MODEL}`, fallbacks: [] }, models: { [`anthropic/${ANTHROPIC_MODEL}`]: { alias: "opus" } } } }
    }
  })
  claudeHome = await home.mkdir("claude-home")
  project = await home.mkdir("project")
  gw = await startGatewayProcess({ cwd: home.home, env: home.env() })
})
afterAll(async () => {
  await gw?.stop()
  await home?.cleanup()
})

const claude = (prompt: string, options: { apiKey?: boolean; args?: ReadonlyArray<string> } = {}) =>
  runClaude({
    baseUrl: gw.url,
    ...(options.apiKey ? { apiKey: GATEWAY_TOKEN } : { authToken: GATEWAY_TOKEN }),
    prompt,
    home: claudeHome,
    cwd: project,
    args: ["--model", ANTHROPIC_MODEL, ...(options.args ?? [])]
  })

/** Claude Code's own output must not carry a secret either. */
const expectClean = (text: string) => {
  for (const secret of [KEYS.a, KEYS.b]) expect(text).not.toContain(secret.slice(-16))
}

describe("Claude Code through the gateway", () => {
  it("the answer arrives; the provider saw the first profile's key and Claude Code's own headers, not the gateway token", async () => {
    home.fake.reset()
    home.fake.script("*", [reply.ok("PONG through the gateway")])
    const run = await claude("Say pong.")
    expect(run.json, run.outcome.stdout + run.outcome.stderr).toMatchObject({ type: "result", is_error: false, result: "PONG through the gateway" })
    expect(run.outcome.code).toBe(0)
    expectClean(run.outcome.stdout + run.outcome.stderr)

    expect(home.fake.requests).toHaveLength(1)
    const [seen] = home.fake.requests
    expect(seen!.path).toBe("/v1/messages")
    expect(seen!.credential).toBe(maskSecret(KEYS.a))
    expect(seen!.headers["x-api-key"]).toBe(maskSecret(KEYS.a))
    expect(seen!.headers.authorization).toBeUndefined()
    expect(JSON.stringify(seen!.headers)).not.toContain(maskSecret(GATEWAY_TOKEN))
    // Claude Code's version and betas pass through (§8.2).
    expect(seen!.headers["anthropic-version"]).toBe("2023-06-01")
    expect(seen!.headers["anthropic-beta"]!.split(",")).toContain("claude-code-20250219")
    expect(seen!.body).toMatchObject({ model: ANTHROPIC_MODEL, stream: true })
  })

  it("a tool-use turn: the provider asks for Bash, Claude Code runs it and the tool_result reaches the provider (x-api-key to the gateway)", async () => {
    home.fake.reset()
    home.fake.script("*", [
      reply.toolCalls([{ id: "toolu_gateway_1", name: "Bash", input: { command: "echo $((6*7))-via-gateway", description: "Print a number" } }]),
      reply.ok("The command printed 42.")
    ])
    const run = await claude("Run the command.", { apiKey: true, args: ["--allowedTools", "Bash"] })
    expect(run.json, run.outcome.stdout + run.outcome.stderr).toMatchObject({ is_error: false, result: "The command printed 42.", num_turns: 2 })

    expect(home.fake.requests.map((r) => `${r.path} ${r.status}`)).toEqual(["/v1/messages 200", "/v1/messages 200"])
    const messages = (home.fake.requests[1]!.body as { messages: Array<{ role: string; content: any }> }).messages
    expect(messages.at(-2)).toMatchObject({ role: "assistant", content: [{ type: "tool_use", id: "toolu_gateway_1", name: "Bash" }] })
    const result = messages.at(-1)!
    expect(result.content[0]).toMatchObject({ type: "tool_result", tool_use_id: "toolu_gateway_1", is_error: false })
    expect(JSON.stringify(result.content[0].content)).toContain("42-via-gateway")
  })

  it("the first profile answers 429: the second serves Claude Code, and the first is in cooldown (models status --json)", async () => {
    home.fake.reset()
    home.fake.script(KEYS.a, [reply.rateLimited(120)])
    home.fake.script(KEYS.b, [reply.ok("served by the second profile")])
    const run = await claude("Say something.")
    expect(run.json, run.outcome.stdout + run.outcome.stderr).toMatchObject({ is_error: false, result: "served by the second profile" })

    expect(home.fake.requests.map((r) => `${r.credential} ${r.status}`)).toEqual([`${maskSecret(KEYS.a)} 429`, `${maskSecret(KEYS.b)} 200`])
    const status = await home.run(["models", "status", "--json"])
    expect(status.code, status.stderr).toBe(0)
    const report = JSON.parse(status.stdout)
    expect(report.auth.unusableProfiles).toEqual([expect.objectContaining({ profileId: "anthropic:a", reason: "cooldown" })])
  })
})
