import { ManagedIdentityCredential } from "@azure/identity";
import { shutdownAzureMonitor, useAzureMonitor } from "@azure/monitor-opentelemetry";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
    const options = azureMonitorOptions({ APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${ingestion.url}` });
    // The ingestion endpoint is always HTTPS: the test's server has a self-signed certificate.
    useAzureMonitor({ ...options, azureMonitorExporterOptions: { ...options?.azureMonitorExporterOptions, tlsOptions: { ca: ingestion.certificate } } });
    const telemetry = createJobTelemetry({ log: () => undefined });
    telemetry.post({ contract: 2, operationId: "op", correlationId: "c", organizationName: "contoso", outcome: "succeeded", truncated: true, durationInMs: 3 });
    await shutdownAzureMonitor();

    const metrics = ingestion.envelopes.filter((envelope) => envelope.name.endsWith("Metric")).map((envelope) => envelope.data.baseData);
    for (const name of [JOB_METRICS.posts, JOB_METRICS.truncations]) {
      expect(metrics.find((metric) => metric.metrics.some((point) => point.name === name)), name).toMatchObject({
        metrics: [expect.objectContaining({ name, value: 1 })],
        properties: { organization: "contoso", contract: "Queue", outcome: "succeeded" },
      });
    }
  });
});

interface Envelope {
  name: string;
  data: { baseData: { metrics: { name: string; value: number }[]; properties?: Record<string, string> } };
}

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
      const received = JSON.parse(body.toString("utf8") || "[]") as Envelope[];
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
