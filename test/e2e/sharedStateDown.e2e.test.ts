/**
 * §10 "degraded, not down" from the CLI's side, with no Redis at all (a closed loopback port): the commands that
 * read shared state still answer from this host's files, `--json` stays JSON on stdout, and stderr has one line
 * saying what happened and what to check — never the URL's password. Effect's default logger once wrote that
 * warning as logfmt to stdout, in front of the JSON.
 */
import { describe, expect, it } from "vitest"
import { closedPort } from "../support/fakeProviders.js"
import { useSandboxes } from "../support/Sandbox.js"

const newSandbox = useSandboxes()

describe("gateway.state on Redis that cannot be reached (built binary)", () => {
  it("models status --json and auth list --json: JSON on stdout, one warning line on stderr, no password", async () => {
    const s = await newSandbox("redis-down")
    const password = "pw-FAKE-redis-Zq7xK2mN9"
    await s.write(s.config, `{ gateway: { state: { backend: "redis", url: "\${OPENCLAW_REDIS_URL}" } } }\n`)
    await s.write(`${s.state}/.env`, `OPENCLAW_REDIS_URL=redis://:${password}@127.0.0.1:${await closedPort()}/0\n`)
    const added = await s.run(["models", "auth", "paste-api-key", "--provider", "openai"], { input: "sk-proj-FAKEkeyForRedisDownTest0123456789abcd\n" })
    expect(added.code, added.stderr).toBe(0)
    for (const args of [["models", "status", "--json"], ["models", "auth", "list", "--json"]]) {
      const r = await s.run(args)
      expect(r.code, r.stderr).toBe(0)
      expect(() => JSON.parse(r.stdout), r.stdout.slice(0, 200)).not.toThrow()
      expect(r.stdout).toContain("openai:default")
      expect(r.stderr).toMatch(/^openclaw: warning: shared state \(Redis\) unreachable, serving from this host's state: .*\. Fix: check gateway\.state\.url[^\n]*\n$/)
      expect(r.stdout + r.stderr).not.toContain(password)
    }
  })
})
