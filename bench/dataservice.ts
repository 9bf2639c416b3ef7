import { randomUUID } from "node:crypto";
import { startAzurite } from "../local/storage/azurite";
import { serveOnLoopback } from "../local/util/loopback-http";
import { createDataService, handleHttp, readDataServiceSettings } from "../shared/dataservice";
import type { BenchSuite } from "./suite";
import { ratio } from "./suite";

const CLIENTS = 16;
const DURATION_MS = 2000;
const ROUNDS = 5;
const ORGANIZATION = "bench";
const ACCOUNT = { name: "Benchmark Ltd", revenue: 1000.5, industrycode: 7, telephone1: "+1 555 0100" };

/**
 * Create requests/s through the Web API with 16 concurrent clients, beside a bare HTTP handler on the
 * same loopback server that inserts the same entity into the same table; and storage round trips per
 * Create, Update and Retrieve. Both run in-process behind one node:http server (not the Functions host).
 */
export const dataServiceSuite: BenchSuite = {
  name: "dataservice",
  async run(log) {
    const azurite = await startAzurite();
    const env = { AzureWebJobsStorage: azurite.connectionString, Organizations: ORGANIZATION, AllowAnonymousAsAdmin: "true" };
    const service = createDataService({ env, settings: readDataServiceSettings(env) });
    const table = service.store.client;
    const server = await serveOnLoopback(async (request) => {
      if (new URL(request.url).pathname === "/bare/accounts") {
        const body = (await request.json()) as Record<string, unknown>;
        await table.createEntity({ partitionKey: ORGANIZATION, rowKey: `account|${randomUUID()}`, ...body, revenue: String(body.revenue) });
        return new Response(null, { status: 204 });
      }
      const response = await handleHttp(service.webApi, request);
      return new Response(response.body ?? null, { status: response.status, headers: response.headers });
    });
    try {
      const api = `${server.origin}/${ORGANIZATION}/api/data/v9.2/`;
      const post = (url: string) => () =>
        fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(ACCOUNT) }).then(expectStatus(204));
      await post(`${api}accounts`)(); // provisions the organization and creates the table
      await concurrentRate(post(`${server.origin}/bare/accounts`), 500); // warm-up
      await concurrentRate(post(`${api}accounts`), 500);
      // Alternate the two so drift on a shared machine hits both alike; keep each one's best round.
      let bare = 0;
      let webApi = 0;
      for (let round = 1; round <= ROUNDS; round++) {
        bare = Math.max(bare, await concurrentRate(post(`${server.origin}/bare/accounts`), DURATION_MS));
        webApi = Math.max(webApi, await concurrentRate(post(`${api}accounts`), DURATION_MS));
        log(`round ${round}: bare ${bare.toFixed(0)}/s, Web API ${webApi.toFixed(0)}/s (best so far)`);
      }

      const create = await service.roundTrips.measure(() => post(`${api}accounts`)());
      const page = (await (await fetch(`${api}accounts?$top=1&$select=name`)).json()) as { value: { accountid: string }[] };
      const id = page.value[0].accountid;
      const update = await service.roundTrips.measure(() =>
        fetch(`${api}accounts(${id})`, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: '{"name":"Updated"}' }).then(expectStatus(204)),
      );
      const retrieve = await service.roundTrips.measure(() => fetch(`${api}accounts(${id})`).then(expectStatus(200)));
      return [
        `In-process: both handlers behind one node:http server on 127.0.0.1 (the Functions host was not used), Azurite in memory, ${CLIENTS} concurrent clients, best of ${ROUNDS} alternating rounds of ${DURATION_MS / 1000} s each.`,
        "",
        "| measure | value |",
        "|---|---|",
        `| bare handler Create (createEntity) | ${bare.toFixed(0)} req/s |`,
        `| Web API Create (\`POST /accounts\`) | ${webApi.toFixed(0)} req/s |`,
        `| ratio Web API / bare (goal ≥ 0.6) | ${ratio(webApi, bare)} |`,
        `| storage round trips per Create (goal 1) | ${create.roundTrips} |`,
        `| storage round trips per Update (goal 2) | ${update.roundTrips} |`,
        `| storage round trips per Retrieve | ${retrieve.roundTrips} |`,
      ];
    } finally {
      await server.close();
      await azurite.stop();
    }
  },
};

export function expectStatus(status: number): (response: Response) => Promise<void> {
  return async (response) => {
    if (response.status !== status) throw new Error(`Expected ${status}, got ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };
}

/** Requests per second that CLIENTS concurrent loops of `request` complete in `durationMs`. */
export async function concurrentRate(request: () => Promise<void>, durationMs: number): Promise<number> {
  const start = process.hrtime.bigint();
  const deadline = Date.now() + durationMs;
  let completed = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < deadline) {
        await request();
        completed++;
      }
    }),
  );
  return (completed * 1e9) / Number(process.hrtime.bigint() - start);
}
