import type { AddressInfo, Socket } from "node:net";
import { emptyConfig, loadConfigFile, type BrokerConfig } from "./config";
import { listen, type EndpointKind } from "./endpoint";
import { EventHubs } from "./event-hubs";
import { memoryJournal, type Journal } from "./journal";
import { Namespace } from "./namespace";
import { openFileJournal } from "./persistence";
import { captureRawMessageBytes } from "./raw-capture";

const sweepIntervalInMs = 100;
const developmentKey = { name: "RootManageSharedAccessKey", key: "SAS_KEY_VALUE" };

export interface ServiceBusBrokerOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** TCP port of the Event Hubs endpoint; 0 (default) picks a free one. */
  eventHubsPort?: number;
  /** A parsed configuration or the path of an emulator config.json; default: no entities. */
  config?: BrokerConfig | string;
  /** Directory for the durable message log; in memory when absent. */
  dataDir?: string;
}

export interface ServiceBusBroker {
  /** Service Bus port. */
  readonly port: number;
  /** Event Hubs is served on its own port, as it is its own namespace in Azure (a hub may share a queue's name). */
  readonly eventHubsPort: number;
  /** `Endpoint=sb://127.0.0.1:PORT;…;UseDevelopmentEmulator=true` for @azure/service-bus. */
  readonly connectionString: string;
  /** The same endpoint for @azure/event-hubs, with `EntityPath` when a hub is named. */
  eventHubsConnectionString(hubName?: string): string;
  readonly namespace: Namespace;
  readonly eventHubs: EventHubs;
  /** Drops every open connection and refuses new ones for `durationInMs` (or until `resume()`). */
  interrupt(durationInMs?: number): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Starts the broker on 127.0.0.1. */
export async function startServiceBusBroker(options: ServiceBusBrokerOptions = {}): Promise<ServiceBusBroker> {
  captureRawMessageBytes();
  const config = typeof options.config === "string" ? loadConfigFile(options.config) : (options.config ?? emptyConfig());
  const journal: Journal = options.dataDir ? openFileJournal(options.dataDir) : memoryJournal;
  const namespace = new Namespace(config, journal);
  if (options.dataDir) (journal as ReturnType<typeof openFileJournal>).recover(namespace);
  const eventHubs = new EventHubs(config.eventHubs, config.autoCreateEntities);
  let interruptedUntil = 0;
  let resumeTimer: NodeJS.Timeout | undefined;
  const sockets = new Set<Socket>();
  const endpoint = (kind: EndpointKind) => listen(kind, { namespace, eventHubs, journal, config }, (kind === "servicebus" ? options.port : options.eventHubsPort) ?? 0, (socket) => {
    if (Date.now() < interruptedUntil) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const [serviceBusServer, eventHubsServer] = await Promise.all([endpoint("servicebus"), endpoint("eventhubs")]);
  const port = (serviceBusServer.address() as AddressInfo).port;
  const eventHubsPort = (eventHubsServer.address() as AddressInfo).port;
  const sweeper = setInterval(() => namespace.sweep(), sweepIntervalInMs);
  sweeper.unref();
  const key = config.keys[0] ?? developmentKey;
  const credentials = `SharedAccessKeyName=${key.name};SharedAccessKey=${key.key};UseDevelopmentEmulator=true`;
  const serviceBusConnectionString = `Endpoint=sb://127.0.0.1:${port};${credentials}`;
  const eventHubsEndpoint = `Endpoint=sb://127.0.0.1:${eventHubsPort};${credentials}`;

  const broker: ServiceBusBroker = {
    port,
    eventHubsPort,
    connectionString: serviceBusConnectionString,
    eventHubsConnectionString: (hubName) => (hubName ? `${eventHubsEndpoint};EntityPath=${hubName}` : eventHubsEndpoint),
    namespace,
    eventHubs,
    interrupt(durationInMs) {
      interruptedUntil = durationInMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + durationInMs;
      for (const socket of sockets) socket.destroy();
      if (resumeTimer) clearTimeout(resumeTimer);
      if (durationInMs !== undefined) resumeTimer = setTimeout(() => broker.resume(), durationInMs).unref();
    },
    resume() {
      interruptedUntil = 0;
      if (resumeTimer) clearTimeout(resumeTimer);
    },
    async stop() {
      clearInterval(sweeper);
      if (resumeTimer) clearTimeout(resumeTimer);
      for (const socket of sockets) socket.destroy();
      await Promise.all([serviceBusServer, eventHubsServer].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      journal.close();
    },
  };
  return broker;
}
