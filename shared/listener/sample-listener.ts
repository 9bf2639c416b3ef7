import { azureResources } from "../config/azure-resources";
import { tableClientFor } from "../config/table-client";
import { appBrokerConnection, ServiceBusChannel } from "../delivery";
import { handleListenerMessage, type ListenerDependencies, type ListenerOutcome, type ReceivedMessage, type ReplySender } from "./listener";
import { ReceiptStore } from "./receipts";
import { LOG_EVENTS, type LogEvent } from "../telemetry/structured-log";

/** What a Service Bus trigger's metadata carries (the library camel-cases the extension's names). */
export interface TriggerMetadata {
  messageId?: unknown;
  contentType?: unknown;
  applicationProperties?: unknown;
  replyTo?: unknown;
  replyToSessionId?: unknown;
  deliveryCount?: unknown;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** The trigger's body and metadata as the listener reads them. */
export function receivedFromTrigger(source: string, body: unknown, metadata: TriggerMetadata): ReceivedMessage {
  const messageId = text(metadata.messageId) ?? "";
  const replyTo = text(metadata.replyTo);
  return {
    source,
    body,
    messageId,
    contentType: text(metadata.contentType),
    applicationProperties: (metadata.applicationProperties as Record<string, unknown> | undefined) ?? {},
    replyTo,
    // Not every host passes ReplyToSessionId in the trigger metadata; the poster always sets it to the MessageId.
    replyToSessionId: text(metadata.replyToSessionId) ?? (replyTo ? messageId : undefined),
    deliveryCount: typeof metadata.deliveryCount === "number" ? metadata.deliveryCount : undefined,
  };
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Replies on the app's Service Bus connection (ServiceBusConnection), through the poster's channel: one
 * client, and one sender per reply entity kept open, not a link opened and closed per reply.
 */
export function serviceBusReplies(env: Environment = process.env): ReplySender & { close(): Promise<void> } {
  const channel = new ServiceBusChannel();
  const connection = appBrokerConnection("serviceBus", env);
  return { send: (entity, message) => channel.send(connection, entity, message), close: () => channel.close() };
}

let dependencies: ListenerDependencies | undefined;

/** The listener's table and Service Bus replies, from the app's connection settings, made once per worker. */
export function sampleListenerDependencies(env: Environment = process.env): ListenerDependencies {
  dependencies ??= { receipts: new ReceiptStore(tableClientFor(azureResources.tables.listenerReceipts, env)), replies: serviceBusReplies(env) };
  return dependencies;
}

/** Entry point of the sample listener functions. */
export function runSampleListener(source: string, body: unknown, metadata: TriggerMetadata): Promise<ListenerOutcome> {
  return handleListenerMessage(receivedFromTrigger(source, body, metadata), sampleListenerDependencies());
}

/** What the sample listener logs for a message it handled (ids and flags; never the body). */
export function listenerReceiptEvent(source: string, outcome: ListenerOutcome): LogEvent {
  const { context, truncated } = outcome.message;
  return {
    event: LOG_EVENTS.listenerReceipt,
    severity: "information",
    message: `${outcome.status} ${context.messageName} of ${context.primaryEntityName} ${context.primaryEntityId}`,
    fields: {
      status: outcome.status,
      source,
      correlationId: context.correlationId,
      operationId: context.operationId,
      organization: context.organizationName,
      messageName: context.messageName,
      primaryEntityName: context.primaryEntityName,
      primaryEntityId: context.primaryEntityId,
      truncated,
      replied: outcome.reply !== undefined,
    },
  };
}
