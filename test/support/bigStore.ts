/**
 * Large auth stores for the scale tests: `count` profiles of every type, usage stats on most of them (cooldowns,
 * billing disables, expired cooldowns), order overrides and lastGood, config `auth.profiles` entries for some,
 * and `skipped` malformed entries. Deterministic; every secret is fake (holds `FAKE-`) and unique. `providers`: the
 * nine real ones only, or half the profiles each on a provider of its own, so that every per-provider step
 * meets thousands of providers.
 */
import { HOUR, NOW } from "./TestApp.js"

const REAL = ["anthropic", "openai", "openrouter", "google", "groq", "mistral", "xai", "deepseek", "together"]
// Real keys' public prefixes, which masks print (`sk-ant-api03-…wxyz`): text full of near-misses for a scrubber.
const KEY_PREFIX: Record<string, string> = { anthropic: "sk-ant-api03-", openai: "sk-proj-", openrouter: "sk-or-v1-", groq: "gsk_", xai: "xai-" }
const MIN = 60_000
const DAY = 24 * HOUR

export interface BigStore {
  readonly store: string
  /** Config `auth.profiles` entries (a share of the profiles, one that disagrees with the stored type). */
  readonly configProfiles: Record<string, { provider: string; mode: string }>
  readonly secrets: ReadonlyArray<string>
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0")

export interface BigStoreOptions {
  readonly providers: "few" | "many"
  /** Starts every profile id's name, so two agents' stores do not share ids. */
  readonly prefix?: string
  readonly skipped?: number
  readonly now?: number
}

export const bigStore = (count: number, options: BigStoreOptions): BigStore => {
  const now = options.now ?? NOW
  const prefix = options.prefix ?? "p"
  const profiles: Record<string, unknown> = {}
  const usageStats: Record<string, unknown> = {}
  const configProfiles: Record<string, { provider: string; mode: string }> = {}
  const byProvider = new Map<string, Array<string>>()
  const secrets: Array<string> = []
  for (let i = 0; i < count; i++) {
    const provider = options.providers === "many" && i % 2 === 1 ? `custom-${hex(i, 5)}` : REAL[i % REAL.length]!
    const id = `${provider}:${prefix}${hex(i, 5)}`
    const secret = `${KEY_PREFIX[provider] ?? "sk-"}FAKE-${prefix}-${hex(i * 7919, 8)}-${hex(i, 24)}${hex(count - i, 8)}`
    secrets.push(secret)
    const kind = i % 5
    const email = i % 3 === 0 ? { email: `user${i}@example.invalid` } : {}
    profiles[id] =
      kind <= 1
        ? { type: "api_key", provider, key: secret, ...email }
        : kind === 2
          ? { type: "token", provider, token: secret, expires: now + (1 + (i % 300)) * DAY, ...email }
          : kind === 3
            ? { type: "token", provider, token: secret, ...email }
            : { type: "oauth", provider, access: secret, refresh: `${secret}-refresh`, expires: now + (i % 60) * DAY - HOUR, ...email }
    if (kind === 4) secrets.push(`${secret}-refresh`)
    byProvider.set(provider, [...(byProvider.get(provider) ?? []), id])
    const r = i % 10
    if (r < 6) {
      usageStats[id] =
        r === 0
          ? { lastUsed: now - i * MIN, cooldownUntil: now + (5 + (i % 55)) * MIN, errorCount: 1, failureCounts: { rate_limit: 1 }, lastFailureAt: now - MIN }
          : r === 1
            ? { lastUsed: now - i * MIN, disabledUntil: now + (1 + (i % 20)) * HOUR, disabledReason: "billing", errorCount: 1, failureCounts: { billing: 1 } }
            : r === 2
              ? { lastUsed: now - i * MIN, cooldownUntil: now - 2 * HOUR, errorCount: 1, failureCounts: { timeout: 1 } }
              : { lastUsed: now - ((i * 7) % 1000) * MIN }
    }
    if (i % 50 === 7) configProfiles[id] = { provider, mode: kind <= 1 ? "api_key" : kind === 4 ? "oauth" : "token" }
  }
  // One config entry that disagrees with the stored type, and order overrides with a stale id.
  const first = Object.keys(profiles)[0]!
  configProfiles[first] = { provider: first.split(":")[0]!, mode: "oauth" }
  const order: Record<string, Array<string>> = {}
  const lastGood: Record<string, string> = {}
  let k = 0
  for (const [provider, ids] of byProvider) {
    if (k++ % 3 === 0) order[provider] = [...ids].reverse().concat([`${provider}:removed-long-ago`])
    lastGood[provider] = ids[ids.length >> 1]!
  }
  for (let i = 0; i < (options.skipped ?? 0); i++) profiles[`broken:${hex(i, 5)}`] = { type: "api_key", key: 42 }
  return { store: JSON.stringify({ version: 1, profiles, order, lastGood, usageStats }, null, 2), configProfiles, secrets }
}
