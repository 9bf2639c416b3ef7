import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { freePort } from "../../local/util/free-port";

const HOST_MAIN = resolve(__dirname, "../../dist/local/host/main.js");
const START = resolve(__dirname, "../../dist/local/start.js");
const STORAGE = resolve(__dirname, "../../dist/local/storage/cli.js");
const SERVICEBUS = resolve(__dirname, "../../dist/local/servicebus/cli.js");
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

  it("names the function whose timer schedule is wrong", () => {
    const app = mkdtempSync(join(tmpdir(), "bad-timer-app-"));
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "bad-timer-app", main: "index.js" }));
    writeFileSync(join(app, "index.js"), `require(${JSON.stringify(require.resolve("@azure/functions"))}).app.timer("nightly", { schedule: "0 0 * * *", handler: async () => {} });\n`);
    const badSchedule = run("--app", app, "--port", "0");
    expect(badSchedule.status).toBe(2);
    expect(badSchedule.stderr).toContain('nightly: timer schedule "0 0 * * *" must have six fields');
  });
});

describe("npm run host with no storage running", () => {
  it("names the AzureWebJobsStorage setting, where it points and what to start (exit 2)", async () => {
    const port = await freePort();
    const key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    const storage = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
    const result = spawnSync(process.execPath, [HOST_MAIN, "--port", "0"], { cwd: resolve(__dirname, "../.."), env: { PATH: process.env.PATH, AzureWebJobsStorage: storage }, encoding: "utf8", timeout: 60_000 });
    expect(result.stderr).toContain(`AzureWebJobsStorage (127.0.0.1:${port}) is not reachable: start \`npm run storage\` and export the AzureWebJobsStorage connection string it prints`);
    expect(result.stderr).not.toContain(key);
    expect(result.status).toBe(2);
  });
});

describe("npm run host: a host.json member of the wrong shape", () => {
  it.each([
    [{ version: "3.0" }, 'version must be "2.0"'],
    [[], "must be a JSON object"],
    [{ version: "2.0", logging: { logLevel: { default: "loud" } } }, "logging.logLevel.default must be one of trace, debug, information, warning, error, critical, none"],
    [{ version: "2.0", extensions: { serviceBus: { maxConcurrentCalls: "x" } } }, "extensions.serviceBus.maxConcurrentCalls must be a positive integer"],
    [{ version: "2.0", extensions: { http: { routePrefix: 5 } } }, "extensions.http.routePrefix must be a string"],
    [{ version: "2.0", extensions: { durableTask: [] } }, "extensions.durableTask must be an object"],
  ])("%j is a usage error naming the file and the member (exit 2)", (hostJson, message) => {
    const app = mkdtempSync(join(tmpdir(), "bad-host-json-"));
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "bad-host-json", main: "index.js" }));
    writeFileSync(join(app, "index.js"), "");
    writeFileSync(join(app, "host.json"), JSON.stringify(hostJson));
    const result = run("--app", app, "--port", "0");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${join(app, "host.json")}: ${message}`);
    expect(result.stdout).not.toContain("Functions host ready");
  });
});

describe("--data that cannot be a directory", () => {
  const file = join(mkdtempSync(join(tmpdir(), "data-option-")), "a-file");
  writeFileSync(file, "not a directory");

  it.each([
    ["npm start", START],
    ["npm run storage", STORAGE],
    ["npm run servicebus", SERVICEBUS],
  ])("%s names the option and exits with code 2 before starting anything", (_name, script) => {
    for (const path of [file, join(file, "below")]) {
      const result = runScript(script, "--data", path);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`--data: "${path}" cannot be used as a data directory`);
      expect(result.stderr).toContain("usage:");
      expect(result.stdout).toBe("");
    }
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

describe("npm run servicebus: bad configuration", () => {
  it("refuses a queue name used twice before starting, naming the file and the entity (exit 2)", () => {
    const file = join(mkdtempSync(join(tmpdir(), "sb-duplicate-")), "config.json");
    writeFileSync(file, JSON.stringify({ UserConfig: { Namespaces: [{ Name: "ns", Queues: [{ Name: "orders" }, { Name: "orders" }] }] } }));
    const result = runScript(SERVICEBUS, "--config", file, "--port", "0");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${file}: queue orders: the name is already used by queue orders`);
    expect(result.stdout).toBe("");
  });
});
