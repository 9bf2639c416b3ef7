import { createConnection } from "node:net";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnManaged } from "../../local/util/child";
import { freePort } from "../../local/util/free-port";
import { eventually } from "./run-host";

const START = resolve(__dirname, "../../dist/local/start.js");

const accepts = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });

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
      expect(await accepts(tablePort)).toBe(true);
      expect(await accepts(brokerPort)).toBe(true);

      const exited = new Promise<number | null>((done) => child.process.once("exit", (code) => done(code)));
      child.process.kill(signal);
      expect(await exited).toBe(0);
      expect(await accepts(port)).toBe(false);
      expect(await accepts(tablePort)).toBe(false);
      expect(await accepts(brokerPort)).toBe(false);
    } finally {
      await child.stop();
    }
  });
});
