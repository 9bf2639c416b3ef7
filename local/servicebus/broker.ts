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
  /** True when no keys are configured and the connection strings carry the public development key. */
  readonly usesDevelopmentKey: boolean;
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
  const eventHubs = new EventHubs(config.eventHubs, config.autoCreateEntities, journal);
  if (options.dataDir) (journal as ReturnType<typeof openFileJournal>).recover(namespace, eventHubs);
  let resumeTimer: NodeJS.Timeout | undefined;
  let interrupted = false;
  const sockets = new Set<Socket>();
  const endpoint = (kind: EndpointKind) =>
    listen(kind, { namespace, eventHubs, journal, config }, (kind === "servicebus" ? options.port : options.eventHubsPort) ?? 0, (socket) => {
      sockets.add(socket);
      let seenByRhea = false;
      socket.once("end", () => (seenByRhea = true));
      socket.once("error", () => (seenByRhea = true));
      socket.once("close", () => {
        sockets.delete(socket);
        // rhea notices a lost peer only on 'end' or 'error'; a socket we destroyed ourselves emits neither.
        if (!seenByRhea) socket.emit("end");
      });
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
    usesDevelopmentKey: config.keys.length === 0,
    namespace,
    eventHubs,
    interrupt(durationInMs) {
      if (resumeTimer) clearTimeout(resumeTimer);
      if (!interrupted) {
        interrupted = true;
        // Closing the listeners makes new connections fail with ECONNREFUSED, as an unreachable namespace does.
        serviceBusServer.close();
        eventHubsServer.close();
      }
      for (const socket of sockets) socket.destroy();
      if (durationInMs !== undefined) resumeTimer = setTimeout(() => broker.resume(), durationInMs).unref();
    },
    resume() {
      if (resumeTimer) clearTimeout(resumeTimer);
      if (!interrupted) return;
      interrupted = false;
      for (const [server, serverPort] of [[serviceBusServer, port], [eventHubsServer, eventHubsPort]] as const) {
        // Another process may have taken the port meanwhile; say so rather than crash.
        const onError = (error: Error) => console.error(`[servicebus] cannot listen again on 127.0.0.1:${serverPort}: ${error.message}`);
        server.once("error", onError);
        server.listen(serverPort, "127.0.0.1", () => server.off("error", onError));
      }
    },
    async stop() {
      clearInterval(sweeper);
      if (resumeTimer) clearTimeout(resumeTimer);
      for (const socket of sockets) socket.destroy();
      if (!interrupted) await Promise.all([serviceBusServer, eventHubsServer].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      journal.close();
    },
  };
  return broker;
}
