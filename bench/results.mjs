// Where the benchmarks write their figures: bench/results/latest.json (gitignored), one key per section.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results")
export const LATEST = join(RESULTS_DIR, "latest.json")

/** A section measured alone (`npm run bench:gateway`, `bench:hostile`) replaces its key and keeps the others. */
export const mergeSection = (section, result) => {
  mkdirSync(RESULTS_DIR, { recursive: true })
  let combined = {}
  try {
    combined = JSON.parse(readFileSync(LATEST, "utf8"))
  } catch {
    // no earlier results: the file holds this section only
  }
  combined[section] = result
  writeFileSync(LATEST, JSON.stringify(combined, null, 2) + "\n")
  return relative(process.cwd(), LATEST)
}
