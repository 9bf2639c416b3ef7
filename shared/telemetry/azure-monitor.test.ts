import { ManagedIdentityCredential } from "@azure/identity";
import { shutdownAzureMonitor, useAzureMonitor } from "@azure/monitor-opentelemetry";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSampleHost } from "../../test/host/run-host";
import { createJobTelemetry, JOB_METRICS } from "../jobs";
import { azureMonitorOptions, startAzureMonitor } from "./azure-monitor";

const CONNECTION_STRING = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/";

describe("Azure Monitor options", () => {
  it("are off without APPLICATIONINSIGHTS_CONNECTION_STRING", () => {
    expect(azureMonitorOptions({})).toBeUndefined();
    expect(azureMonitorOptions({ APPLICATIONINSIGHTS_CONNECTION_STRING: " " })).toBeUndefined();
    expect(startAzureMonitor({})).toBe(false);
  });

  it("send with the managed identity the authentication string names (Entra ID), else with the connection string alone", () => {
    const withIdentity = azureMonitorOptions({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "ClientId=1b2c3d4e-0000-0000-0000-000000000001;Authorization=AAD" });
    expect(withIdentity?.azureMonitorExporterOptions?.connectionString).toBe(CONNECTION_STRING);
    expect(withIdentity?.azureMonitorExporterOptions?.credential).toBeInstanceOf(ManagedIdentityCredential);
    const withKey = azureMonitorOptions({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING });
    expect(withKey?.azureMonitorExporterOptions?.credential).toBeUndefined();
  });
});

describe("the telemetry setup", () => {
  it("turns on exactly the instrumentations the app relies on and samples by a fixed percentage", () => {
    const options = azureMonitorOptions({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING });
    const enabled = Object.entries(options?.instrumentationOptions ?? {})
      .filter(([, config]) => config?.enabled)
      .map(([name]) => name);
    expect(enabled.sort()).toEqual(["azureSdk", "http"]);
    expect(options).toMatchObject({ samplingRatio: 1, tracesPerSecond: 0 });
  });

  it("host.json hands the host's telemetry to OpenTelemetry, so the worker's spans and logs join the host's invocation", () => {
    const hostJson = JSON.parse(readFileSync(join(__dirname, "../../host.json"), "utf8")) as Record<string, unknown>;
    expect(hostJson.telemetryMode).toBe("OpenTelemetry");
  });
});

describe("the Azure Monitor distro with these options", () => {
  const statsbeat = process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED;
  let ingestion: IngestionServer;
  beforeAll(async () => {
    process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED = "true";
    ingestion = await startIngestionServer();
  });
  afterAll(async () => {
    if (statsbeat === undefined) delete process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED;
    else process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED = statsbeat;
    await ingestion?.close();
  });

  it("exports the job metrics to the ingestion endpoint as Application Insights metrics (customMetrics), with their attributes as properties", async () => {
    const options = azureMonitorOptions({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionStringFor(ingestion) });
    // The ingestion endpoint is always HTTPS: the test's server has a self-signed certificate.
    useAzureMonitor({ ...options, azureMonitorExporterOptions: { ...options?.azureMonitorExporterOptions, tlsOptions: { ca: ingestion.certificate } } });
    const telemetry = createJobTelemetry({ log: () => undefined });
    telemetry.post({ contract: 2, operationId: "op", correlationId: "c", organizationName: "contoso", outcome: "succeeded", truncated: true, synchronous: false, durationInMs: 3 });
    await shutdownAzureMonitor();

    const metrics = ingestion.envelopes.filter((envelope) => envelope.name.endsWith("Metric")).map((envelope) => envelope.data.baseData);
    for (const name of [JOB_METRICS.posts, JOB_METRICS.truncations]) {
      expect(metrics.find((metric) => metric.metrics?.some((point) => point.name === name)), name).toMatchObject({
        metrics: [expect.objectContaining({ name, value: 1 })],
        properties: { organization: "contoso", contract: "Queue", outcome: "succeeded" },
      });
    }
  });
});

describe("a function app whose entry starts telemetry first, in the local host", () => {
  const traceId = randomBytes(16).toString("hex");
  let ingestion: IngestionServer;
  let certificateDir: string;
  let invocationSpanId: string;
  const envelopesOfTheCall = () => ingestion.envelopes.filter((envelope) => envelope.tags?.["ai.operation.id"] === traceId);

  beforeAll(async () => {
    ingestion = await startIngestionServer();
    certificateDir = mkdtempSync(join(tmpdir(), "ingestion-ca-"));
    writeFileSync(join(certificateDir, "ca.pem"), ingestion.certificate);
    const host = await startSampleHost({
      app: join(__dirname, "../../test/telemetry-app"),
      env: { APPLICATIONINSIGHTS_CONNECTION_STRING: connectionStringFor(ingestion), APPLICATIONINSIGHTS_STATSBEAT_DISABLED: "true", NODE_EXTRA_CA_CERTS: join(certificateDir, "ca.pem") },
    });
    try {
      // The caller's trace: the host makes the invocation a span of it, as Azure's host does.
      const response = await fetch(`${host.baseUrl}/api/probe`, { headers: { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` } });
      expect(response.status).toBe(200);
      const { traceParent } = (await response.json()) as { traceParent: string };
      expect(traceParent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      invocationSpanId = traceParent.split("-")[2];
      // Spans and logs leave in batches every 5 s.
      const deadline = Date.now() + 20_000;
      const arrived = (name: string) => envelopesOfTheCall().some((envelope) => envelope.data.baseData.name === name || envelope.data.baseData.message === name);
      while (Date.now() < deadline && !(arrived("probe: invoked") && arrived("probe: structured") && arrived("TableClient.createTable"))) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await host.stop();
    }
  }, 60_000);
  afterAll(async () => {
    await ingestion?.close();
    if (certificateDir) rmSync(certificateDir, { recursive: true, force: true });
  });

  it("sends the invocation's context.log lines as traces of the invocation", () => {
    const message = envelopesOfTheCall().find((envelope) => envelope.name.endsWith("Message") && envelope.data.baseData.message === "probe: invoked");
    expect(message?.tags).toMatchObject({ "ai.operation.id": traceId, "ai.operation.parentId": invocationSpanId });
  });

  it("sends a structured log record once, as a trace of the invocation with its level and its fields as properties (customDimensions)", () => {
    const records = envelopesOfTheCall().filter((envelope) => envelope.data.baseData.message === "probe: structured");
    expect(records).toHaveLength(1);
    expect(records[0].name).toMatch(/Message$/);
    expect(records[0].tags).toMatchObject({ "ai.operation.id": traceId, "ai.operation.parentId": invocationSpanId });
    expect(records[0].data.baseData).toMatchObject({
      severityLevel: "Warning",
      properties: { event: "systemJobSweep", startedCount: "2", startedJobIds: "a,b", resumedCount: "0" },
    });
  });

  it("records the Table call as one dependency of the invocation, with the Azure SDK's HTTP call under it and no second copy", () => {
    const dependencies = envelopesOfTheCall().filter((envelope) => envelope.name.endsWith("RemoteDependency"));
    expect(dependencies.map((envelope) => envelope.data.baseData.name).sort()).toEqual(["POST /devstoreaccount1/Tables", "TableClient.createTable"]);
    const table = dependencies.find((envelope) => envelope.data.baseData.name === "TableClient.createTable")!;
    const request = dependencies.find((envelope) => envelope.data.baseData.name !== "TableClient.createTable")!;
    expect(table.tags?.["ai.operation.parentId"]).toBe(invocationSpanId);
    expect(request.tags?.["ai.operation.parentId"]).toBe(table.data.baseData.id);
  });
});

interface Envelope {
  name: string;
  tags?: Record<string, string>;
  data: { baseData: { metrics?: { name: string; value: number }[]; properties?: Record<string, string>; message?: string; severityLevel?: string; id?: string; name?: string } };
}

/** Ingestion and Live Metrics both at the test's server, so nothing leaves the machine. */
const connectionStringFor = (ingestion: IngestionServer) =>
  `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${ingestion.url};LiveEndpoint=${ingestion.url}`;

interface IngestionServer {
  url: string;
  certificate: string;
  envelopes: Envelope[];
  close(): Promise<void>;
}

/** An HTTPS server on 127.0.0.1 (self-signed) that accepts Application Insights' track calls and keeps their envelopes. */
async function startIngestionServer(): Promise<IngestionServer> {
  const dir = mkdtempSync(join(tmpdir(), "ingestion-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
  const certificate = readFileSync(join(dir, "cert.pem"), "utf8");
  const key = readFileSync(join(dir, "key.pem"), "utf8");
  rmSync(dir, { recursive: true, force: true });
  const envelopes: Envelope[] = [];
  const server = createServer({ cert: certificate, key }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body = request.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
      // Only the track calls carry envelopes; Live Metrics pings get an empty answer.
      const received = /\/track$/.test(request.url ?? "") ? (JSON.parse(body.toString("utf8") || "[]") as Envelope[]) : [];
      envelopes.push(...received);
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ itemsReceived: received.length, itemsAccepted: received.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/`,
    certificate,
    envelopes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
