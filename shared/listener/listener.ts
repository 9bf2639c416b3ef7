import type { ServiceBusMessage } from "@azure/service-bus";
import { parseDataverseMessage, type DataverseMessage } from "./parse";
import { receiptFor, type ReceiptStore } from "./receipts";

/** One message as a Service Bus trigger hands it over: the body and the metadata the listener needs. */
export interface ReceivedMessage {
  /** `dataverse-events`, or `dataverse-topic/listener` for a subscription. */
  source: string;
  body: unknown;
  messageId: string;
  contentType?: string;
  applicationProperties?: Record<string, unknown>;
  /** Set by two-way and one-way posts: where and on which session to answer. */
  replyTo?: string;
  replyToSessionId?: string;
  deliveryCount?: number;
}

export interface ListenerOutcome {
  /**
   * `duplicate`: this post (`postMessageId` of the context: the OperationId of an asynchronous job) was already
   * received from this source, so nothing was recorded again.
   */
  status: "recorded" | "duplicate";
  message: DataverseMessage;
  /** The reply sent to a two-way or one-way request, if one was asked for. */
  reply?: string;
}

/** Sends a listener's replies to the entity a request names. */
export interface ReplySender {
  send(entity: string, message: ServiceBusMessage): Promise<void>;
}

export interface ListenerDependencies {
  receipts: ReceiptStore;
  /** Sends replies; the trigger's own connection (ServiceBusConnection). */
  replies: ReplySender;
  /** What a two-way listener answers; the sample echoes what it received. */
  answer?: (message: DataverseMessage) => string;
  now?: () => Date;
}

const defaultAnswer = ({ context }: DataverseMessage): string =>
  `Received ${context.messageName} of ${context.primaryEntityName} ${context.primaryEntityId}`;

/**
 * The sample listener: parse and check the message, record it once per post (`postMessageId`), and answer a
 * request that asks for a reply. A duplicate is answered again (its first answer may have been lost)
 * but not recorded twice.
 * @throws PipelineError for a message that is not a Dataverse context; the trigger then retries it
 *   until the entity's max delivery count moves it to the dead-letter queue.
 */
export async function handleListenerMessage(received: ReceivedMessage, deps: ListenerDependencies): Promise<ListenerOutcome> {
  const message = parseDataverseMessage(received.body, received);
  const receipt = receiptFor(
    message.context,
    {
      source: received.source,
      messageId: received.messageId,
      contentType: received.contentType ?? "",
      truncated: message.truncated,
      deliveryCount: received.deliveryCount ?? 1,
    },
    (deps.now ?? (() => new Date()))(),
  );
  const isNew = await deps.receipts.record(receipt);
  const outcome: ListenerOutcome = { status: isNew ? "recorded" : "duplicate", message };
  if (received.replyTo && received.replyToSessionId) {
    outcome.reply = (deps.answer ?? defaultAnswer)(message);
    await deps.replies.send(received.replyTo, {
      body: outcome.reply,
      contentType: "text/plain",
      sessionId: received.replyToSessionId,
      correlationId: received.messageId,
    });
  }
  return outcome;
}
