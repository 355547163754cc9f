/**
 * `openclaw doctor`'s secret-reference checks in-process (§9, §6.3): unresolved refs with the reason, insecure file
 * providers and exec providers that would not run (stat through the in-memory Files port), plain residue beside a
 * ref, and `--fix` never changing a secrets file's or an exec command's mode. Every output is scanned for the
 * fixture secrets at the end.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { CHECK_IDS } from "../src/domain/Doctor.js"
import { MemoryFs } from "./support/MemoryFiles.js"
import { expectNoLeak, outputsOf } from "./support/SecretScan.js"
import { MemorySecretResolver } from "./support/SecretResolverTest.js"
import { CONFIG, type CliResult, runCli, STATE, STORE, type World } from "./support/TestApp.js"
import type { DoctorEntry as Entry } from "./support/DoctorReport.js"

const KEY = "sk-ant-api03-FAKEdoctorRefKey" + "k".repeat(30) + "-TESTdr01"
const OPENAI_KEY = "sk-proj-FAKEdoctorRefOpenai" + "o".repeat(30) + "-TESTdr02"
const FILE_VALUE = "sk-proj-FAKEdoctorRefFile" + "f".repeat(30) + "-TESTdr03"
/** Random-looking, as real keys are: the scrubber finds runs of these (not of one letter repeated). */
const PLAIN_KEY = "sk-ant-api03-Kq7Zp2Rw9XmB4nT8vLc3Hs6Yd1Fg5Jk0Ue-TESTdr04"
const ENV_KEY = "gsk_Wd3Nq8Lx2Rv7Tz5Hc9Mb4Pk6Jf1Ys0GaE-TESTdr05"
const SECRETS = [KEY, OPENAI_KEY, FILE_VALUE, PLAIN_KEY, ENV_KEY]

const SECRETS_FILE = `${STATE}/secrets.json`
const RESOLVER = `${STATE}/bin/resolver`

const runs: Array<CliResult & { args: ReadonlyArray<string> }> = []
afterAll(() => {
  expect(runs.length).toBeGreaterThan(0)
  expectNoLeak(outputsOf(runs), SECRETS)
})

const doctor = async (args: ReadonlyArray<string>, world: World) => {
  const full = ["doctor", ...args]
  const r = await runCli(full, world)
  runs.push({ ...r, args: full })
  return r
}
const report = async (world: World, ...args: Array<string>) => {
  const r = await doctor(["--json", ...args], world)
  expect(r.stderr).toBe("")
  return { code: r.code, checks: (JSON.parse(r.stdout) as { schemaVersion: number; checks: Array<Entry> }).checks }
}
const of = (checks: ReadonlyArray<Entry>, id: string) => checks.filter((c) => c.id === id)

const json = (v: unknown) => JSON.stringify(v, null, 2)
const envRef = (id: string) => ({ source: "env", provider: "default", id })
const storeWith = (profiles: Record<string, unknown>) => json({ version: 1, profiles })

describe("doctor: secret references", () => {
  it("refs that resolve and safe providers: every secret check ok, and the JSON keeps its shape", async () => {
    const fs = new MemoryFs({
      [CONFIG]: json({
        secrets: {
          providers: {
            vault: { source: "exec", command: RESOLVER },
            keys: { source: "file", path: "~/.openclaw/secrets.json" }
          }
        },
        models: { providers: { openai: { apiKey: { source: "file", provider: "keys", id: "/openai" } } } }
      }),
      [STORE]: storeWith({ "anthropic:default": { type: "api_key", provider: "anthropic", keyRef: envRef("ANTHROPIC_API_KEY") } }),
      [SECRETS_FILE]: { content: json({ openai: FILE_VALUE }), mode: 0o600 },
      [RESOLVER]: { content: "#!/bin/sh\n", mode: 0o700 }
    })
    const resolver = new MemorySecretResolver(new Map([["file:keys:/openai", FILE_VALUE]]))
    const r = await doctor(["--json"], { fs, resolver, vars: { ANTHROPIC_API_KEY: KEY } })
    const parsed = JSON.parse(r.stdout) as { schemaVersion: number; checks: Array<Entry> }
    expect(parsed.schemaVersion).toBe(1)
    expect(parsed.checks.map((c) => c.id)).toEqual(expect.arrayContaining(["secret-refs", "secret-providers", "secret-residue"]))
    expect(of(parsed.checks, "secret-refs")).toEqual([expect.objectContaining({ status: "ok", summary: "all 2 secret references resolve" })])
    expect(of(parsed.checks, "secret-providers")).toEqual([expect.objectContaining({ status: "ok", summary: "all 2 secrets providers look safe" })])
    expect(of(parsed.checks, "secret-residue")).toEqual([expect.objectContaining({ status: "ok" })])
  })

  it("one ref and one provider are spoken of in the singular", async () => {
    const fs = new MemoryFs({
      [CONFIG]: json({ secrets: { providers: { keys: { source: "file", path: "~/.openclaw/secrets.json" } } } }),
      [STORE]: storeWith({ "openai:default": { type: "api_key", provider: "openai", keyRef: { source: "file", provider: "keys", id: "/openai" } } }),
      [SECRETS_FILE]: { content: json({ openai: FILE_VALUE }), mode: 0o600 }
    })
    const { checks } = await report({ fs, resolver: new MemorySecretResolver(new Map([["file:keys:/openai", FILE_VALUE]])) })
    expect(of(checks, "secret-refs")[0]).toMatchObject({ status: "ok", summary: "the secret reference resolves" })
    expect(of(checks, "secret-providers")[0]).toMatchObject({ status: "ok", summary: "the secrets provider looks safe" })
  })

  it("on a terminal, resolution is announced on stderr once; with --json or piped, nothing is", async () => {
    const world = () => ({
      fs: new MemoryFs({ [STORE]: storeWith({ "anthropic:default": { type: "api_key", provider: "anthropic", keyRef: envRef("ANTHROPIC_API_KEY") } }) }),
      vars: { ANTHROPIC_API_KEY: KEY },
      host: { stdoutIsTTY: true }
    })
    expect((await doctor([], world())).stderr).toBe("Resolving 1 secret reference…")
    expect((await doctor(["--json"], world())).stderr).toBe("")
    expect((await doctor([], { ...world(), host: { stdoutIsTTY: false } })).stderr).toBe("")
  })

  it("without refs or providers the checks say so, and count as ok", async () => {
    const { code, checks } = await report({ fs: new MemoryFs() })
    expect(of(checks, "secret-refs")[0]).toMatchObject({ status: "ok", summary: "no secret references" })
    expect(of(checks, "secret-providers")[0]).toMatchObject({ status: "ok", summary: "no secrets providers configured" })
    expect(checks.map((c) => c.id)).toEqual([...CHECK_IDS])
    expect(code).toBe(1) // the default model's provider has no credential: missing-credentials, not ours
    expect(checks.filter((c) => c.status === "fail").map((c) => c.id)).toEqual(["missing-credentials"])
  })

  it("an unresolved ref fails with the reason, and doctor exits 1", async () => {
    const fs = new MemoryFs({
      [STORE]: storeWith({
        "openai:default": { type: "api_key", provider: "openai", keyRef: envRef("OPENAI_API_KEY") },
        "openai:vault": { type: "api_key", provider: "openai", keyRef: { source: "exec", provider: "nowhere", id: "openai/key" } }
      })
    })
    const { code, checks } = await report({ fs })
    expect(code).toBe(1)
    const failed = of(checks, "secret-refs")
    expect(failed.map((c) => c.status)).toEqual(["fail", "fail"])
    expect(failed[0]!.summary).toBe(
      `ref env:OPENAI_API_KEY at profiles.openai:default.keyRef in ${STORE} does not resolve: OPENAI_API_KEY is not set (set it in the environment or in <state>/.env)`
    )
    expect(failed[1]!.summary).toContain(`no secrets provider "nowhere"`)
  })

  it("a resolver's error quoting a stored key or an env key, whole, in a piece or encoded, is scrubbed from doctor's output", async () => {
    const quoted = (k: string) =>
      `denied: ${k} / ${k.slice(13, 25)} / ${Buffer.from(k).toString("base64")} / ${encodeURIComponent(k).replace(/-/g, "%2D")}`
    const fs = new MemoryFs({
      [CONFIG]: json({ secrets: { providers: { keys: { source: "file", path: "~/.openclaw/secrets.json" } } } }),
      [SECRETS_FILE]: { content: "{}", mode: 0o600 },
      [STORE]: storeWith({
        "anthropic:plain": { type: "api_key", provider: "anthropic", key: PLAIN_KEY },
        "openai:vault": { type: "api_key", provider: "openai", keyRef: { source: "file", provider: "keys", id: "/openai" } },
        "groq:vault": { type: "api_key", provider: "groq", keyRef: { source: "file", provider: "keys", id: "/groq" } }
      })
    })
    const resolver = new MemorySecretResolver(
      new Map<string, string | Error>([
        ["file:keys:/openai", new Error(quoted(PLAIN_KEY))],
        ["file:keys:/groq", new Error(quoted(ENV_KEY))]
      ])
    )
    for (const args of [["--json"], []]) {
      const r = await doctor(args, { fs, resolver, vars: { GROQ_API_KEY: ENV_KEY } })
      expect(r.stdout).toContain("denied: sk-ant-api03-…")
      expect(r.stdout).toContain("denied: gsk_…")
      for (const k of [PLAIN_KEY, ENV_KEY]) {
        expect(r.stdout).not.toContain(k.slice(13, 25))
        expect(r.stdout).not.toContain(Buffer.from(k).toString("base64").slice(4, 40))
      }
    }
  })

  it("insecure file providers fail: group-writable, owned by another user; root-owned and allowInsecurePath pass", async () => {
    const config = json({
      secrets: {
        providers: {
          shared: { source: "file", path: `${STATE}/shared.json` },
          foreign: { source: "file", path: `${STATE}/foreign.json` },
          rooted: { source: "file", path: `${STATE}/rooted.json` },
          waived: { source: "file", path: `${STATE}/waived.json`, allowInsecurePath: true },
          missing: { source: "file", path: `${STATE}/missing.json` }
        }
      }
    })
    const fs = new MemoryFs({
      [CONFIG]: config,
      [`${STATE}/shared.json`]: { content: "{}", mode: 0o664 },
      [`${STATE}/foreign.json`]: { content: "{}", mode: 0o600 },
      [`${STATE}/rooted.json`]: { content: "{}", mode: 0o644 },
      [`${STATE}/waived.json`]: { content: "{}", mode: 0o666 }
    })
    fs.notOwned.add(`${STATE}/foreign.json`)
    fs.rootOwned.add(`${STATE}/rooted.json`)
    const { checks } = await report({ fs })
    const failed = of(checks, "secret-providers")
    expect(failed.map((c) => [c.subject, c.status])).toEqual([
      ["secrets.providers.shared", "fail"],
      ["secrets.providers.foreign", "fail"],
      ["secrets.providers.missing", "fail"]
    ])
    expect(failed[0]!.summary).toBe(
      `secrets provider "shared" is insecure: its file ${STATE}/shared.json is writable by its group (mode 0664); its references do not resolve`
    )
    expect(failed[0]!.remediation).toContain("doctor --fix never changes a secrets file")
    expect(failed[1]!.summary).toContain("is owned by another user (not you or root)")
    expect(failed[2]!.summary).toContain("does not exist")
  })

  it("exec providers whose command is a symlink, missing, not absolute or writable by others fail", async () => {
    const fs = new MemoryFs({
      [CONFIG]: json({
        secrets: {
          providers: {
            linked: { source: "exec", command: "/usr/local/bin/op" },
            trusted: { source: "exec", command: "/opt/homebrew/bin/vault", allowSymlinkCommand: true, trustedDirs: ["/opt/homebrew"] },
            escaped: { source: "exec", command: "/opt/homebrew/bin/sops", allowSymlinkCommand: true, trustedDirs: ["/opt/homebrew"] },
            gone: { source: "exec", command: "/usr/local/bin/nothing" },
            relative: { source: "exec", command: "bin/resolver" },
            open: { source: "exec", command: RESOLVER }
          }
        }
      }),
      "/usr/local/Cellar/op/op": { content: "", mode: 0o755 },
      "/opt/homebrew/Cellar/vault/vault": { content: "", mode: 0o755 },
      "/tmp/sops": { content: "", mode: 0o755 },
      [RESOLVER]: { content: "", mode: 0o777 }
    })
    fs.symlinks.set("/usr/local/bin/op", "/usr/local/Cellar/op/op")
    fs.symlinks.set("/opt/homebrew/bin/vault", "/opt/homebrew/Cellar/vault/vault")
    fs.symlinks.set("/opt/homebrew/bin/sops", "/tmp/sops")
    const { checks } = await report({ fs })
    const failed = of(checks, "secret-providers")
    expect(Object.fromEntries(failed.map((c) => [c.subject, c.summary]))).toEqual({
      "secrets.providers.linked": `secrets provider "linked" will not run: its command /usr/local/bin/op is a symlink (allowSymlinkCommand is not set)`,
      "secrets.providers.escaped": `secrets provider "escaped" will not run: its command /opt/homebrew/bin/sops is /tmp/sops, outside trustedDirs`,
      "secrets.providers.gone": `secrets provider "gone" will not run: its command /usr/local/bin/nothing does not exist`,
      "secrets.providers.relative": `secrets provider "relative" is invalid: command must be an absolute path`,
      "secrets.providers.open": `secrets provider "open" will not run: its command ${RESOLVER} is writable by its group and others (mode 0777)`
    })
  })

  it("a ref-backed profile counts as the credential it resolves to, as in status: missing-credentials follows the ref", async () => {
    const fs = () => new MemoryFs({ [STORE]: storeWith({ "anthropic:default": { type: "api_key", provider: "anthropic", keyRef: envRef("MY_ANTHROPIC_KEY") } }) })
    const resolvedRef = await report({ fs: fs(), vars: { MY_ANTHROPIC_KEY: KEY } })
    expect(resolvedRef.code).toBe(0)
    expect(of(resolvedRef.checks, "missing-credentials").map((c) => c.status)).toEqual(["ok"])
    const unresolvedRef = await report({ fs: fs() })
    expect(unresolvedRef.code).toBe(1)
    expect(of(unresolvedRef.checks, "missing-credentials").map((c) => c.status)).toEqual(["fail"])
    expect(of(unresolvedRef.checks, "secret-refs").map((c) => c.status)).toEqual(["fail"])
  })

  it("a plain value kept beside a ref is residue: a warning, not a failure", async () => {
    const fs = new MemoryFs({
      [STORE]: storeWith({ "anthropic:default": { type: "api_key", provider: "anthropic", key: KEY, keyRef: envRef("ANTHROPIC_API_KEY") } })
    })
    const { checks } = await report({ fs, vars: { ANTHROPIC_API_KEY: KEY } })
    expect(of(checks, "secret-residue")).toEqual([
      expect.objectContaining({
        subject: "anthropic:default",
        status: "warn",
        summary: `profile anthropic:default in ${STORE} keeps a plain key beside its keyRef (the reference wins; the plain value is still on disk)`
      })
    ])
  })

  it("--fix --yes never changes a ref's target: secrets files and exec commands keep their modes, even inside the state dir", async () => {
    const fs = new MemoryFs({
      [CONFIG]: json({
        secrets: {
          providers: {
            keys: { source: "file", path: SECRETS_FILE },
            // A provider reading the daemon's env file: doctor would otherwise tighten it like any state file.
            dotenv: { source: "file", path: `${STATE}/.env`, mode: "singleValue" },
            vault: { source: "exec", command: RESOLVER }
          }
        }
      }),
      [STORE]: { content: storeWith({ "anthropic:default": { type: "api_key", provider: "anthropic", keyRef: envRef("ANTHROPIC_API_KEY") } }), mode: 0o644 },
      [SECRETS_FILE]: { content: json({ openai: FILE_VALUE }), mode: 0o664 },
      [`${STATE}/.env`]: { content: `${FILE_VALUE}\n`, mode: 0o664 },
      [RESOLVER]: { content: "#!/bin/sh\n", mode: 0o775 }
    })
    const r = await doctor(["--fix", "--yes"], { fs, vars: { ANTHROPIC_API_KEY: KEY } })
    expect(fs.files.get(SECRETS_FILE)!.mode).toBe(0o664)
    expect(fs.files.get(`${STATE}/.env`)!.mode).toBe(0o664)
    expect(fs.files.get(RESOLVER)!.mode).toBe(0o775)
    expect(fs.read(SECRETS_FILE)).toBe(json({ openai: FILE_VALUE }))
    // The store is openclaw's own: --fix did run, and tightened it.
    expect(fs.files.get(STORE)!.mode).toBe(0o600)
    expect(r.stdout).toContain(`chmod 600 ${STATE}/.env (doctor --fix leaves it alone: a secret reference depends on it`)
    expect(r.stdout).toMatch(/fail\s+secret-providers\s+secrets provider "keys" is insecure/)
    expect(r.stdout).toMatch(/fail\s+secret-providers\s+secrets provider "vault" will not run/)
    expect(r.code).toBe(1)
  })
})
