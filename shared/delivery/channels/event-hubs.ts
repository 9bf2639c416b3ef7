import { EventHubProducerClient, type EventData, type EventHubClientOptions } from "@azure/event-hubs";
import type { BrokerConnection } from "../connection";
import { callExternal } from "../failure";
import { DEFAULT_RETRY_OPTIONS } from "./service-bus";

export interface EventHubsChannelOptions {
  retryOptions?: EventHubClientOptions["retryOptions"];
}


/** Sends events, one producer per namespace and hub. */
export class EventHubsChannel {
  private readonly producers = new Map<string, EventHubProducerClient>();

  constructor(private readonly options: EventHubsChannelOptions = {}) {}

  /** Sends one event; `partitionKey` keeps one record's events in order. */
  async send(connection: BrokerConnection, hub: string, event: EventData, partitionKey: string, abortSignal?: AbortSignal): Promise<void> {
    await callExternal(`Event Hub ${hub}`, () => this.producerFor(connection, hub).sendBatch([event], { partitionKey, abortSignal }));
  }

  async close(): Promise<void> {
    const producers = [...this.producers.values()];
    this.producers.clear();
    await Promise.all(producers.map((producer) => producer.close().catch(() => undefined)));
  }

  private producerFor(connection: BrokerConnection, hub: string): EventHubProducerClient {
    const key = `${connection.key}|${hub}`;
    let producer = this.producers.get(key);
    if (!producer) {
      const options = { retryOptions: this.options.retryOptions ?? DEFAULT_RETRY_OPTIONS };
      producer =
        connection.kind === "connectionString"
          ? /(^|;)\s*EntityPath\s*=/i.test(connection.connectionString)
            ? new EventHubProducerClient(connection.connectionString, options)
            : new EventHubProducerClient(connection.connectionString, hub, options)
          : new EventHubProducerClient(connection.fullyQualifiedNamespace, hub, connection.credential, options);
      this.producers.set(key, producer);
    }
    return producer;
  }
}
