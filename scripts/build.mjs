// Builds the CLI bundle (dist/openclaw-main.cjs) and its launcher (dist/openclaw.cjs), then warms V8's code cache.
// Runs from `prepare`, so `npm ci` leaves a working `openclaw`. Each output file is replaced atomically, so an
// `openclaw` running while the tests rebuild never sees a missing or half-written bundle.
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const common = { bundle: true, platform: "node", target: "node20", format: "cjs", mainFields: ["module", "main"], logLevel: "warning", legalComments: "none", write: false }

mkdirSync("dist", { recursive: true })
const [main, launcher] = await Promise.all([
  build({ ...common, entryPoints: ["src/bin/openclaw.ts"], outfile: "dist/openclaw-main.cjs", minifySyntax: true, minifyWhitespace: true }),
  build({ ...common, entryPoints: ["src/bin/launcher.ts"], outfile: "dist/openclaw.cjs", banner: { js: "#!/usr/bin/env node" } })
])

const replace = (file, contents, mode) => {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, contents, { mode })
  renameSync(tmp, file)
}
replace("dist/openclaw-main.cjs", main.outputFiles[0].contents, 0o644)
replace("dist/openclaw.cjs", launcher.outputFiles[0].contents, 0o755)
chmodSync("dist/openclaw.cjs", 0o755)

// Warm the code cache with a real command against an empty state dir (V8 rejects a cache made for other source).
const state = mkdtempSync(join(tmpdir(), "openclaw-build-"))
try {
  execFileSync(process.execPath, ["dist/openclaw.cjs", "models", "status", "--json"], {
    env: { ...process.env, OPENCLAW_STATE_DIR: state, OPENCLAW_CONFIG_PATH: join(state, "openclaw.json") },
    stdio: "ignore"
  })
} catch {
  // A failing warm-up only costs start-up speed; the tests will say what is wrong.
} finally {
  rmSync(state, { recursive: true, force: true })
}
