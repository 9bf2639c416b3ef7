import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, readObservations, SAMPLE_KEYS, startSampleHost, type HostUnderTest } from "./run-host";

type Fault = "refuse" | "lose-answer";
/** More than the storage SDK's own attempts at one request (1 + 3 retries). */
const SDK_ATTEMPTS = 5;

/**
 * A proxy in front of Azurite's table endpoint that spoils one entity-group transaction: the `nth` whose
 * body names `marker` is refused (503, nothing written; its retries too, past the SDK's own) or committed
 * with its answer lost (the connection drops). Storage cannot be made to do either on demand.
 */
async function faultyTableProxy(target: URL, marker: string, nth: number, fault: Fault): Promise<{ url: string; spoiled(): boolean; close(): Promise<void> }> {
  let seen = 0;
  let spoiled = false;
  let refusals = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const matches = (incoming.url ?? "").includes("$batch") && body.toString("latin1").includes(marker);
      const hit = matches && !spoiled && ++seen === nth;
      if (fault === "refuse" && matches && (hit || (spoiled && refusals < SDK_ATTEMPTS))) {
        spoiled = true;
        refusals++;
        outgoing.writeHead(503).end();
        return;
      }
      const forwarded = httpRequest({ host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
        if (hit) {
          spoiled = true;
          answer.resume();
          outgoing.destroy();
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      forwarded.on("error", () => outgoing.destroy());
      forwarded.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    spoiled: () => spoiled,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

describe("local host: a Durable episode whose commit fails", () => {
  let host: HostUnderTest | undefined;
  let proxy: Awaited<ReturnType<typeof faultyTableProxy>> | undefined;
  afterEach(async () => {
    await host?.stop();
    await proxy?.close();
  });

  // The instance's second transaction is the episode that takes the first activity's result.
  it.each<Fault>(["refuse", "lose-answer"])("(%s) is retried without running the finished activity again, and records its result once", async (fault) => {
    const key = `fault-${fault}-${Date.now()}`;
    const storage = process.env.AzureWebJobsStorage ?? "";
    const tableEndpoint = new URL(/TableEndpoint=([^;]+)/.exec(storage)?.[1] ?? "");
    proxy = await faultyTableProxy(tableEndpoint, key, 2, fault);
    host = await startSampleHost({ env: { AzureWebJobsStorage: storage.replace(tableEndpoint.href.replace(/\/$/, ""), proxy.url.replace(/\/$/, "")) } });
    const started = await fetch(`${host.baseUrl}/api/orchestrators/recordPairOrchestrator/${key}`, { method: "POST", body: JSON.stringify({ key }) });
    expect(started.status).toBe(202);

    const statusUrl = `${host.baseUrl}/runtime/webhooks/durabletask/instances/${key}?showHistory=true&code=${SAMPLE_KEYS.durable}`;
    const done = await eventually(async () => {
      const body = (await (await fetch(statusUrl)).json()) as { runtimeStatus: string; output: unknown; historyEvents: { EventType: number; TaskScheduledId?: number }[] };
      return body.runtimeStatus === "Completed" ? body : undefined;
    }, 20_000, "completion");
    expect(proxy.spoiled()).toBe(true);
    expect(done.output).toEqual([`${key}:first`, `${key}:second`]);
    const recorded = readObservations(host.observationsFile, "record").map((entry) => entry.value);
    expect(recorded).toEqual([`${key}:first`, `${key}:second`]);
    const completions = done.historyEvents.filter((e) => e.EventType === 5).map((e) => e.TaskScheduledId);
    expect(completions).toEqual([0, 1]);
  });
});
