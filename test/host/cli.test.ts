import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const HOST_MAIN = resolve(__dirname, "../../dist/local/host/main.js");
const START = resolve(__dirname, "../../dist/local/start.js");
const runScript = (script: string, ...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: "utf8", timeout: 20_000 });
const run = (...args: string[]) => runScript(HOST_MAIN, ...args);

describe("npm run host: bad input", () => {
  it("names the problem and exits with code 2", () => {
    const missingApp = run("--app", resolve(__dirname, "no-such-app"), "--port", "0");
    expect(missingApp.status).toBe(2);
    expect(missingApp.stderr).toContain("no-such-app/package.json: not found");
    const badPort = run("--port", "seventy");
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain('--port: "seventy" is not a port number');
    const badScale = run("--time-scale", "0");
    expect(badScale.status).toBe(2);
    expect(badScale.stderr).toContain('--time-scale: "0" must be a positive number');
  });
});

describe("npm start: bad input", () => {
  it("refuses a time scale that is not a positive number before starting anything, with code 2", () => {
    const badScale = runScript(START, "--time-scale", "fast");
    expect(badScale.status).toBe(2);
    expect(badScale.stderr).toContain('--time-scale: "fast" must be a positive number');
    expect(badScale.stdout).not.toContain("Starting");
  });
});
