/**
 * `openclaw secrets audit` in-process (§9): one fixture per finding code, the report's JSON shape, the exit codes of
 * `--check`, exec refs left unchecked without `--allow-exec`, unreadable files as findings, and no fixture secret in
 * any output (every run's output is kept and scanned at the end).
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { MemoryFs } from "./support/MemoryFiles.js"
import { expectNoLeak, outputsOf } from "./support/SecretScan.js"
import { MemorySecretResolver } from "./support/SecretResolverTest.js"
import { CONFIG, type CliResult, runCli, STATE, STORE, type World } from "./support/TestApp.js"

const KEY = "sk-ant-api03-FAKEauditKey" + "k".repeat(30) + "-TESTak01"
const OPENAI_KEY = "sk-proj-FAKEauditOpenai" + "o".repeat(30) + "-TESTao02"
const TOKEN = "sk-ant-oat01-FAKEauditToken" + "t".repeat(70) + "-TESTat03"
const GATEWAY = "gw-FAKEauditGateway" + "g".repeat(30) + "TESTag04"
const VAULT_VALUE = "sk-proj-FAKEauditVault" + "v".repeat(30) + "-TESTav05"
const ACCESS = "FAKEauditAccess" + "a".repeat(30) + "TESTaa06"
const SECRETS = [KEY, OPENAI_KEY, TOKEN, GATEWAY, VAULT_VALUE, ACCESS]

const WORK_STORE = `${STATE}/agents/work/agent/auth-profiles.json`
const STATE_ENV = `${STATE}/.env`

const runs: Array<CliResult & { args: ReadonlyArray<string> }> = []
afterAll(() => {
  expect(runs.length).toBeGreaterThan(0)
  expectNoLeak(outputsOf(runs), SECRETS)
})

const audit = async (args: ReadonlyArray<string>, world: World) => {
  const full = ["secrets", "audit", ...args]
  const r = await runCli(full, world)
  runs.push({ ...r, args: full })
  return r
}

interface Finding {
  code: string
  severity: string
  file: string
  jsonPath: string
  pathSegments: Array<string>
  message: string
  fix: string
  provider?: string
  profileId?: string
}
interface Report {
  version: number
  status: string
  resolution: { refsChecked: number; skippedExecRefs: number; resolvabilityComplete: boolean }
  filesScanned: Array<string>
  summary: { plaintextCount: number; unresolvedRefCount: number; shadowedRefCount: number; legacyResidueCount: number }
  findings: Array<Finding>
}

const auditJson = async (world: World, ...args: Array<string>): Promise<Report> => {
  const r = await audit(["--json", ...args], world)
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout) as Report
}

const json = (v: unknown) => JSON.stringify(v, null, 2)

/** Only refs: a store keyRef and a config apiKey ref, both env refs the world sets. */
const cleanFs = () =>
  new MemoryFs({
    [CONFIG]: json({ models: { providers: { local: { baseUrl: "http://127.0.0.1:8000/v1", apiKey: { source: "env", provider: "default", id: "LOCAL_API_KEY" } } } } }),
    [STORE]: json({ version: 1, profiles: { "anthropic:default": { type: "api_key", provider: "anthropic", keyRef: { source: "env", provider: "default", id: "ANTHROPIC_API_KEY" } } } })
  })
const cleanVars = { ANTHROPIC_API_KEY: KEY, LOCAL_API_KEY: OPENAI_KEY }

const plaintextFs = () =>
  new MemoryFs({
    [CONFIG]: json({
      env: { OPENAI_API_KEY: OPENAI_KEY },
      models: { providers: { openai: { apiKey: OPENAI_KEY, headers: { Authorization: `Bearer ${OPENAI_KEY}`, "x-trace": "plain-but-not-secret" } } } },
      gateway: { auth: { mode: "token", token: GATEWAY } }
    }),
    [STORE]: json({
      version: 1,
      profiles: {
        "anthropic:default": { type: "api_key", provider: "anthropic", key: KEY },
        "anthropic:work": { type: "token", provider: "anthropic", token: TOKEN }
      }
    }),
    [STATE_ENV]: `OPENAI_API_KEY=${OPENAI_KEY}\nPATH_HINT=nothing\n`
  })

describe("secrets audit", () => {
  it("clean: refs that resolve and no plain value → status clean, --check exits 0", async () => {
    const world = { fs: cleanFs(), vars: cleanVars }
    const report = await auditJson(world)
    expect(report).toMatchObject({
      version: 1,
      status: "clean",
      resolution: { refsChecked: 2, skippedExecRefs: 0, resolvabilityComplete: true },
      summary: { plaintextCount: 0, unresolvedRefCount: 0, shadowedRefCount: 0, legacyResidueCount: 0 },
      findings: []
    })
    expect(report.filesScanned).toEqual([CONFIG, STORE].sort())
    expect((await audit(["--check"], world)).code).toBe(0)
    const text = await audit([], world)
    expect(text.stdout).toContain("Secrets audit: clean")
    expect(text.stdout).toContain("2 references checked")
  })

  it("plain text: every secret-bearing field is a PLAINTEXT_FOUND with its path, never its value; --check exits 1", async () => {
    const world = { fs: plaintextFs() }
    const report = await auditJson(world)
    expect(report.status).toBe("findings")
    const at = report.findings.filter((f) => f.code === "PLAINTEXT_FOUND").map((f) => `${f.file} ${f.jsonPath}`)
    expect(at.sort()).toEqual(
      [
        `${CONFIG} env.OPENAI_API_KEY`,
        `${CONFIG} models.providers.openai.apiKey`,
        `${CONFIG} models.providers.openai.headers.Authorization`,
        `${CONFIG} gateway.auth.token`,
        `${STORE} profiles.anthropic:default.key`,
        `${STORE} profiles.anthropic:work.token`,
        `${STATE_ENV} $env.OPENAI_API_KEY`
      ].sort()
    )
    expect(report.summary.plaintextCount).toBe(7)
    for (const f of report.findings) expect(f.fix).not.toBe("")
    const r = await audit(["--check"], world)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain("PLAINTEXT_FOUND [warn]")
    expect(r.stdout).toContain("openclaw secrets configure")
    expect(r.stdout).toMatch(/Summary: 7 plaintext, 0 unresolved/)
  })

  it("an assignment commented out in <state>/.env still holds its value: a finding by name and line, never the value", async () => {
    const fs = new MemoryFs({
      [STATE_ENV]: [
        "# keys",
        "#OPENAI_API_KEY=sk-proj-FAKEcommentedOut000000000000",
        "  # export ANTHROPIC_API_KEY = sk-ant-FAKEold",
        "# NOTE=not a secret name",
        "#",
        // A template's lines hold no value: not findings.
        '#OPENAI_API_KEY=""',
        "# OPENAI_API_KEY=   # paste yours here",
        "# ANTHROPIC_API_KEY=sk-ant-...",
        "# GROQ_API_KEY=<your key>",
        // Inside another variable's quoted value, not a comment.
        'NOTE="a\n#OPENAI_API_KEY=sk-proj-FAKEinsideValue00000000\nb"',
        ""
      ].join("\n")
    })
    const report = await auditJson({ fs })
    expect(report.findings.map((f) => `${f.code} ${f.jsonPath} ${f.message}`)).toEqual([
      "PLAINTEXT_FOUND $env.OPENAI_API_KEY a commented-out OPENAI_API_KEY on line 2 still holds a value in plain text (dotenv skips it; anyone who reads the file does not)",
      "PLAINTEXT_FOUND $env.ANTHROPIC_API_KEY a commented-out ANTHROPIC_API_KEY on line 3 still holds a value in plain text (dotenv skips it; anyone who reads the file does not)"
    ])
    expect(JSON.stringify(report)).not.toContain("FAKEcommentedOut")
  })

  it("without --check the exit code is 0 whatever is found", async () => {
    expect((await audit([], { fs: plaintextFs() })).code).toBe(0)
  })

  it("unresolved: a ref whose variable is unset, one to an unconfigured provider, an invalid one → REF_UNRESOLVED, status unresolved, --check exits 2", async () => {
    const fs = new MemoryFs({
      [CONFIG]: json({ gateway: { auth: { token: { source: "file", provider: "nowhere", id: "/gateway/token" } } } }),
      [STORE]: json({
        version: 1,
        profiles: {
          "openai:default": { type: "api_key", provider: "openai", keyRef: { source: "env", provider: "default", id: "OPENAI_API_KEY" } },
          "openai:bad": { type: "api_key", provider: "openai", keyRef: { source: "env", provider: "default", id: "lower-case" } }
        }
      })
    })
    const report = await auditJson({ fs })
    expect(report.status).toBe("unresolved")
    const unresolved = report.findings.filter((f) => f.code === "REF_UNRESOLVED")
    expect(unresolved.map((f) => f.jsonPath).sort()).toEqual(["gateway.auth.token", "profiles.openai:bad.keyRef", "profiles.openai:default.keyRef"])
    expect(unresolved.find((f) => f.jsonPath === "profiles.openai:default.keyRef")?.message).toContain("OPENAI_API_KEY is not set")
    expect(unresolved.find((f) => f.jsonPath === "gateway.auth.token")?.message).toContain(`no secrets provider "nowhere"`)
    expect(report.summary.unresolvedRefCount).toBe(3)
    expect((await audit(["--check"], { fs })).code).toBe(2)
    // Unresolved wins over any --severity-min.
    expect((await audit(["--check", "--severity-min", "error"], { fs })).code).toBe(2)
  })

  it("shadowed: a stored profile for a provider whose key the config takes from a ref → REF_SHADOWED on the config path", async () => {
    const fs = new MemoryFs({
      [CONFIG]: json({ models: { providers: { openai: { apiKey: { source: "env", provider: "default", id: "OPENAI_API_KEY" } } } } }),
      [STORE]: json({ version: 1, profiles: { "openai:work": { type: "api_key", provider: "openai", keyRef: { source: "env", provider: "default", id: "WORK_OPENAI_KEY" } } } })
    })
    const report = await auditJson({ fs, vars: { OPENAI_API_KEY: OPENAI_KEY, WORK_OPENAI_KEY: VAULT_VALUE } })
    expect(report.status).toBe("findings")
    expect(report.findings).toEqual([
      expect.objectContaining({ code: "REF_SHADOWED", severity: "warn", file: CONFIG, jsonPath: "models.providers.openai.apiKey", provider: "openai" })
    ])
    expect(report.findings[0]!.message).toContain("openai:work")
    expect(report.summary.shadowedRefCount).toBe(1)
    expect((await audit(["--check"], { fs, vars: { OPENAI_API_KEY: OPENAI_KEY, WORK_OPENAI_KEY: VAULT_VALUE } })).code).toBe(1)
  })

  it("legacy: auth.json and credentials/oauth.json still present, a plain key beside a keyRef, an OAuth profile → LEGACY_RESIDUE", async () => {
    const fs = new MemoryFs({
      [STORE]: json({
        version: 1,
        profiles: {
          "anthropic:default": { type: "api_key", provider: "anthropic", key: KEY, keyRef: { source: "env", provider: "default", id: "ANTHROPIC_API_KEY" } },
          "openai:oauth": { type: "oauth", provider: "openai", access: ACCESS, expires: 1 }
        }
      }),
      [`${STATE}/agents/main/agent/auth.json`]: json({ openai: { type: "api_key", key: OPENAI_KEY } }),
      [`${STATE}/credentials/oauth.json`]: json({ anthropic: { access: ACCESS, refresh: ACCESS, expires: 1 } })
    })
    const world = { fs, vars: { ANTHROPIC_API_KEY: KEY } }
    const report = await auditJson(world)
    const legacy = report.findings.filter((f) => f.code === "LEGACY_RESIDUE").map((f) => [f.file, f.jsonPath, f.severity])
    expect(legacy).toEqual(
      expect.arrayContaining([
        [STORE, "profiles.anthropic:default.key", "warn"],
        [STORE, "profiles.openai:oauth", "info"],
        [`${STATE}/agents/main/agent/auth.json`, "openai", "warn"],
        [`${STATE}/credentials/oauth.json`, "anthropic", "warn"]
      ])
    )
    expect(report.summary).toMatchObject({ plaintextCount: 0, legacyResidueCount: 4 })
    expect((await audit(["--check"], world)).code).toBe(1)
    // Audit never imports: the legacy files are still there.
    expect(fs.read(`${STATE}/agents/main/agent/auth.json`)).toBeDefined()
    expect(fs.writes).toBe(0)
  })

  it("--severity-min warn: an OAuth reminder alone (info) does not fail --check", async () => {
    const fs = new MemoryFs({ [STORE]: json({ version: 1, profiles: { "openai:oauth": { type: "oauth", provider: "openai", access: ACCESS, expires: 1 } } }) })
    expect((await audit(["--check"], { fs })).code).toBe(1)
    expect((await audit(["--check", "--severity-min", "warn"], { fs })).code).toBe(0)
  })

  it("exec refs are not run without --allow-exec: counted as not checked, never as unresolved", async () => {
    const config = json({
      secrets: { providers: { vault: { source: "exec", command: "/usr/local/bin/vault-resolver" } } },
      models: { providers: { openai: { apiKey: { source: "exec", provider: "vault", id: "openai/key" } } } }
    })
    const resolver = new MemorySecretResolver(new Map([["exec:vault:openai/key", VAULT_VALUE]]))
    const world = { fs: new MemoryFs({ [CONFIG]: config }), resolver }
    const skipped = await auditJson(world)
    expect(skipped).toMatchObject({ status: "clean", resolution: { refsChecked: 0, skippedExecRefs: 1, resolvabilityComplete: false } })
    expect(resolver.calls.get("vault")).toBeUndefined()
    expect((await audit([], world)).stdout).toContain("1 exec reference not checked (run with --allow-exec")
    const ran = await auditJson(world, "--allow-exec")
    expect(ran).toMatchObject({ status: "clean", resolution: { refsChecked: 1, skippedExecRefs: 0, resolvabilityComplete: true } })
    expect(resolver.calls.get("vault")).toBe(1)

    const failing = { fs: new MemoryFs({ [CONFIG]: config }), resolver: new MemorySecretResolver(new Map([["exec:vault:openai/key", new Error("vault sealed")]])) }
    const failed = await auditJson(failing, "--allow-exec")
    expect(failed.status).toBe("unresolved")
    expect(failed.findings[0]).toMatchObject({ code: "REF_UNRESOLVED", jsonPath: "models.providers.openai.apiKey" })
    expect(failed.findings[0]!.message).toContain("vault sealed")
  })

  it("${VAR} in a secret field is substitution from the environment (§3.2), not plain text and not a ref", async () => {
    const fs = new MemoryFs({ [CONFIG]: json({ models: { providers: { local: { apiKey: "${LOCAL_API_KEY}", headers: { Authorization: "Bearer ${LOCAL_TOKEN}" } } } } }) })
    // Set or not: a loopback provider needs no key, and an unset variable is what status reports.
    for (const vars of [{ LOCAL_API_KEY: OPENAI_KEY, LOCAL_TOKEN: GATEWAY }, {}]) {
      expect(await auditJson({ fs, vars })).toMatchObject({ status: "clean", resolution: { refsChecked: 0 }, findings: [] })
    }
  })

  it("every agent's store: configured agents and an agent dir nobody configured", async () => {
    const fs = new MemoryFs({
      [CONFIG]: json({ agents: { list: [{ id: "main", default: true }, { id: "ops", agentDir: "/srv/ops/agent" }] } }),
      [STORE]: json({ version: 1, profiles: { "anthropic:default": { type: "api_key", provider: "anthropic", key: KEY } } }),
      "/srv/ops/agent/auth-profiles.json": json({ version: 1, profiles: { "openai:default": { type: "api_key", provider: "openai", key: OPENAI_KEY } } }),
      [WORK_STORE]: json({ version: 1, profiles: { "anthropic:work": { type: "token", provider: "anthropic", token: TOKEN } } })
    })
    const report = await auditJson({ fs })
    expect(report.findings.map((f) => f.file).sort()).toEqual(["/srv/ops/agent/auth-profiles.json", STORE, WORK_STORE].sort())
  })

  it("a file that does not parse is a finding of its own, reported with its position and never rewritten", async () => {
    const broken = `{ "version": 1, "profiles": { "openai:default": { "type": "api_key", "key": "${OPENAI_KEY}" ` // cut off
    const fs = new MemoryFs({ [CONFIG]: "{ models: ", [STORE]: broken, [STATE_ENV]: { content: `OPENAI_API_KEY=${OPENAI_KEY}\n`, mode: 0 } })
    const r = await audit(["--json"], { fs })
    const report = JSON.parse(r.stdout) as Report
    expect(report.status).toBe("unresolved")
    expect(report.findings.map((f) => [f.code, f.file, f.jsonPath])).toEqual(
      expect.arrayContaining([
        ["REF_UNRESOLVED", CONFIG, "<root>"],
        ["REF_UNRESOLVED", STORE, "<root>"],
        ["REF_UNRESOLVED", STATE_ENV, "<root>"]
      ])
    )
    expect(report.findings.find((f) => f.file === STORE)?.message).toMatch(/:1:\d+: invalid JSON/)
    expect(fs.read(STORE)).toBe(broken)
    expect(fs.writes).toBe(0)
    expect((await audit(["--check"], { fs })).code).toBe(2)
  })

  it("on a terminal, resolution is announced on stderr; piped or --json, nothing is", async () => {
    const tty = { fs: cleanFs(), vars: cleanVars, host: { stdoutIsTTY: true } }
    expect((await audit([], tty)).stderr).toBe("Resolving 2 secret references…")
    expect((await audit(["--json"], tty)).stderr).toBe("")
    expect((await audit([], { fs: cleanFs(), vars: cleanVars })).stderr).toBe("")
  })

  it("control characters in ids and paths are escaped in the text output", async () => {
    const fs = new MemoryFs({ [STORE]: json({ version: 1, profiles: { "openai:\u001b[31mevil\nFAKE": { type: "api_key", provider: "openai", key: OPENAI_KEY } } }) })
    const r = await audit([], { fs })
    expect(r.stdout).not.toContain("\u001b")
    expect(r.stdout).toContain("\\x1b[31mevil\\nFAKE")
    expect(r.stdout.split("\n").filter((l) => l.startsWith("PLAINTEXT_FOUND"))).toHaveLength(1)
  })
})
