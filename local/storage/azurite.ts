import { createConnection } from "node:net";
import { mkdirSync } from "node:fs";
import { freePort } from "../util/free-port";
import { spawnManaged, type ManagedChild } from "../util/child";

/** Azurite's well-known development account key (public, documented by Microsoft). */
export const DEV_ACCOUNT_NAME = "devstoreaccount1";
export const DEV_ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  /** Persist data in this folder; in memory when absent. */
  dataDir?: string;
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  onOutput?: (line: string) => void;
}

export interface RunningAzurite {
  readonly blobPort: number;
  readonly queuePort: number;
  readonly tablePort: number;
  /** Azurite's process id (what a benchmark reads Azurite's CPU time by). */
  readonly pid: number | undefined;
  /** Connection string for the Functions runtime and the SDKs (blob, queue and table endpoints). */
  readonly connectionString: string;
  stop(): Promise<void>;
}

export function azuriteConnectionString(ports: { blobPort: number; queuePort: number; tablePort: number }): string {
  const base = "http://127.0.0.1";
  return (
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT_NAME};AccountKey=${DEV_ACCOUNT_KEY};` +
    `BlobEndpoint=${base}:${ports.blobPort}/${DEV_ACCOUNT_NAME};` +
    `QueueEndpoint=${base}:${ports.queuePort}/${DEV_ACCOUNT_NAME};` +
    `TableEndpoint=${base}:${ports.tablePort}/${DEV_ACCOUNT_NAME};`
  );
}

/** Starts Azurite from the project's own node_modules, bound to 127.0.0.1 on free ports. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const blobPort = options.blobPort ?? (await freePort());
  const queuePort = options.queuePort ?? (await freePort());
  const tablePort = options.tablePort ?? (await freePort());
  const bin = require.resolve("azurite/dist/src/azurite.js");
  const args = [
    bin,
    "--silent",
    "--disableTelemetry",
    "--skipApiVersionCheck",
    "--blobHost", "127.0.0.1", "--blobPort", String(blobPort),
    "--queueHost", "127.0.0.1", "--queuePort", String(queuePort),
    "--tableHost", "127.0.0.1", "--tablePort", String(tablePort),
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push("--location", options.dataDir);
  } else {
    args.push("--inMemoryPersistence");
  }
  const child: ManagedChild = spawnManaged(process.execPath, args, { onOutput: options.onOutput });
  try {
    await Promise.all([blobPort, queuePort, tablePort].map((port) => waitForPort(port, 20_000, child)));
  } catch (error) {
    await child.stop();
    throw error;
  }
  const ports = { blobPort, queuePort, tablePort };
  return { ...ports, pid: child.process.pid, connectionString: azuriteConnectionString(ports), stop: () => child.stop() };
}

async function waitForPort(port: number, timeoutMs: number, child: ManagedChild): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`Azurite exited with code ${child.process.exitCode} before listening on ${port}`);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Azurite did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
