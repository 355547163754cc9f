import { defineConfig } from "vitest/config"
import { scaled } from "./test/support/Timing.js"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/globalSetup.ts"],
    // Scaled to the machine's load (test/support/Timing.ts): a timeout bounds a hang, it never decides an outcome.
    testTimeout: scaled(30_000),
    hookTimeout: scaled(60_000),
    // Two cores: end-to-end tests spawn processes, so keep the pool small.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    pool: "forks"
  }
})
