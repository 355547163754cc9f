/**
 * The order in which the test files start: the long ones first, longest first, so that the two forks
 * (vitest.config.ts) end at about the same time rather than one running a long file alone at the end. vitest's
 * own order goes by the durations of earlier runs on this machine and, in a fresh clone, by file size, which starts
 * short files with long tests (scale, oauth-race, fuzz) last. The files below come first in a fixed order; the rest
 * follow in vitest's order.
 */
import * as path from "node:path"
import { BaseSequencer, type TestSpecification } from "vitest/node"

/**
 * Seconds each took in a whole-suite run on a quiet 2-core machine (both forks busy; rounded), less what later
 * commits took out (fuzz: jsonc-parser loaded once; concurrency, writes and secretResolvers: waits overlapped);
 * only the order matters.
 */
const LONG: Readonly<Record<string, number>> = {
  "test/proof/crash.e2e.test.ts": 83,
  "test/e2e/writes.e2e.test.ts": 63,
  "test/proof/secrets.e2e.test.ts": 59,
  "test/proof/concurrency.e2e.test.ts": 34,
  "test/gateway/load.e2e.test.ts": 31,
  "test/scale.test.ts": 20,
  "test/e2e/oauth-race.e2e.test.ts": 17,
  "test/e2e/bad-input.e2e.test.ts": 16,
  "test/e2e/status.e2e.test.ts": 15,
  "test/fuzz.test.ts": 15,
  "test/e2e/monitor.e2e.test.ts": 14,
  "test/scripts/secretResolvers.test.ts": 10,
  "test/gateway/secretsReload.test.ts": 9,
  "test/e2e/onboard.e2e.test.ts": 8,
  "test/e2e/pty.e2e.test.ts": 8,
  "test/gateway/hostile-provider.e2e.test.ts": 7
}

export class LongestFirst extends BaseSequencer {
  override async sort(files: Array<TestSpecification>): Promise<Array<TestSpecification>> {
    const byVitest = await super.sort(files)
    const weight = (f: TestSpecification) => LONG[path.relative(f.project.config.root, f.moduleId).split(path.sep).join("/")] ?? 0
    // A stable sort: the files not listed keep vitest's order.
    return [...byVitest].sort((a, b) => weight(b) - weight(a))
  }
}
