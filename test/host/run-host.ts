import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../../local/util/free-port";
import { spawnManaged, type ManagedChild } from "../../local/util/child";

export const SAMPLE_APP = resolve(__dirname, "../sample-app");
const HOST_MAIN = resolve(__dirname, "../../dist/local/host/main.js");

export const SAMPLE_KEYS = { master: "sample-master-key", function: "sample-function-key", durable: "sample-durable-key" };

export interface HostUnderTest {
  readonly baseUrl: string;
  readonly port: number;
  readonly output: string[];
  readonly observationsFile: string;
  /** The Durable task hub the host uses (its state: table `<hubName>Durable`). */
  readonly hubName: string;
  stop(): Promise<void>;
  /** Kills the host at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

export interface HostRunOptions {
  port?: number;
  observationsFile?: string;
  timeScale?: number;
  env?: Record<string, string>;
  /** The app directory to serve; default the sample app. */
  app?: string;
  /**
   * The Durable task hub (AzureFunctionsJobHost__extensions__durableTask__hubName); default a new one, so that
   * no other host of the test run (they share one Azurite) resumes this host's instances. A test that
   * restarts a host passes the same name to each start.
   */
  hubName?: string;
}

/** A task hub name no other host of the test run uses (letters and digits, as Azure requires). */
export function uniqueHubName(label = "Test"): string {
  return `${label.replace(/[^A-Za-z0-9]/g, "")}${randomBytes(6).toString("hex")}`;
}

/** Starts the local host (built, in dist/) on the sample app as a child process, on a free port. */
export async function startSampleHost(options: HostRunOptions = {}): Promise<HostUnderTest> {
  if (!existsSync(HOST_MAIN)) throw new Error(`${HOST_MAIN} is missing: run \`npm run build\` first`);
  const port = options.port ?? (await freePort());
  const observationsFile = options.observationsFile ?? join(mkdtempSync(join(tmpdir(), "sample-app-")), "observations.jsonl");
  const output: string[] = [];
  const hubName = options.hubName ?? uniqueHubName();
  const args = [HOST_MAIN, "--app", options.app ?? SAMPLE_APP, "--port", String(port), "--time-scale", String(options.timeScale ?? 3600)];
  const env = {
    ...process.env,
    SAMPLE_OBSERVATIONS_FILE: observationsFile,
    FUNCTIONS_MASTER_KEY: SAMPLE_KEYS.master,
    FUNCTIONS_DEFAULT_KEY: SAMPLE_KEYS.function,
    FUNCTIONS_DURABLETASK_EXTENSION_KEY: SAMPLE_KEYS.durable,
    // The sample's Service Bus entities live in a broker the Service Bus test starts; elsewhere they are off.
    ServiceBusConnection: "",
    AzureFunctionsJobHost__extensions__durableTask__hubName: hubName,
    ...options.env,
  };
  let child: ManagedChild;
  const ready = new Promise<void>((resolveReady, reject) => {
    child = spawnManaged(process.execPath, args, {
      env,
      onOutput: (line) => {
        output.push(line);
        if (line.includes("Functions host ready on")) resolveReady();
      },
    });
    child.process.once("exit", (code) => reject(new Error(`host exited (${code}) before it was ready:\n${output.join("\n")}`)));
  });
  await ready;
  const running = child!;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    output,
    observationsFile,
    hubName,
    stop: () => running.stop(),
    async kill() {
      if (running.process.pid === undefined || running.process.exitCode !== null) return;
      const exited = new Promise((done) => running.process.once("exit", done));
      process.kill(-running.process.pid, "SIGKILL");
      await exited;
    },
  };
}

/** Lines the sample app's functions recorded (see test/sample-app/lib/observe.js). */
export function readObservations(file: string, kind: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.kind === kind);
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
}

/** A Durable instance as a host's management API shows it. */
export interface InstanceStatus {
  runtimeStatus: string;
  input: unknown;
  customStatus: unknown;
  /** With `history`: its history events (EventType, Timestamp, EventId, TimerId, FireAt, …). */
  historyEvents?: Record<string, unknown>[];
}

/** An instance as the management API shows it (with its history when asked); undefined when there is none. */
export async function instanceStatus(host: HostUnderTest, instanceId: string, { history = false } = {}): Promise<InstanceStatus | undefined> {
  const response = await fetch(`${host.baseUrl}/runtime/webhooks/durabletask/instances/${instanceId}?code=${SAMPLE_KEYS.durable}${history ? "&showHistory=true" : ""}`);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`status of ${instanceId}: ${response.status} ${await response.text()}`);
  return (await response.json()) as InstanceStatus;
}
