/**
 * What a cold `openclaw models status --check` loads of Node's own modules (issue 16: every command's start-up).
 * Each of these costs 0.5–5 ms to load and this command has no use for any of them; each was loaded once, by a
 * dependency or an import nobody needed on this path. A change that brings one back makes every cron run slower.
 */
import { readFile } from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { useSandboxes } from "../support/Sandbox.js"
import { HOUR, SECRETS, storeJson } from "./harness.js"

const newHome = useSandboxes()

const NOT_NEEDED = [
  "fs/promises", // only secret providers, the login shell and locks load it (services/NodeFs.ts); it loads readline
  "internal/readline/interface",
  "perf_hooks", // Effect's clock reads `performance` only for timed spans (patches/effect+3.22.4.patch, bin/openclaw.ts)
  "crypto", // dotenv's decryption (scripts/build.mjs)
  "http",
  "child_process"
]

describe("start-up of models status --check", () => {
  it("loads none of Node's modules it does not use, with a config, a .env and every kind of credential", async () => {
    const home = await newHome()
    const preload = await home.write(
      "record-modules.cjs",
      `process.on("exit", () => require("node:fs").writeFileSync(process.env.MODULES_OUT, process.moduleLoadList.join("\\n")))\n`
    )
    await home.write(home.config, `// JSON5\n{ agents: { defaults: { model: { primary: "anthropic/claude-opus-4-6" } } } }\n`)
    await home.write(path.join(home.state, ".env"), `OPENROUTER_API_KEY=${SECRETS.apiKey}\n`)
    await home.write(
      home.store,
      storeJson({
        "anthropic:work": { type: "token", provider: "anthropic", token: SECRETS.token, expires: Date.now() + 30 * 24 * HOUR },
        "anthropic:default": { type: "api_key", provider: "anthropic", key: SECRETS.apiKey }
      })
    )
    const out = path.join(home.home, "modules.txt")
    const r = await home.run(["models", "status", "--check"], { env: { NODE_OPTIONS: `--require ${preload}`, MODULES_OUT: out } })
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" })
    expect(r.stdout).toContain("anthropic:work")
    const loaded = (await readFile(out, "utf8")).split("\n")
    expect(loaded).toContain("NativeModule fs") // the recording itself works
    expect(NOT_NEEDED.filter((m) => loaded.includes(`NativeModule ${m}`))).toEqual([])
  })
})
