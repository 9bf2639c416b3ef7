import { join } from "node:path";
import { startServiceBusBroker } from "../../local/servicebus/broker";
import { startAzurite } from "../../local/storage/azurite";

export interface StartedService {
  /** Settings the tests (and any host they start) read, e.g. AzureWebJobsStorage. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface TestService {
  name: string;
  start(): Promise<StartedService>;
}

/** Started in this order before the tests, stopped in reverse after them. */
export const testServices: TestService[] = [
  {
    name: "azurite",
    async start() {
      const azurite = await startAzurite();
      return { env: { AzureWebJobsStorage: azurite.connectionString }, stop: () => azurite.stop() };
    },
  },
  {
    /** The local Service Bus broker with the project's entities (local/servicebus/config.json), in memory. */
    name: "servicebus",
    async start() {
      const broker = await startServiceBusBroker({ config: join(__dirname, "../../local/servicebus/config.json") });
      return {
        // EventHubConnection has no EntityPath: clients name the hub, as they do with identity-based connections.
        env: { ServiceBusConnection: broker.connectionString, EventHubConnection: broker.eventHubsConnectionString() },
        stop: () => broker.stop(),
      };
    },
  },
];
