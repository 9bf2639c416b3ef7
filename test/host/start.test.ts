import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnManaged } from "../../local/util/child";
import { freePort } from "../../local/util/free-port";
import { eventually } from "./run-host";
import { acceptsConnections } from "../support/ports";

const START = resolve(__dirname, "../../dist/local/start.js");

describe("npm start", () => {
  it.each([
    ["Ctrl-C", "SIGINT"],
    ["closing the terminal", "SIGHUP"],
  ] as const)("starts storage, the broker and the host, prints every endpoint, and %s stops all of them", async (_name, signal) => {
    const port = await freePort();
    const output: string[] = [];
    const child = spawnManaged(process.execPath, [START, "--port", String(port), "--time-scale", "60"], { onOutput: (line) => output.push(line) });
    try {
      await eventually(() => output.some((line) => line.startsWith("Ready.")), 30_000, `npm start to be ready:\n${output.join("\n")}`);
      const text = output.join("\n");
      expect(text).toContain(`functions   http://127.0.0.1:${port}/`);
      expect(text).toMatch(/AzureWebJobsStorage=DefaultEndpointsProtocol=http;.*TableEndpoint=http:\/\/127\.0\.0\.1:\d+/);
      expect(text).toMatch(/ServiceBusConnection=Endpoint=sb:\/\/127\.0\.0\.1:\d+;/);
      const tablePort = Number(/TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1]);
      const brokerPort = Number(/ServiceBusConnection=Endpoint=sb:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1]);
      expect(await acceptsConnections(tablePort)).toBe(true);
      expect(await acceptsConnections(brokerPort)).toBe(true);

      const exited = new Promise<number | null>((done) => child.process.once("exit", (code) => done(code)));
      child.process.kill(signal);
      expect(await exited).toBe(0);
      expect(await acceptsConnections(port)).toBe(false);
      expect(await acceptsConnections(tablePort)).toBe(false);
      expect(await acceptsConnections(brokerPort)).toBe(false);
    } finally {
      await child.stop();
    }
  });
});
