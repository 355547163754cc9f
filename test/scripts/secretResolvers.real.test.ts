/**
 * The resolvers against the real programs where they can run (SPEC §9 "Beyond"; .ci/run installs them on Debian):
 * pass.mjs with the real `pass` and a throw-away GPG key (no passphrase, GNUPGHOME in a temp dir), and
 * secret-service.mjs with the real `secret-tool` talking to gnome-keyring inside its own `dbus-run-session`.
 * A test skips, saying what is missing, only when its programs are not installed.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Outcome, runChild } from "../support/Child.js"
import { expectNoLeak } from "../support/SecretScan.js"
import {
  makePassStore,
  missingPrograms,
  PARENT_PATH as PATH,
  type PassStore,
  request,
  resolverPath,
  responseOf,
  runResolver
} from "./resolverHarness.js"

const SECRETS = {
  openai: "sk-real-pass-openai-7Hq2Lm9Xv4Rt",
  odd: "sk-real-pass-odd-Wd3Kp8Zn5Fj1",
  keyringOpenai: "sk-real-keyring-openai-Bv6Ns2Qy9Tg4",
  keyringOdd: "sk-real-keyring-odd-Ja5Mc8Re1Hx7"
}

let tmp: string
const outcomes: Array<Outcome> = []

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "openclaw-real-resolvers-"))
})

afterAll(async () => {
  expectNoLeak(outcomes.map((o) => ({ label: `stderr of ${o.args.join(" ")}`, text: o.stderr })), Object.values(SECRETS))
  await fs.rm(tmp, { recursive: true, force: true })
})

describe("pass.mjs with the real pass and a throw-away GPG key", () => {
  const absent = missingPrograms(["pass", "gpg", "gpgconf"])
  let env: Record<string, string>
  let store: PassStore | undefined

  beforeAll(async () => {
    if (absent !== undefined) return
    const home = path.join(tmp, "pass-home")
    store = await makePassStore(home, {
      "openclaw/openai": `${SECRETS.openai}\nlogin: me\n`,
      "team a/odd $(touch PWNED)": `${SECRETS.odd}\n`
    })
    env = { PATH, HOME: home, ...store.env }
  })

  afterAll(() => store?.stop())

  it("resolves a batch: the first line of each entry, a clear error for a missing one", async (ctx) => {
    ctx.skip(absent !== undefined, `pass resolver, real program: ${absent}`)
    const ids = ["openclaw/openai", "team a/odd $(touch PWNED)", "openclaw/missing"]
    const outcome = await runResolver("pass.mjs", request(ids), tmp, env)
    outcomes.push(outcome)
    const response = responseOf(outcome)
    expect(response.values).toEqual({ "openclaw/openai": SECRETS.openai, "team a/odd $(touch PWNED)": SECRETS.odd })
    expect(response.errors["openclaw/missing"]!.message).toBe("pass exited with code 1: Error: openclaw/missing is not in the password store.")
    expect(await fs.readdir(tmp)).not.toContain("PWNED")
  })

  it("an entry that cannot be decrypted (the key is not in GNUPGHOME) is an error of its id, with gpg's reason", async (ctx) => {
    ctx.skip(absent !== undefined, `pass resolver, real program: ${absent}`)
    const emptyKeyring = path.join(tmp, "empty-gnupg")
    await fs.mkdir(emptyKeyring, { recursive: true, mode: 0o700 })
    const outcome = await runResolver("pass.mjs", request(["openclaw/openai"]), tmp, { ...env, GNUPGHOME: emptyKeyring })
    outcomes.push(outcome)
    // gpg started an agent for the empty keyring too.
    spawnSync("gpgconf", ["--kill", "gpg-agent"], { env: { PATH, GNUPGHOME: emptyKeyring } })
    const response = responseOf(outcome)
    expect(response.values).toEqual({})
    expect(response.errors["openclaw/openai"]!.message).toMatch(/^pass exited with code 2: gpg: decryption failed: No secret key/)
  })
})

describe("secret-service.mjs with the real secret-tool and gnome-keyring in a private D-Bus session", () => {
  const absent = missingPrograms(["secret-tool", "gnome-keyring-daemon", "dbus-run-session"])

  /**
   * Inside a fresh session bus: start gnome-keyring unlocked with a throw-away password (a new login keyring in the
   * temp HOME), store the fixture items with the real secret-tool, then run the resolver on the request file.
   */
  const inKeyringSession = async (label: string, ids: ReadonlyArray<string>): Promise<Outcome> => {
    const home = await fs.mkdtemp(path.join(tmp, `keyring-${label}-`))
    const runtime = path.join(home, "run")
    await fs.mkdir(runtime, { mode: 0o700 })
    await fs.writeFile(path.join(home, "request.json"), request(ids))
    const script = [
      "set -e",
      "printf 'throwaway-keyring-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null",
      `printf '%s' '${SECRETS.keyringOpenai}' | secret-tool store --label='OpenAI key' service openclaw account openai`,
      `printf '%s' '${SECRETS.keyringOdd}' | secret-tool store --label='odd' service 'a $(touch PWNED)' account '\`touch PWNED2\`'`,
      `exec "$RESOLVER" < request.json`
    ].join("\n")
    const outcome = await runChild("dbus-run-session", ["--", "sh", "-c", script], ["dbus-run-session", "secret-service.mjs", label], {
      cwd: home,
      env: { PATH, HOME: home, XDG_RUNTIME_DIR: runtime, RESOLVER: resolverPath("secret-service.mjs") }
    })
    outcomes.push(outcome)
    return outcome
  }

  it("resolves a batch from the unlocked keyring; an item that is not there is an error of its id", async (ctx) => {
    ctx.skip(absent !== undefined, `secret-service resolver, real program: ${absent}`)
    const odd = "service:a $(touch PWNED)/account:`touch PWNED2`"
    const ids = ["service:openclaw/account:openai", odd, "service:openclaw/account:nobody"]
    const response = responseOf(await inKeyringSession("batch", ids))
    expect(response.values).toEqual({ "service:openclaw/account:openai": SECRETS.keyringOpenai, [odd]: SECRETS.keyringOdd })
    expect(response.errors["service:openclaw/account:nobody"]!.message).toBe(
      "no Secret Service item matches service=openclaw account=nobody"
    )
  })

  it("without a session bus, each id says secret-tool could not reach the keyring (no hang)", async (ctx) => {
    ctx.skip(absent !== undefined, `secret-service resolver, real program: ${absent}`)
    const home = await fs.mkdtemp(path.join(tmp, "no-bus-"))
    const outcome = await runResolver("secret-service.mjs", request(["service:openclaw/account:openai"]), home, {
      PATH,
      HOME: home,
      XDG_RUNTIME_DIR: home
    })
    outcomes.push(outcome)
    const response = responseOf(outcome)
    expect(response.values).toEqual({})
    expect(response.errors["service:openclaw/account:openai"]!.message).toMatch(/^secret-tool exited with code 1: .*D-Bus/)
  })
})
