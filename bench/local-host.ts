import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { startHost } from "../local/host/host";
import { defaultExtensions } from "../local/host/extensions";
import type { HostLogger } from "../local/host/logger";
import { startAzurite } from "../local/storage/azurite";
import { opsPerSecond, ratio, type BenchSuite } from "./suite";

const SAMPLE_APP = resolve(__dirname, "../../test/sample-app");
const quiet: HostLogger = { functionLog: () => undefined, invocation: () => undefined, host: () => undefined };
/** Azure's published figure for the Azure Storage backend: about 5 sequential activities/s per instance. */
const AZURE_STORAGE_SEQUENTIAL_ACTIVITIES_PER_SECOND = 5;

async function bareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ message: "Hello, bench!" }));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((done) => server.close(() => done())) };
}

/** The local Functions host: HTTP invocation overhead and Durable activity throughput. */
export const localHostSuite: BenchSuite = {
  name: "local-host",
  async run(log) {
    const azurite = await startAzurite();
    process.env.AzureWebJobsStorage = azurite.connectionString;
    process.env.ServiceBusConnection = "";
    const host = await startHost({ appDir: SAMPLE_APP, port: 0, logger: quiet }, defaultExtensions());
    const bare = await bareServer();
    try {
      const viaHost = await opsPerSecond(async () => (await fetch(`${host.baseUrl}/api/hello/bench`)).json());
      const baseline = await opsPerSecond(async () => (await fetch(bare.url)).json());
      log(`HTTP: ${viaHost.toFixed(0)} req/s through the host, ${baseline.toFixed(0)} req/s bare node:http`);

      const activities = 20;
      const durableStart = process.hrtime.bigint();
      const started = await fetch(`${host.baseUrl}/api/orchestrators/sequenceOrchestrator`, { method: "POST", body: String(activities) });
      const { statusQueryGetUri } = (await started.json()) as { statusQueryGetUri: string };
      while ((await fetch(statusQueryGetUri)).status === 202) await new Promise((done) => setTimeout(done, 20));
      const seconds = Number(process.hrtime.bigint() - durableStart) / 1e9;
      const perSecond = activities / seconds;
      log(`Durable: ${activities} sequential activities in ${seconds.toFixed(2)} s`);
      return [
        "| measure | local host | baseline | ratio |",
        "|---|---|---|---|",
        `| HTTP trigger round trips/s (hello) vs bare node:http | ${viaHost.toFixed(0)} | ${baseline.toFixed(0)} | ${ratio(viaHost, baseline)} |`,
        `| sequential activities/s in one orchestration vs Azure Storage backend's published ~5/s | ${perSecond.toFixed(1)} | ${AZURE_STORAGE_SEQUENTIAL_ACTIVITIES_PER_SECOND} | ${ratio(perSecond, AZURE_STORAGE_SEQUENTIAL_ACTIVITIES_PER_SECOND)} |`,
      ];
    } finally {
      await bare.close();
      await host.stop();
      await azurite.stop();
    }
  },
};
