import type { Reporter, TestModule } from "vitest/node" with { "resolution-mode": "import" };

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Counts the run as CI should read it: every test by its result, plus one failure for each module or
 * suite whose own hooks (beforeAll, afterAll) or collection failed — its tests are then skipped or
 * passed, yet the run fails — and for a failed module nothing else accounts for.
 */
export function countTests(testModules: ReadonlyArray<TestModule>): TestCounts {
  const counts: TestCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const module of testModules) {
    const failedBefore = counts.failed;
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === "passed") counts.passed++;
      else if (state === "failed") counts.failed++;
      else counts.skipped++;
    }
    for (const owner of [module, ...module.children.allSuites()]) if (owner.errors().length > 0) counts.failed++;
    if (module.state() === "failed" && counts.failed === failedBefore) counts.failed++;
  }
  return counts;
}

/** Prints the plain closing line `Tests: N passed, N failed, N skipped` that CI reads. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const { passed, failed, skipped } = countTests(testModules);
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
