/**
 * `secrets audit` and `doctor` end to end over the live resolver and the real file system (§9): a file ref and an
 * exec ref (a small resolver script), audit's exec rule (not run without --allow-exec, run with it), a secrets file
 * others can write (unresolved, exit 2; doctor fails it), a symlinked command, and `doctor --fix` leaving every
 * ref target's mode as it found it. No fixture secret in any output.
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { runsOfThisFile, type Sandbox, useSandboxes } from "../support/Sandbox.js"
import { expectNoSecrets, SECRETS, storeJson } from "./harness.js"

const newHome = useSandboxes()
afterAll(() => expectNoSecrets(runsOfThisFile(), Object.values(SECRETS)))

/** A store holding only refs: a file ref (anthropic) and an exec ref (openai). */
const setup = async (h: Sandbox, options: { fileMode?: number; commandMode?: number } = {}) => {
  const secretsFile = await h.write(path.join(h.state, "secrets.json"), JSON.stringify({ anthropic: SECRETS.apiKey }), options.fileMode ?? 0o600)
  // Absolute shebang to this node: the child gets no PATH (passEnv is empty).
  const resolver = await h.write(
    path.join(h.state, "bin", "resolver"),
    `#!${process.execPath}\nrequire("node:fs").readFileSync(0, "utf8")\nprocess.stdout.write(JSON.stringify({ protocolVersion: 1, values: { "openai/key": ${JSON.stringify(SECRETS.openaiKey)} } }))\n`,
    options.commandMode ?? 0o700
  )
  await h.write(
    h.config,
    JSON.stringify({
      secrets: { providers: { keys: { source: "file", path: secretsFile }, vault: { source: "exec", command: resolver } } },
      models: { providers: { local: { baseUrl: "http://127.0.0.1:8000/v1", apiKey: { source: "file", provider: "keys", id: "/anthropic" } } } }
    })
  )
  await h.write(h.store, storeJson({ "openai:default": { type: "api_key", provider: "openai", keyRef: { source: "exec", provider: "vault", id: "openai/key" } } }))
  return { secretsFile, resolver }
}

const audit = async (h: Sandbox, ...args: Array<string>) => {
  const r = await h.run(["secrets", "audit", "--check", "--json", ...args])
  return { code: r.code, stderr: r.stderr, report: JSON.parse(r.stdout) as { status: string; resolution: Record<string, unknown>; findings: Array<{ code: string; jsonPath: string; message: string }> } }
}

describe("secrets audit and doctor over the live resolver", () => {
  it("file refs are checked; exec refs only with --allow-exec", async () => {
    const h = await newHome("refs")
    await setup(h)
    const skipped = await audit(h)
    expect(skipped).toMatchObject({ code: 0, stderr: "", report: { status: "clean", resolution: { refsChecked: 1, skippedExecRefs: 1, resolvabilityComplete: false } } })
    const ran = await audit(h, "--allow-exec")
    expect(ran).toMatchObject({ code: 0, report: { status: "clean", resolution: { refsChecked: 2, skippedExecRefs: 0, resolvabilityComplete: true } } })
  })

  it("a resolver that prints the key and then fails: its stderr is shown without the key (status, doctor, audit)", async () => {
    const h = await newHome("traced")
    const { resolver } = await setup(h)
    // What `set -x; printf "$KEY"; exit 1` does: the value on stdout, a trace of it on stderr, a failure.
    await h.write(
      resolver,
      `#!${process.execPath}\nrequire("node:fs").readFileSync(0, "utf8")\nconst key = ${JSON.stringify(SECRETS.openaiKey)}\nprocess.stdout.write(key)\nprocess.stderr.write("+ printf %s " + key + "\\n")\nprocess.exitCode = 1\n`,
      0o700
    )
    const r = await audit(h, "--allow-exec")
    expect(r.code).toBe(2)
    const finding = r.report.findings.find((f) => f.jsonPath.includes("openai:default"))
    expect(finding?.message).toContain("exited with code 1: + printf %s <redacted>")
    for (const args of [["models", "status"], ["models", "status", "--json"], ["doctor", "--json"]]) {
      const run = await h.run(args)
      expect(`${run.stdout}${run.stderr}`).toContain("exited with code 1")
    }
    // No piece of SECRETS in any run: checked for every run of this file in afterAll.
  })

  it("a secrets file others can write does not resolve: audit exits 2, doctor fails it and --fix leaves its mode", async () => {
    const h = await newHome("insecure")
    const { secretsFile, resolver } = await setup(h, { fileMode: 0o664, commandMode: 0o775 })
    const r = await audit(h)
    expect(r.code).toBe(2)
    expect(r.report.findings).toEqual([expect.objectContaining({ code: "REF_UNRESOLVED", jsonPath: "models.providers.local.apiKey" })])
    expect(r.report.findings[0]!.message).toContain("writable by its group")

    const doctor = await h.run(["doctor", "--json"])
    expect(doctor.code).toBe(1)
    const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ id: string; status: string; subject: string | null; summary: string }> }).checks
    expect(checks.filter((c) => c.id === "secret-providers").map((c) => [c.subject, c.status])).toEqual([
      ["secrets.providers.keys", "fail"],
      ["secrets.providers.vault", "fail"]
    ])
    expect(checks.filter((c) => c.id === "secret-refs" && c.status === "fail").map((c) => c.subject)).toEqual([
      `${h.config} models.providers.local.apiKey`,
      `${h.store} profiles.openai:default.keyRef`
    ])

    const fixed = await h.run(["doctor", "--fix", "--yes"])
    expect(fixed.code).toBe(1)
    expect(((await fs.stat(secretsFile)).mode & 0o777).toString(8)).toBe("664")
    expect(((await fs.stat(resolver)).mode & 0o777).toString(8)).toBe("775")
  })

  it("doctor names a symlinked exec command; allowSymlinkCommand with trustedDirs accepts it", async () => {
    const h = await newHome("symlink")
    const { resolver } = await setup(h)
    const link = path.join(h.home, "resolver-link")
    await fs.symlink(resolver, link)
    const config = JSON.parse((await h.readText(h.config))!)
    config.secrets.providers.vault.command = link
    await h.write(h.config, JSON.stringify(config))
    const checks = async () =>
      (JSON.parse((await h.run(["doctor", "--json"])).stdout) as { checks: Array<{ id: string; status: string; summary: string }> }).checks.filter(
        (c) => c.id === "secret-providers"
      )
    expect(await checks()).toEqual([expect.objectContaining({ status: "fail", summary: `secrets provider "vault" will not run: its command ${link} is a symlink (allowSymlinkCommand is not set)` })])
    config.secrets.providers.vault = { ...config.secrets.providers.vault, allowSymlinkCommand: true, trustedDirs: [path.dirname(resolver)] }
    await h.write(h.config, JSON.stringify(config))
    expect(await checks()).toEqual([expect.objectContaining({ status: "ok" })])
  })
})
