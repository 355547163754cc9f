// A reference for the 20,000-profile `models auth list --json` case (bench/run.mjs): the least a Node program can do
// for the same answer. It reads and parses the same store, makes one row per profile with the same fields (secret
// masked to its last four characters) and pretty-prints them to stdout, as the CLI does. It skips everything the CLI
// owes its users on top (§11 structure checks, decoding and validating each credential, secret registration and
// scrubbing of the output, order and cooldown rules, paced output): the difference between the two is the price of
// that work plus the CLI's own start-up, measured in the same rounds.
"use strict"
const fs = require("node:fs")
const path = require("node:path")

const storePath = path.join(process.env.HOME, ".openclaw", "agents", "main", "agent", "auth-profiles.json")
const store = JSON.parse(fs.readFileSync(storePath, "latin1"))
const now = Date.now()
const stats = store.usageStats ?? {}
const mask = (s) => (typeof s === "string" ? `…${s.slice(-4)}` : null)
const profiles = Object.entries(store.profiles ?? {}).map(([profileId, c]) => {
  const until = Math.max(stats[profileId]?.cooldownUntil ?? 0, stats[profileId]?.disabledUntil ?? 0)
  const expiresAt = typeof c.expires === "number" ? c.expires : null
  return {
    profileId,
    provider: c.provider,
    type: c.type,
    secret: mask(c.key ?? c.token ?? c.access),
    refResolved: null,
    email: c.email ?? null,
    status: expiresAt === null ? "static" : expiresAt > now ? "ok" : "expired",
    expiresAt,
    remainingMs: expiresAt === null ? null : expiresAt - now,
    unavailable: until > now ? { reason: "cooldown", until } : null
  }
})
// A reader that stops early (`| head`) is not an error here, as it is not for the CLI.
process.stdout.on("error", () => process.exit(0))
process.stdout.write(`${JSON.stringify({ agentId: "main", storePath, now, profiles, skipped: [] }, null, 2)}\n`)
