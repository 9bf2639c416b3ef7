import { ServiceBusClient } from "@azure/service-bus";
import { DefaultAzureCredential } from "@azure/identity";
import { azureResources } from "../config/azure-resources";
import { readConnection } from "../config/connections";
import { tableClientFor } from "../config/table-client";
import { handleListenerMessage, type ListenerDependencies, type ListenerOutcome, type ReceivedMessage } from "./listener";
import { ReceiptStore } from "./receipts";

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

let dependencies: ListenerDependencies | undefined;

/** The listener's table and Service Bus client, from the app's connection settings, made once per worker. */
export function sampleListenerDependencies(env: Readonly<Record<string, string | undefined>> = process.env): ListenerDependencies {
  if (!dependencies) {
    const setting = readConnection(azureResources.connections.serviceBus, env);
    const serviceBus =
      setting.kind === "connectionString"
        ? new ServiceBusClient(setting.connectionString)
        : new ServiceBusClient(setting.fullyQualifiedNamespace ?? "", new DefaultAzureCredential({ managedIdentityClientId: setting.clientId }));
    dependencies = { receipts: new ReceiptStore(tableClientFor(azureResources.tables.listenerReceipts, env)), serviceBus };
  }
  return dependencies;
}

/** Entry point of the sample listener functions. */
export function runSampleListener(source: string, body: unknown, metadata: TriggerMetadata): Promise<ListenerOutcome> {
  return handleListenerMessage(receivedFromTrigger(source, body, metadata), sampleListenerDependencies());
}
