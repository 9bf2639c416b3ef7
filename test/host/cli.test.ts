import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const HOST_MAIN = resolve(__dirname, "../../dist/local/host/main.js");
const run = (...args: string[]) => spawnSync(process.execPath, [HOST_MAIN, ...args], { encoding: "utf8", timeout: 20_000 });

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
    expect(badScale.stderr).toContain("--time-scale");
  });
});
