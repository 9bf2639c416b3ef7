import {
  ServiceBusClient,
  type ServiceBusClientOptions,
  type ServiceBusMessage,
  type ServiceBusSender,
} from "@azure/service-bus";
import { PipelineError } from "../../errors";
import type { BrokerConnection } from "../connection";
import { callExternal } from "../failure";

export interface ServiceBusChannelOptions {
  /** The SDK's own retries inside one post; short, because the job retries on its own schedule. */
  retryOptions?: ServiceBusClientOptions["retryOptions"];
}

export interface RequestOptions {
  /** Session queue the listener answers on (same namespace). */
  repliesQueue: string;
  /** The reply's session id; also the request's replyToSessionId. */
  sessionId: string;
  timeoutInMs: number;
  abortSignal?: AbortSignal;
}

/** The SDK retries of one post (short: the system job's own back-off does the long waits); Service Bus and Event Hubs alike. */
export const DEFAULT_RETRY_OPTIONS = { maxRetries: 2, retryDelayInMs: 500, maxRetryDelayInMs: 2_000, timeoutInMs: 30_000 };

/** Sends to queues and topics and does request/reply, reusing one client per namespace and one sender per entity. */
export class ServiceBusChannel {
  private readonly clients = new Map<string, ServiceBusClient>();
  private readonly senders = new Map<string, ServiceBusSender>();

  constructor(private readonly options: ServiceBusChannelOptions = {}) {}

  async send(connection: BrokerConnection, entity: string, message: ServiceBusMessage, abortSignal?: AbortSignal): Promise<void> {
    await callExternal(`Service Bus ${entity}`, () => this.senderFor(connection, entity).sendMessages(message, { abortSignal }));
  }

  /**
   * Sends `message` with replyTo/replyToSessionId and waits for one reply on that session.
   * @returns the reply's body as text ("" for an empty acknowledgement).
   * @throws PipelineError "ExternalUnavailable" when no reply comes within the timeout.
   */
  async request(connection: BrokerConnection, entity: string, message: ServiceBusMessage, options: RequestOptions): Promise<string> {
    const client = this.clientFor(connection);
    const receiver = await callExternal(`Service Bus ${options.repliesQueue}`, () =>
      client.acceptSession(options.repliesQueue, options.sessionId, { receiveMode: "receiveAndDelete", abortSignal: options.abortSignal }),
    );
    try {
      await this.send(connection, entity, { ...message, replyTo: options.repliesQueue, replyToSessionId: options.sessionId }, options.abortSignal);
      const [reply] = await callExternal(`Service Bus ${options.repliesQueue}`, () =>
        receiver.receiveMessages(1, { maxWaitTimeInMs: options.timeoutInMs, abortSignal: options.abortSignal }),
      );
      if (!reply) {
        throw new PipelineError("ExternalUnavailable", `no listener answered on ${entity} within ${Math.round(options.timeoutInMs / 1000)} s`);
      }
      return bodyText(reply.body);
    } finally {
      await receiver.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    this.senders.clear();
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  }

  private clientFor(connection: BrokerConnection): ServiceBusClient {
    let client = this.clients.get(connection.key);
    if (!client) {
      const options = { retryOptions: this.options.retryOptions ?? DEFAULT_RETRY_OPTIONS };
      client =
        connection.kind === "connectionString"
          ? new ServiceBusClient(connection.connectionString, options)
          : new ServiceBusClient(connection.fullyQualifiedNamespace, connection.credential, options);
      this.clients.set(connection.key, client);
    }
    return client;
  }

  private senderFor(connection: BrokerConnection, entity: string): ServiceBusSender {
    const key = `${connection.key}|${entity}`;
    let sender = this.senders.get(key);
    if (!sender) {
      sender = this.clientFor(connection).createSender(entity);
      this.senders.set(key, sender);
    }
    return sender;
  }
}

/** A message body as text: replies may arrive as a string, bytes or (from other SDKs) a JSON value. */
export function bodyText(body: unknown): string {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString("utf8");
  return JSON.stringify(body);
}
