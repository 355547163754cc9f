/**
 * §10: `rediss://` with a password, against a real `redis-server` listening with TLS only and `requirepass`; the URL
 * comes from a SecretRef (env). The CLI that reads shared state connects without a word when the server's
 * certificate is trusted (NODE_EXTRA_CA_CERTS); untrusted, or with a wrong password, it says so in one warning
 * line and answers from this host's files — and the password is never printed.
 */
import { type ChildProcess, execFileSync } from "node:child_process"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { closedPort } from "../support/fakeProviders.js"
import { hasRedis, startRedis } from "../support/Redis.js"
import { useSandboxes } from "../support/Sandbox.js"
import { scaled } from "../support/Timing.js"

const have = (command: string, args: ReadonlyArray<string>) => {
  try {
    execFileSync(command, args, { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}
const ready = hasRedis && have("openssl", ["version"])

const newSandbox = useSandboxes()
let redis: ChildProcess | undefined
afterAll(() => void redis?.kill("SIGKILL"))

describe.skipIf(!ready)("gateway.state over rediss:// with a password (real redis-server, TLS only)", () => {
  it("trusted: silent; untrusted certificate or wrong password: one warning, answers from local state; no password shown", async () => {
    const s = await newSandbox("rediss")
    const cert = path.join(s.home, "cert.pem")
    const key = path.join(s.home, "key.pem")
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" })
    const port = await closedPort()
    const password = "pw-FAKE-redis-Tls9qXv3Lm"
    redis = await startRedis(port, { tls: { cert, key }, password })
    await s.write(s.config, `{ gateway: { state: { backend: "redis", url: { source: "env", provider: "default", id: "REDIS_URL" } } } }\n`)
    const added = await s.run(["models", "auth", "paste-api-key", "--provider", "openai"], { input: "sk-proj-FAKEkeyForRedisTlsTest0123456789abcd\n" })
    expect(added.code, added.stderr).toBe(0)
    const status = (url: string, extra: Record<string, string> = {}) => s.run(["models", "status", "--json"], { env: { REDIS_URL: url, ...extra } })
    const good = `rediss://:${password}@127.0.0.1:${port}/0`

    const trusted = await status(good, { NODE_EXTRA_CA_CERTS: cert })
    expect(trusted.code, trusted.stderr).toBe(0)
    expect(trusted.stderr, "connected over TLS with the password: nothing to say").toBe("")
    expect(JSON.parse(trusted.stdout).auth.providers.map((p: { provider: string }) => p.provider)).toContain("openai")

    const untrusted = await status(good)
    expect(untrusted.code).toBe(0)
    expect(untrusted.stderr).toMatch(/^openclaw: warning: shared state \(Redis\) unreachable, serving from this host's state: .*certificate.*\n$/)
    expect(() => JSON.parse(untrusted.stdout)).not.toThrow()

    const wrong = await status(`rediss://:wrong-${password}@127.0.0.1:${port}/0`, { NODE_EXTRA_CA_CERTS: cert })
    expect(wrong.code).toBe(0)
    // Not "unreachable": the server answered and refused the password, so the fix is the credentials, not the server.
    expect(wrong.stderr).toMatch(/^openclaw: warning: shared state \(Redis\) refused the credentials of gateway\.state\.url, serving from this host's state: .*WRONGPASS.*\. Fix: check the user name and password in gateway\.state\.url[^\n]*\n$/)
    for (const r of [trusted, untrusted, wrong]) expect(r.stdout + r.stderr).not.toContain(password)
  }, scaled(30_000))
})
