/**
 * `openclaw models auth login` through the built binary on a headless machine (no DISPLAY, stdin a pipe): the
 * user reads the printed URL, signs in "elsewhere" (the test follows the fake provider's redirect) and pastes the
 * address the browser ended on.
 */
import * as fs from "node:fs/promises"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { FakeOAuthServer, followAuthorize } from "../support/fakeOAuth.js"
import type { Outcome } from "../support/Child.js"
import { Sandbox } from "../support/Sandbox.js"
import { scaled } from "../support/Timing.js"
import { expectNoInternals, expectNoSecrets } from "./harness.js"

let fake: FakeOAuthServer
let home: Sandbox
beforeAll(async () => {
  fake = await FakeOAuthServer.start()
  home = await Sandbox.create()
})
afterAll(async () => {
  await fake.close()
  await home.cleanup()
})

/** Runs login; when the authorize URL shows up on stdout, answers with `answer(url)` on stdin. */
const login = async (args: ReadonlyArray<string>, answer: (authorizeUrl: string) => Promise<string>): Promise<Outcome> => {
  const { child, done } = home.start(["models", "auth", "login", ...args], { openStdin: true, timeoutMs: scaled(20_000) })
  let stdout = ""
  let answered = false
  let failed: unknown
  child.stdout!.on("data", (b: Buffer) => {
    stdout += b.toString()
    const url = stdout.split(/\s+/).find((w) => w.startsWith(fake.authorizeUrl))
    if (url && !answered && stdout.includes("paste it here")) {
      answered = true
      void answer(url).then(
        (text) => child.stdin!.end(`${text}\n`),
        (e) => {
          failed = e
          child.kill("SIGKILL")
        }
      )
    }
  })
  const outcome = await done
  if (failed !== undefined) throw failed
  return outcome
}

describe("models auth login on a headless machine (built binary)", () => {
  it("prints the URL, reads the pasted redirect URL from standard input, stores the oauth profile", async () => {
    await home.write(home.config, JSON.stringify({ auth: { oauth: { anthropic: fake.config() } } }))
    const r = await login(["--provider", "anthropic"], followAuthorize)
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("Auth profile: anthropic:user@example.com (anthropic/oauth)")
    const store = JSON.parse(await fs.readFile(home.store, "utf8"))
    expect(store.profiles["anthropic:user@example.com"]).toMatchObject({ type: "oauth", access: fake.latestAccess, refresh: fake.latestRefresh })
    expect((await fs.stat(home.store)).mode & 0o777).toBe(0o600)

    const denied = await (async () => {
      fake.consent = "deny"
      try {
        return await login(["--provider", "anthropic", "--profile-id", "second"], followAuthorize)
      } finally {
        fake.consent = "allow"
      }
    })()
    expect(denied.code).toBe(1)
    expect(denied.stderr).toContain("Authorization was denied in the browser; nothing was stored.")
    for (const r2 of [r, denied]) expectNoInternals(r2.stdout + r2.stderr)
    expectNoSecrets([r, denied], fake.secrets)
  })
})
