import { ServiceBusClient } from "@azure/service-bus";
import { parseConfig, type BrokerConfig } from "./config";
import { startServiceBusBroker, type ServiceBusBroker, type ServiceBusBrokerOptions } from "./broker";

/** An emulator-format configuration object, for tests that declare their entities inline. */
export function emulatorConfig(namespace: { Queues?: unknown[]; Topics?: unknown[] }, extra: Record<string, unknown> = {}): BrokerConfig {
  return parseConfig({ ...extra, UserConfig: { ...((extra.UserConfig as object) ?? {}), Namespaces: [{ Name: "sbemulatorns", ...namespace }] } });
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
