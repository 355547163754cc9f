/**
 * #15 item 6: every command that edits `openclaw.json` keeps the user's JSON5 as written. A hand-edited config goes
 * through paste-api-key, order set, onboard, doctor --fix and secrets apply; after each, a line diff against the
 * text before shows only the values that changed.
 */
import { describe, expect, it } from "@effect/vitest"
import JSON5 from "json5"
import { ScriptedPrompter } from "./support/FakeInteraction.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { CONFIG, runCli, STORE } from "./support/TestApp.js"

const OPENAI_KEY = "sk-proj-FAKE" + "o".repeat(40) + "OAK1"
const ANTHROPIC_KEY = "sk-ant-api03-FAKE" + "k".repeat(40) + "KEY7"
const PLAN = "/work/plan.json"

const ORIGINAL = `// OpenClaw config, edited by hand
{
  /* defaults for every agent */
  agents: {
    defaults: {
      model: {
        primary: 'anthropic/claude-opus-4-6', // the good one
        fallbacks: [
          'openrouter/x',
          "groq/y",   // cheap
        ],
      },
    },
  },
     gateway: { port: 18789,   mode: 'local' },   // odd indentation
  auth: {
    profiles: {
      'anthropic:work': { provider: 'anthropic', mode: 'token' },
    },
    order: {
      openai: [],
    },
  },
  models: {
    providers: {
      openai: {
        baseUrl: 'https://api.openai.com/v1',
        apiKey: '${OPENAI_KEY}', // to move into a ref
      },
    },
  },
}
`

/** Lines of `after` not in `before` as `+`, lines of `before` gone as `-`, in order (a plain LCS line diff). */
const lineDiff = (before: string, after: string): Array<string> => {
  const a = before.split("\n")
  const b = after.split("\n")
  const lcs = a.map(() => new Array<number>(b.length + 1).fill(0))
  lcs.push(new Array<number>(b.length + 1).fill(0))
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
  const out: Array<string> = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) (i++, j++)
    else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) out.push(`+${b[j++]}`)
    else out.push(`-${a[i++]}`)
  }
  return out
}

describe("openclaw.json edits keep the user's JSON5", () => {
  it("paste-api-key, order set, onboard, doctor --fix and secrets apply change only their values", async () => {
    const fs = new MemoryFs({
      [CONFIG]: { content: ORIGINAL, mode: 0o600 },
      [STORE]: { content: JSON.stringify({ version: 1, profiles: { "anthropic:work": { type: "api_key", provider: "anthropic", key: ANTHROPIC_KEY } } }), mode: 0o600 }
    })
    const steps: Array<{ name: string; diff: Array<string> }> = []
    const step = async (name: string, args: ReadonlyArray<string>, world: Omit<Parameters<typeof runCli>[1], "fs"> = {}) => {
      const before = fs.read(CONFIG)!
      const r = await runCli(args, { fs, ...world })
      expect(r.stderr, name).toBe("")
      steps.push({ name, diff: lineDiff(before, fs.read(CONFIG)!) })
      return r
    }
    await step("paste-api-key", ["models", "auth", "paste-api-key", "--provider", "openai"], { prompter: new ScriptedPrompter({ secrets: [OPENAI_KEY] }) })
    await step("order set", ["models", "auth", "order", "set", "--provider", "anthropic", "anthropic:work"])
    await step("onboard", ["onboard", "--non-interactive", "--auth-choice", "api-key", "--provider", "openai", "--api-key", OPENAI_KEY, "--model", "openai/gpt-4.1"])
    await step("doctor --fix", ["doctor", "--fix"])
    fs.put(PLAN, JSON.stringify({
      version: 1,
      protocolVersion: 1,
      providerUpserts: { shell: { source: "env" } },
      targets: [{ type: "models.providers.apiKey", path: "models.providers.openai.apiKey", providerId: "openai", ref: { source: "env", provider: "default", id: "OPENAI_KEY_V2" } }]
    }))
    await step("secrets apply", ["secrets", "apply", "--from", PLAN], { vars: { OPENAI_KEY_V2: OPENAI_KEY } })
    await step("logout", ["models", "auth", "logout", "--profile-id", "openai:default"])
    expect(steps).toEqual([
      {
        name: "paste-api-key",
        diff: ["+      'openai:default': { provider: 'openai', mode: 'api_key' },", "+      openai: ['openai:default'],", "-      openai: [],"]
      },
      // the order override lives in the agent's store (§3.2): the config is not touched at all
      { name: "order set", diff: [] },
      {
        name: "onboard",
        diff: ["+        primary: 'openai/gpt-4.1', // the good one", "-        primary: 'anthropic/claude-opus-4-6', // the good one"]
      },
      {
        name: "doctor --fix",
        diff: ["+      'anthropic:work': { provider: 'anthropic', mode: 'api_key' },", "-      'anthropic:work': { provider: 'anthropic', mode: 'token' },"]
      },
      {
        name: "secrets apply",
        diff: [
          "+        apiKey: { source: 'env', provider: 'default', id: 'OPENAI_KEY_V2' }, // to move into a ref",
          `-        apiKey: '${OPENAI_KEY}', // to move into a ref`,
          "+  secrets: {",
          "+    providers: {",
          "+      shell: {",
          "+        source: 'env'",
          "+      }",
          "+    }",
          "+  },"
        ]
      },
      {
        name: "logout",
        diff: ["-      'openai:default': { provider: 'openai', mode: 'api_key' },", "-      openai: ['openai:default'],"]
      }
    ])
    expect(JSON5.parse(fs.read(CONFIG)!)).toEqual({
      agents: { defaults: { model: { primary: "openai/gpt-4.1", fallbacks: ["openrouter/x", "groq/y"] } } },
      gateway: { port: 18789, mode: "local" },
      auth: { profiles: { "anthropic:work": { provider: "anthropic", mode: "api_key" } }, order: {} },
      models: { providers: { openai: { baseUrl: "https://api.openai.com/v1", apiKey: { source: "env", provider: "default", id: "OPENAI_KEY_V2" } } } },
      secrets: { providers: { shell: { source: "env" } } }
    })
    expect(fs.read(CONFIG)).not.toContain(OPENAI_KEY)
  })
})
