import { defineConfig } from "vitest/config"
import { LongestFirst } from "./test/support/Sequencer.js"
import { scaled } from "./test/support/Timing.js"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    // Scaled to the machine's load (test/support/Timing.ts): a timeout bounds a hang, it never decides an outcome.
    testTimeout: scaled(30_000),
    hookTimeout: scaled(60_000),
    // Two cores: end-to-end tests spawn processes, so keep the pool small. Each fork runs file after file without
    // starting afresh: a new process per file cost ~1.5 s of CPU each (start-up, loading effect and the app again),
    // ~90 s of the suite. Nothing in the tests depends on a fresh module state (no mocks, no process.env or cwd
    // changes; per-file records such as Sandbox's runs are kept per file).
    poolOptions: { forks: { maxForks: 2, minForks: 1, isolate: false } },
    pool: "forks",
    sequence: { sequencer: LongestFirst }
  }
})
