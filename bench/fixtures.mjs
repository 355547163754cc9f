// Generates the benchmark's state dirs: a small store and a large (10 agents × 100 profiles) store.
// Every secret is fake and says so ("FAKE"); the layout follows SPEC §2–§3. Deterministic apart from the
// timestamps, which are relative to `now` so that expiries and cooldowns mean the same thing on every run.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

/** mulberry32: a tiny seeded PRNG, so the large store is the same store on every run. */
const prng = (seed) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const hex = (rand, n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("")

const writeSecret = (path, text) => {
  writeFileSync(path, text, { mode: 0o600 })
  chmodSync(path, 0o600)
}

const mkdir700 = (dir) => mkdirSync(dir, { recursive: true, mode: 0o700 })

/** Secret shapes per provider, all containing FAKE. */
const KEY_PREFIX = {
  anthropic: "sk-ant-api03-FAKE",
  openai: "sk-proj-FAKE",
  openrouter: "sk-or-v1-FAKE",
  google: "AIzaFAKE",
  groq: "gsk_FAKE",
  mistral: "FAKE-mistral-",
  xai: "xai-FAKE",
  deepseek: "sk-FAKE-ds",
  together: "FAKE-together-"
}
const key = (provider, rand) => `${KEY_PREFIX[provider]}${hex(rand, 40)}`
const bearer = (provider, rand) =>
  provider === "anthropic" ? `sk-ant-oat01-FAKE${hex(rand, 60)}` : `FAKE-${provider}-pat-${hex(rand, 32)}`

/**
 * (a) Small store: one agent (`main`) with 6 profiles — api_key ×2, token with expires, token without
 * expires, oauth ×2 — a JSON5 config with a default model and a fallback, and `<state>/.env` with a key.
 * Nothing is expired or expiring, so `models status --check` should exit 0.
 */
export const writeSmallStore = (stateDir, now = Date.now()) => {
  const rand = prng(0x5eed_0001)
  const agentDir = join(stateDir, "agents", "main", "agent")
  mkdir700(agentDir)
  const store = {
    version: 1,
    profiles: {
      "anthropic:default": { type: "api_key", provider: "anthropic", key: key("anthropic", rand) },
      "anthropic:work": {
        type: "token",
        provider: "anthropic",
        token: bearer("anthropic", rand),
        expires: now + 300 * DAY,
        email: "work@example.invalid"
      },
      "openrouter:manual": { type: "token", provider: "openrouter", token: `sk-or-v1-FAKE${hex(rand, 48)}` },
      "openai:default": { type: "api_key", provider: "openai", key: key("openai", rand) },
      "openai:codex": {
        type: "oauth",
        provider: "openai",
        access: `FAKE-access-${hex(rand, 48)}`,
        refresh: `FAKE-refresh-${hex(rand, 48)}`,
        expires: now + 10 * DAY,
        email: "me@example.invalid",
        accountId: "acct_FAKE"
      },
      "google:default": {
        type: "oauth",
        provider: "google",
        access: `ya29.FAKE${hex(rand, 48)}`,
        refresh: `1//FAKE${hex(rand, 40)}`,
        expires: now + 30 * DAY
      }
    },
    order: { anthropic: ["anthropic:work", "anthropic:default"] },
    lastGood: { anthropic: "anthropic:work" }
  }
  writeSecret(join(agentDir, "auth-profiles.json"), JSON.stringify(store, null, 2) + "\n")
  writeSecret(
    join(stateDir, "openclaw.json"),
    `// openclaw config (benchmark fixture: small store)
{
  agents: {
    defaults: {
      model: {
        primary: "anthropic/claude-sonnet-4-5",
        fallbacks: ["openrouter/anthropic/claude-sonnet-4-5"], // trailing comma, JSON5
      },
      models: { "anthropic/claude-opus-4-5": { alias: "opus" } },
    },
    list: [{ id: "main", default: true }],
  },
  auth: {
    profiles: { "anthropic:work": { provider: "anthropic", mode: "token" } },
  },
  gateway: { port: 18789, bind: "loopback" },
}
`
  )
  writeSecret(join(stateDir, ".env"), `# daemon env (benchmark fixture)\nGROQ_API_KEY=gsk_FAKE${hex(rand, 40)}\n`)
  return { profiles: 6, agents: ["main"] }
}

const LARGE_PROVIDERS = ["anthropic", "openai", "openrouter", "google", "groq", "mistral", "xai", "deepseek", "together"]
const FAILURES = ["rate_limit", "timeout", "auth", "unknown"]

/** One agent's store of `count` profiles over LARGE_PROVIDERS, with usageStats, order and lastGood. */
const largeAgentStore = (agentIndex, count, now) => {
  const rand = prng(0x1a46e000 + agentIndex)
  const profiles = {}
  const usageStats = {}
  const byProvider = new Map(LARGE_PROVIDERS.map((p) => [p, []]))
  for (let i = 0; i < count; i++) {
    const provider = LARGE_PROVIDERS[i % LARGE_PROVIDERS.length]
    const id = `${provider}:p${String(i).padStart(3, "0")}`
    const kind = i % 5 // 0,1: api_key; 2: token with expires; 3: token without; 4: oauth
    const email = i % 3 === 0 ? `user${i}@example.invalid` : undefined
    let credential
    if (kind <= 1) credential = { type: "api_key", provider, key: key(provider, rand) }
    else if (kind === 2)
      credential = { type: "token", provider, token: bearer(provider, rand), expires: now + (20 + Math.floor(rand() * 300)) * DAY }
    else if (kind === 3) credential = { type: "token", provider, token: bearer(provider, rand) }
    else
      credential = {
        type: "oauth",
        provider,
        access: `FAKE-access-${hex(rand, 40)}`,
        refresh: `FAKE-refresh-${hex(rand, 40)}`,
        expires: now + (2 + Math.floor(rand() * 60)) * DAY,
        accountId: `acct_FAKE_${i}`
      }
    if (email) credential.email = email
    profiles[id] = credential
    byProvider.get(provider).push(id)

    // usageStats on ~60% of profiles; a quarter of those in cooldown, a few disabled for billing.
    const r = rand()
    if (r < 0.6) {
      const stats = { lastUsed: now - Math.floor(rand() * 7 * DAY) }
      if (r < 0.15) {
        const reason = FAILURES[Math.floor(rand() * FAILURES.length)]
        const n = 1 + Math.floor(rand() * 3)
        Object.assign(stats, {
          cooldownUntil: now + (5 + Math.floor(rand() * 55)) * MIN,
          errorCount: n,
          failureCounts: { [reason]: n },
          lastFailureAt: now - Math.floor(rand() * 10) * MIN
        })
      } else if (r < 0.2) {
        Object.assign(stats, {
          disabledUntil: now + (1 + Math.floor(rand() * 20)) * HOUR,
          disabledReason: "billing",
          errorCount: 1,
          failureCounts: { billing: 1 },
          lastFailureAt: now - 30 * MIN
        })
      } else if (r < 0.3) {
        // An old, expired cooldown: usable again.
        Object.assign(stats, { cooldownUntil: now - 2 * HOUR, errorCount: 1, failureCounts: { timeout: 1 }, lastFailureAt: now - 3 * HOUR })
      }
      usageStats[id] = stats
    }
  }
  // Order overrides for three providers (reversed, with a stale id that no longer exists), lastGood for all.
  const order = {}
  for (const provider of ["anthropic", "openai", "openrouter"]) {
    order[provider] = [...byProvider.get(provider)].reverse().slice(0, 8).concat([`${provider}:removed-long-ago`])
  }
  const lastGood = {}
  for (const [provider, ids] of byProvider) lastGood[provider] = ids[Math.floor(rand() * ids.length)]
  return { version: 1, profiles, order, lastGood, usageStats }
}

/**
 * (b) Large store: 10 agents (`main`, `a1`…`a9`) declared in `agents.list`, each with its own 100-profile
 * store (1,000 profiles in all). `main` has one token expiring within 24 h (so `--check` exits 2); `a9`
 * has an expired one (exit 1).
 */
export const writeLargeStore = (stateDir, now = Date.now(), perAgent = 100) => {
  const agents = ["main", ...Array.from({ length: 9 }, (_, i) => `a${i + 1}`)]
  let total = 0
  agents.forEach((agentId, index) => {
    const agentDir = join(stateDir, "agents", agentId, "agent")
    mkdir700(agentDir)
    const store = largeAgentStore(index, perAgent, now)
    // anthropic:p027 is an anthropic token with `expires` (i ≡ 0 mod 9, i ≡ 2 mod 5).
    const pinned = store.profiles["anthropic:p027"]
    if (pinned?.type !== "token" || pinned.provider !== "anthropic") throw new Error("fixture layout changed: anthropic:p027")
    if (agentId === "main") pinned.expires = now + 6 * HOUR
    if (agentId === "a9") pinned.expires = now - 2 * DAY
    total += Object.keys(store.profiles).length
    writeSecret(join(agentDir, "auth-profiles.json"), JSON.stringify(store, null, 2) + "\n")
  })
  const list = agents
    .map((id) => (id === "main" ? `    { id: "main", default: true },` : `    { id: "${id}", agentDir: "~/.openclaw/agents/${id}/agent" },`))
    .join("\n")
  writeSecret(
    join(stateDir, "openclaw.json"),
    `// openclaw config (benchmark fixture: large store)
{
  env: { vars: { TOGETHER_API_KEY: "FAKE-together-env-${"0".repeat(24)}" } },
  auth: {
    profiles: {
      "anthropic:p027": { provider: "anthropic", mode: "token" },
      "google:p003": { provider: "google", mode: "api_key" }, // stored as a token: unusable, reported
    },
    order: { groq: ["groq:p004", "groq:p013", "groq:p022"] },
    cooldowns: { billingBackoffHours: 5, billingMaxHours: 24, failureWindowHours: 24 },
  },
  agents: {
    defaults: {
      model: {
        primary: "anthropic/claude-sonnet-4-5",
        fallbacks: ["openai/gpt-5", "openrouter/anthropic/claude-sonnet-4-5", "groq/llama-3.3-70b"],
      },
      models: { "anthropic/claude-opus-4-5": { alias: "opus" } },
    },
    list: [
${list}
    ],
  },
  gateway: { port: 18789, bind: "loopback" },
}
`
  )
  writeSecret(join(stateDir, ".env"), `OPENAI_API_KEY=sk-proj-FAKE${"1".repeat(40)}\n`)
  return { profiles: total, agents }
}

/**
 * (c) Scale store: one agent (`main`) holding `count` profiles (20,000 by default, ~5.7 MB) laid out like one
 * agent of the large store (9 providers, usageStats, order overrides, lastGood); the same config shape, with one
 * agent. Issue 12: `auth list --json` and `models status` must stay linear in the number of profiles.
 */
export const writeScaleStore = (stateDir, now = Date.now(), count = 20_000) => {
  const agentDir = join(stateDir, "agents", "main", "agent")
  mkdir700(agentDir)
  const store = largeAgentStore(0, count, now)
  writeSecret(join(agentDir, "auth-profiles.json"), JSON.stringify(store, null, 2) + "\n")
  writeSecret(
    join(stateDir, "openclaw.json"),
    `// openclaw config (benchmark fixture: scale store)
{
  auth: {
    profiles: { "anthropic:p027": { provider: "anthropic", mode: "token" } },
    order: { groq: ["groq:p004", "groq:p013", "groq:p022"] },
  },
  agents: {
    defaults: { model: { primary: "anthropic/claude-sonnet-4-5", fallbacks: ["openai/gpt-5", "groq/llama-3.3-70b"] } },
    list: [{ id: "main", default: true }],
  },
}
`
  )
  return { profiles: Object.keys(store.profiles).length, agents: ["main"] }
}

/** A fresh temp root holding `home/` (HOME) with `home/.openclaw` (OPENCLAW_STATE_DIR). */
export const makeFixtureHome = (name) => {
  const root = mkdtempSync(join(tmpdir(), `openclaw-bench-${name}-`))
  const home = join(root, "home")
  const stateDir = join(home, ".openclaw")
  mkdir700(stateDir)
  return { root, home, stateDir }
}
