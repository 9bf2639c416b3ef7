import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnManaged } from "../../local/util/child";
import { eventually } from "../host/run-host";
import { acceptsConnections } from "../support/ports";

const FIXTURE_DIR = resolve(__dirname, "fixtures/interrupted");
const VITEST = resolve(__dirname, "../../node_modules/vitest/vitest.mjs");

// `npm test` interrupted: vitest runs one file with the test run's global setup (Azurite, the broker) and
// a test that has started a host; nothing it started may outlive it.
describe("an interrupted test run", () => {
  it.each([
    ["Ctrl-C (SIGINT to its process group)", "SIGINT", "group", 130],
    ["SIGTERM to vitest", "SIGTERM", "process", 143],
    ["closing the terminal (SIGHUP to its process group)", "SIGHUP", "group", 129],
    ["SIGKILL to vitest", "SIGKILL", "process", null],
  ] as const)("%s stops Azurite and the test's host", async (_name, signal, target, exitCode) => {
    const runFile = join(mkdtempSync(join(tmpdir(), "interrupted-run-")), "run.json");
    const output: string[] = [];
    const run = spawnManaged(process.execPath, [VITEST, "run", "--config", join(FIXTURE_DIR, "vitest.config.mts")], {
      cwd: FIXTURE_DIR,
      env: { ...process.env, INTERRUPTED_RUN_FILE: runFile },
      onOutput: (line) => output.push(line),
    });
    try {
      const started = await eventually(() => existsSync(runFile) && (JSON.parse(readFileSync(runFile, "utf8")) as { storage: string; hostPort: number }), 60_000, "the run's host");
      const tablePort = Number(/TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(started.storage)?.[1]);
      expect(await acceptsConnections(tablePort)).toBe(true);
      expect(await acceptsConnections(started.hostPort)).toBe(true);

      const exited = new Promise<number | null>((done) => run.process.once("exit", (code) => done(code)));
      process.kill(target === "group" ? -run.process.pid! : run.process.pid!, signal);
      expect(await exited, output.join("\n")).toBe(exitCode);
      await eventually(async () => !(await acceptsConnections(tablePort)), 10_000, "Azurite to stop");
      await eventually(async () => !(await acceptsConnections(started.hostPort)), 10_000, "the host to stop");
    } finally {
      await run.stop();
    }
  });
});
