/**
 * A resolver end to end through the built `openclaw` and its live exec provider (SPEC §9): the store's keyRef
 * names an exec provider whose command is pass.mjs, installed as the README says, reading the real `pass` with a
 * throw-away GPG key. `secrets audit --allow-exec` resolves it (and reports the resolver's per-id reason when the
 * entry is missing); `models status --json` shows the ref's source and the masked resolved value.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runsOfThisFile, type Sandbox, useSandboxes } from "../support/Sandbox.js"
import { expectNoLeak, outputsOf } from "../support/SecretScan.js"
import { scaled } from "../support/Timing.js"
import { makePassStore, missingPrograms, type PassStore, RESOLVERS_DIR } from "./resolverHarness.js"

const SECRET = "sk-ant-api03-FAKEe2eResolverKey-Mq7Vt2Xc9Lp4Rb8Nz3Hw6Jd1Fk5"
const absent = missingPrograms(["pass", "gpg", "gpgconf"])
const newHome = useSandboxes()

let home: Sandbox
let store: PassStore | undefined
let passEnv: Record<string, string>

/** The store: one Anthropic profile whose key is the pass entry `id`. */
const storeWithRef = (id: string): string =>
  JSON.stringify({
    version: 1,
    profiles: {
      "anthropic:default": { type: "api_key", provider: "anthropic", keyRef: { source: "exec", provider: "pass", id } }
    }
  })

beforeAll(async () => {
  if (absent !== undefined) return
  home = await newHome("resolver")
  store = await makePassStore(path.join(home.home, "pass"), { "openclaw/anthropic": `${SECRET}\nlogin: me\n` })
  passEnv = { ...store.env }
  // Installed as the README says: the directory copied somewhere only its owner can write, modes set explicitly.
  const installed = await home.mkdir("resolvers")
  for (const file of ["protocol.mjs", "pass.mjs"]) {
    await fs.copyFile(path.join(RESOLVERS_DIR, file), path.join(installed, file))
    await fs.chmod(path.join(installed, file), 0o755)
  }
  await home.write(
    home.config,
    JSON.stringify({
      secrets: {
        providers: {
          pass: {
            source: "exec",
            command: path.join(installed, "pass.mjs"),
            passEnv: ["PATH", "HOME", "GNUPGHOME", "PASSWORD_STORE_DIR"],
            jsonOnly: true,
            // A timeout bounds a hang; on a loaded machine node and gpg take a while to start.
            timeoutMs: scaled(10_000),
            env: { OPENCLAW_RESOLVER_TIMEOUT_MS: String(scaled(8_000)) }
          }
        }
      }
    })
  )
})

afterAll(() => {
  store?.stop()
  expectNoLeak(outputsOf(runsOfThisFile()), [SECRET])
})

describe("pass.mjs behind openclaw's exec provider", () => {
  it("secrets audit --allow-exec resolves the keyRef through the resolver; a missing entry is unresolved with its reason", async (ctx) => {
    ctx.skip(absent !== undefined, `pass resolver end to end: ${absent}`)
    await home.write(home.store, storeWithRef("openclaw/anthropic"))
    const clean = await home.run(["secrets", "audit", "--allow-exec", "--json"], { env: passEnv })
    expect(clean.code).toBe(0)
    expect(JSON.parse(clean.stdout)).toMatchObject({ status: "clean", resolution: { refsChecked: 1, skippedExecRefs: 0 } })

    await home.write(home.store, storeWithRef("openclaw/nothere"))
    const unresolved = await home.run(["secrets", "audit", "--allow-exec", "--json", "--check"], { env: passEnv })
    expect(unresolved.code).toBe(2)
    const [finding] = JSON.parse(unresolved.stdout).findings
    expect(finding).toMatchObject({ code: "REF_UNRESOLVED" })
    expect(finding.message).toContain("pass exited with code 1: Error: openclaw/nothere is not in the password store.")
  })
})

describe("models status over a keyRef resolved by pass.mjs", () => {
  it("--json shows the ref's source and the masked resolved value; --check is 0 (the in-use provider has its key)", async (ctx) => {
    ctx.skip(absent !== undefined, `pass resolver end to end: ${absent}`)
    await home.write(home.store, storeWithRef("openclaw/anthropic"))
    const status = await home.run(["models", "status", "--json", "--check"], { env: passEnv })
    expect(status.code).toBe(0)
    const anthropic = JSON.parse(status.stdout).auth.providers.find((p: { provider: string }) => p.provider === "anthropic")
    expect(anthropic.effective.kind).toBe("profiles")
    expect(anthropic.profiles.labels).toEqual([`anthropic:default=sk-ant-api03-…${SECRET.slice(-4)} (ref exec:pass)`])
  })
})
