import { ServiceBusClient } from "@azure/service-bus";
import { parseConfig, type BrokerConfig } from "./config";
import { startServiceBusBroker, type ServiceBusBroker, type ServiceBusBrokerOptions } from "./broker";

/** The emulator's config.json format (what `--config FILE` reads), for tests that declare their entities inline. */
export function emulatorConfigJson(namespace: { Queues?: unknown[]; Topics?: unknown[] }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...extra, UserConfig: { ...((extra.UserConfig as object) ?? {}), Namespaces: [{ Name: "sbemulatorns", ...namespace }] } };
}

/** An emulator-format configuration, parsed, for tests that declare their entities inline. */
export function emulatorConfig(namespace: { Queues?: unknown[]; Topics?: unknown[] }, extra: Record<string, unknown> = {}): BrokerConfig {
  return parseConfig(emulatorConfigJson(namespace, extra));
}

/** Starts a broker and an SDK client with short timeouts; `close()` stops both. */
export async function brokerWithClient(options: ServiceBusBrokerOptions): Promise<{ broker: ServiceBusBroker; client: ServiceBusClient; close(): Promise<void> }> {
  const broker = await startServiceBusBroker(options);
  const client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 2, retryDelayInMs: 100, timeoutInMs: 10_000 } });
  return {
    broker,
    client,
    async close() {
      await client.close();
      await broker.stop();
    },
  };
}
