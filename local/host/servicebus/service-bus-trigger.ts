import { RetryMode, ServiceBusClient, type ServiceBusReceivedMessage, type ServiceBusReceiver, type ServiceBusSender } from "@azure/service-bus";
import type { RegisteredFunction } from "../core-api";
import type { RpcBindingInfo, RpcTypedData } from "../core-types";
import { triggerOf, type FunctionCatalog } from "../functions";
import type { HostExtension } from "../host";
import { errorMessage, type HostLogger } from "../logger";
import { connectionString, resolveSetting } from "../settings";
import { AppConfigError } from "../app-config";
import { batchInput, singleMessageInput, wantsBytes } from "./trigger-data";

const DEFAULT_CONNECTION = "AzureWebJobsServiceBus";

/** Service Bus connections by setting name, opened on first use. */
class Connections {
  readonly #clients = new Map<string, ServiceBusClient>();
  readonly #senders = new Map<string, ServiceBusSender>();

  /** One sender per connection and entity, kept open (as the extension keeps its output links). */
  sender(setting: unknown, fnName: string, target: string): ServiceBusSender {
    const key = `${typeof setting === "string" && setting ? setting : DEFAULT_CONNECTION}|${target}`;
    let sender = this.#senders.get(key);
    if (!sender) {
      sender = this.client(setting, fnName).createSender(target);
      this.#senders.set(key, sender);
    }
    return sender;
  }

  client(setting: unknown, fnName: string): ServiceBusClient {
    const name = typeof setting === "string" && setting ? setting : DEFAULT_CONNECTION;
    const existing = this.#clients.get(name);
    if (existing) return existing;
    const value = connectionString(name);
    if (!value) throw new AppConfigError(`${fnName}: the Service Bus connection setting "${name}" is not set (start the local broker with \`npm run servicebus\`, or \`npm start\`)`);
    // The Functions Service Bus extension's client retry defaults (exponential from 0.8 s), not the SDK's
    // fixed 30 s: after a broker outage triggers listen again within seconds, as in Azure.
    const client = new ServiceBusClient(value, { retryOptions: { mode: RetryMode.Exponential, retryDelayInMs: 800, maxRetryDelayInMs: 60_000, maxRetries: 3, timeoutInMs: 60_000 } });
    this.#clients.set(name, client);
    return client;
  }

  async close(): Promise<void> {
    this.#senders.clear();
    await Promise.all([...this.#clients.values()].map((client) => client.close()));
  }
}

function entityOf(fn: RegisteredFunction, binding: RpcBindingInfo): { queue?: string; topic?: string; subscription?: string; label: string } {
  const queue = resolveSetting(binding.queueName);
  if (queue) return { queue, label: queue };
  const topic = resolveSetting(binding.topicName);
  const subscription = resolveSetting(binding.subscriptionName);
  if (!topic || !subscription) throw new AppConfigError(`${fn.metadata.name}: a Service Bus trigger needs queueName, or topicName and subscriptionName`);
  return { topic, subscription, label: `${topic}/Subscriptions/${subscription}` };
}

interface Listener {
  close(): Promise<void>;
}

/**
 * Service Bus queue and topic-subscription triggers: peekLock, complete on success, abandon on
 * failure (so the entity's max delivery count and dead-lettering apply), `maxConcurrentCalls` and
 * `autoCompleteMessages` from host.json. Also delivers `serviceBus` output bindings.
 */
export function serviceBusExtension(): HostExtension {
  return {
    async start({ catalog, settings, logger }) {
      const connections = new Connections();
      catalog.handleOutputs(async (binding, data, fn) => {
        if (String(binding.type).toLowerCase() !== "servicebus") return false;
        await sendOutput(connections, binding, data, fn);
        return true;
      });
      const listeners: Listener[] = [];
      try {
        for (const fn of catalog.byTriggerType("serviceBusTrigger")) {
          const { binding } = triggerOf(fn);
          const entity = entityOf(fn, binding);
          let client: ServiceBusClient;
          try {
            client = connections.client(binding.connection, fn.metadata.name);
          } catch (error) {
            // As in Azure, a function whose connection is missing is reported and left out; the others run.
            logger.host("error", `${errorMessage(error)}; ${fn.metadata.name} is not listening`);
            continue;
          }
          const options = { autoComplete: settings.serviceBus.autoCompleteMessages, maxConcurrentCalls: settings.serviceBus.maxConcurrentCalls };
          if (binding.isSessionsEnabled === true) {
            listeners.push(listenSessions(catalog, fn, client, entity, { ...options, maxConcurrentSessions: settings.serviceBus.maxConcurrentSessions }, logger));
          } else {
            const receiveOptions = { receiveMode: "peekLock" as const, skipParsingBodyAsJson: true };
            const receiver = entity.queue ? client.createReceiver(entity.queue, receiveOptions) : client.createReceiver(entity.topic!, entity.subscription!, receiveOptions);
            listeners.push(binding.cardinality === "many" ? listenBatches(catalog, fn, receiver, options, logger) : listenOne(catalog, fn, receiver, options, logger));
          }
          logger.host("information", `${fn.metadata.name}: listening on ${entity.label}`);
        }
      } catch (error) {
        await Promise.all(listeners.map((listener) => listener.close()));
        await connections.close();
        throw error;
      }
      return {
        async stop() {
          await Promise.all(listeners.map((listener) => listener.close()));
          await connections.close();
        },
      };
    },
  };
}

interface ListenOptions {
  autoComplete: boolean;
  maxConcurrentCalls: number;
}

async function settle(receiver: ServiceBusReceiver, messages: ServiceBusReceivedMessage[], ok: boolean, autoComplete: boolean, logger: HostLogger): Promise<void> {
  for (const message of messages) {
    try {
      if (!ok) await receiver.abandonMessage(message);
      else if (autoComplete) await receiver.completeMessage(message);
    } catch (error) {
      logger.host("warning", `Service Bus: could not ${ok ? "complete" : "abandon"} message ${String(message.messageId)}: ${errorMessage(error)}`);
    }
  }
}

function listenOne(catalog: FunctionCatalog, fn: RegisteredFunction, receiver: ServiceBusReceiver, options: ListenOptions, logger: HostLogger): Listener {
  const asBytes = wantsBytes(triggerOf(fn).binding.dataType);
  const subscription = receiver.subscribe(
    {
      processMessage: async (message) => {
        const { data, metadata } = singleMessageInput(message, asBytes);
        const outcome = await catalog.invoke(fn, data, { triggerMetadata: metadata });
        await settle(receiver, [message], outcome.ok, options.autoComplete, logger);
      },
      processError: async (args) => {
        logger.host("warning", `${fn.metadata.name}: Service Bus receive error (${args.errorSource}): ${errorMessage(args.error)}`);
      },
    },
    { autoCompleteMessages: false, maxConcurrentCalls: options.maxConcurrentCalls },
  );
  return {
    async close() {
      await subscription.close();
      await receiver.close();
    },
  };
}

function listenBatches(catalog: FunctionCatalog, fn: RegisteredFunction, receiver: ServiceBusReceiver, options: ListenOptions, logger: HostLogger): Listener {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const messages = await receiver.receiveMessages(100, { maxWaitTimeInMs: 1000 });
        if (messages.length === 0 || stopped) continue;
        const { data, metadata } = batchInput(messages);
        const outcome = await catalog.invoke(fn, data, { triggerMetadata: metadata });
        await settle(receiver, messages, outcome.ok, options.autoComplete, logger);
      } catch (error) {
        if (!stopped) logger.host("warning", `${fn.metadata.name}: Service Bus receive error: ${errorMessage(error)}`);
        if (!stopped) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();
  return {
    async close() {
      stopped = true;
      await receiver.close();
      await loop;
    },
  };
}

/** How long a session receiver waits for the next message of its session before releasing it. */
const SESSION_IDLE_MS = 2_000;

/**
 * Session-enabled triggers: up to `maxConcurrentSessions` sessions at once, each locked by one
 * receiver that hands its messages to the function in order, one at a time.
 */
function listenSessions(
  catalog: FunctionCatalog,
  fn: RegisteredFunction,
  client: ServiceBusClient,
  entity: { queue?: string; topic?: string; subscription?: string },
  options: ListenOptions & { maxConcurrentSessions: number },
  logger: HostLogger,
): Listener {
  let stopped = false;
  const asBytes = wantsBytes(triggerOf(fn).binding.dataType);
  const open = new Set<ServiceBusReceiver>();
  const stopping = new AbortController();
  const sessionOptions = { receiveMode: "peekLock" as const, skipParsingBodyAsJson: true, maxAutoLockRenewalDurationInMs: 5 * 60_000, abortSignal: stopping.signal };
  const accept = () => (entity.queue ? client.acceptNextSession(entity.queue, sessionOptions) : client.acceptNextSession(entity.topic!, entity.subscription!, sessionOptions));
  const worker = async () => {
    while (!stopped) {
      let receiver: ServiceBusReceiver | undefined;
      try {
        receiver = await accept();
        open.add(receiver);
        for (;;) {
          const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: SESSION_IDLE_MS });
          if (!message || stopped) break;
          const { data, metadata } = singleMessageInput(message, asBytes);
          const outcome = await catalog.invoke(fn, data, { triggerMetadata: metadata });
          await settle(receiver, [message], outcome.ok, options.autoComplete, logger);
        }
      } catch (error) {
        // No session became available in time (or the connection dropped): try again.
        if (!stopped && (error as { code?: string }).code !== "SessionCannotBeLocked" && (error as { code?: string }).code !== "ServiceTimeout") {
          logger.host("warning", `${fn.metadata.name}: Service Bus session receive error: ${errorMessage(error)}`);
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      } finally {
        if (receiver) {
          open.delete(receiver);
          await receiver.close().catch(() => undefined);
        }
      }
    }
  };
  // Not awaited on close: a pending session accept only ends at its timeout, and holds nothing once the
  // connection is closed.
  for (let i = 0; i < options.maxConcurrentSessions; i++) void worker();
  return {
    async close() {
      stopped = true;
      stopping.abort();
      await Promise.all([...open].map((receiver) => receiver.close().catch(() => undefined)));
    },
  };
}

async function sendOutput(connections: Connections, binding: RpcBindingInfo, data: RpcTypedData, fn: RegisteredFunction): Promise<void> {
  const target = resolveSetting(binding.queueName) ?? resolveSetting(binding.topicName);
  if (!target) throw new AppConfigError(`${fn.metadata.name}: a Service Bus output binding needs queueName or topicName`);
  const values: unknown[] = typeof data.json === "string" ? [JSON.parse(data.json)].flat() : [data.string ?? (data.bytes ? Buffer.from(data.bytes) : data.int ?? data.double)];
  await connections.sender(binding.connection, fn.metadata.name, target).sendMessages(
    values.map((value) =>
      typeof value === "string" || Buffer.isBuffer(value)
        ? { body: Buffer.from(value) }
        : { body: Buffer.from(JSON.stringify(value)), contentType: "application/json" },
    ),
  );
}
