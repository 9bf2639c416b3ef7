import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const FIXTURES = resolve(__dirname, "fixtures");
const VITEST = resolve(__dirname, "../../node_modules/vitest/vitest.mjs");

/** Runs vitest on one fixture file with the summary reporter, as `npm test` would run it. */
function runFixture(name: string): { status: number | null; summary: string | undefined; output: string } {
  const result = spawnSync(process.execPath, [VITEST, "run", "--config", resolve(FIXTURES, "vitest.config.mts"), name], { cwd: FIXTURES, encoding: "utf8", timeout: 60_000 });
  const output = `${result.stdout}${result.stderr}`;
  return { status: result.status, summary: /^Tests: .*$/m.exec(result.stdout)?.[0], output };
}

describe("the summary line CI reads", () => {
  it.each([
    ["a beforeAll that throws (its tests are skipped)", "failing-before-all.fixture.ts", "Tests: 1 passed, 1 failed, 2 skipped"],
    ["an afterAll that throws after a failed test", "failing-after-all.fixture.ts", "Tests: 1 passed, 2 failed, 0 skipped"],
    ["a module that fails to load", "failing-import.fixture.ts", "Tests: 0 passed, 1 failed, 0 skipped"],
  ])("counts %s as a failure, as vitest's exit code does", (_case, fixture, summary) => {
    const run = runFixture(fixture);
    expect(run.status, run.output).toBe(1);
    expect(run.summary, run.output).toBe(summary);
  });
});
