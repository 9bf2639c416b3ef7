import type { Server, Socket } from "node:net";
import { create_container, type Delivery, type EventContext, type Message, type Receiver, type Sender } from "rhea";
import type { BrokerConfig } from "./config";
import { BrokerError, Condition, toBrokerError } from "./errors";
import type { EventHubs } from "./event-hubs";
import type { Journal } from "./journal";
import { handleManagementRequest } from "./management";
import { parseIncoming, type IncomingMessage } from "./message";
import type { Namespace } from "./namespace";
import { rawBytesOf } from "./raw-capture";
import { PartitionReader } from "./event-hub-reader";
import { ReceiverLink } from "./receiver-link";
import { reply } from "./request-reply";
import { holdAttach, linkState, outcome, setSource } from "./rhea-internals";
import { verifySasToken } from "./sas";
import { batchedMessages } from "./sections";
import { acceptSessionFor } from "./session-attach";
import type { Settlement } from "./store";

const batchFormat = 0x80013700;
const eventHubsMaxMessageSize = 1024 * 1024;

export type EndpointKind = "servicebus" | "eventhubs";

export interface EndpointParts {
  namespace: Namespace;
  eventHubs: EventHubs;
  journal: Journal;
  config: BrokerConfig;
}

type IncomingRole = { kind: "cbs" } | { kind: "management"; entityPath: string } | { kind: "eventHubsManagement" } | { kind: "send"; address: string } | { kind: "eventHub"; hub: string; partition?: string };

function settlementOf(event: string, delivery: Delivery): Settlement {
  const state = delivery.remote_state as { message_annotations?: Record<string, unknown>; undeliverable_here?: boolean; error?: { info?: Record<string, unknown> } } | undefined;
  switch (event) {
    case "accepted":
      return { kind: "complete" };
    case "rejected": {
      const info = state?.error?.info ?? {};
      return { kind: "deadLetter", reason: info.DeadLetterReason as string | undefined, description: info.DeadLetterErrorDescription as string | undefined };
    }
    case "modified":
      return state?.undeliverable_here ? { kind: "defer", propertiesToModify: state.message_annotations } : { kind: "abandon", propertiesToModify: state?.message_annotations };
    default:
      return { kind: "abandon" };
  }
}

/** The settled state that confirms a client's disposition: its own outcome, without any error it carried. */
function successOutcome(event: string, delivery: Delivery): unknown {
  if (event === "rejected") return outcome.rejected();
  if (event === "accepted") return outcome.accepted();
  const state = delivery.remote_state as { described?(): unknown } | undefined;
  return state?.described ? state.described() : outcome.accepted();
}

/**
 * One AMQP listener on 127.0.0.1: the Service Bus endpoint (queues, topics, $management) or the Event Hubs
 * endpoint (hubs, partitions, $management). Both answer CBS put-token.
 */
export async function listen(kind: EndpointKind, parts: EndpointParts, port: number, onSocket: (socket: Socket) => void): Promise<Server> {
  const { namespace, eventHubs, journal, config } = parts;
  const container = create_container({ id: `local-${kind}`, autoaccept: false, treat_modified_as_released: false, autosettle: false });
  const incomingRoles = new WeakMap<Receiver, IncomingRole>();
  const receiverLinks = new WeakMap<Sender, ReceiverLink | PartitionReader>();
  const maxMessageSize = kind === "eventhubs" ? eventHubsMaxMessageSize : config.maxMessageSizeInBytes;

  const forget = (context: EventContext) => context.connection.each_sender((sender: Sender) => receiverLinks.get(sender)?.close());
  container.on("disconnected", forget);
  container.on("connection_close", forget);
  for (const event of ["error", "connection_error", "protocol_error"]) container.on(event, () => undefined);

  function roleOf(address: string): IncomingRole {
    if (address === "$cbs") return { kind: "cbs" };
    if (kind === "eventhubs") {
      if (address === "$management") return { kind: "eventHubsManagement" };
      const hub = eventHubs.resolve(address);
      if (!hub) throw new BrokerError(Condition.notFound, `The messaging entity '${address}' could not be found.`);
      return { kind: "eventHub", ...hub };
    }
    if (address.endsWith("/$management")) {
      const entityPath = address.slice(0, -"/$management".length);
      namespace.store(entityPath);
      return { kind: "management", entityPath };
    }
    namespace.sendTarget(address);
    return { kind: "send", address };
  }

  // ---- client senders: $cbs, $management, queues, topics, hubs ----
  container.on("receiver_open", (context: EventContext) => {
    const receiver = context.receiver as Receiver;
    const state = linkState(receiver);
    const address: string = (state.remote.attach?.target as { address?: string } | undefined)?.address ?? "";
    state.local.attach.target = state.remote.attach?.target;
    state.local.attach.max_message_size = maxMessageSize;
    try {
      incomingRoles.set(receiver, roleOf(address));
    } catch (error) {
      receiver.close(toBrokerError(error).toAmqp());
    }
  });

  container.on("message", (context: EventContext) => {
    const receiver = context.receiver as Receiver;
    const delivery = context.delivery as Delivery;
    const request = context.message as Message;
    const role = incomingRoles.get(receiver);
    if (!role) return;
    switch (role.kind) {
      case "cbs": {
        const refusal = verifySasToken(String(request.body ?? ""), config.keys);
        reply(context.connection, request, { "status-code": refusal ? 401 : 202, "status-description": refusal ?? "Accepted" });
        delivery.update(true, outcome.accepted());
        return;
      }
      case "management": {
        const operation = request.application_properties?.operation;
        const response = handleManagementRequest(namespace, role.entityPath, operation, request.body);
        const applicationProperties: Record<string, unknown> = { statusCode: response.statusCode };
        if (response.condition) applicationProperties.errorCondition = response.condition;
        if (response.description) applicationProperties.statusDescription = response.description;
        const answer = () => {
          reply(context.connection, request, applicationProperties, response.body);
          delivery.update(true, outcome.accepted());
        };
        // Like a send, a change (a scheduled message, a cancel, a session state, a settlement) is confirmed once on
        // disk; an operation that wrote nothing is answered at once unless other writes are still on their way.
        journal.whenDurable(answer);
        return;
      }
      case "eventHubsManagement": {
        const properties = request.application_properties ?? {};
        const refusal = verifySasToken(String(properties.security_token ?? ""), config.keys);
        const response = refusal ? { statusCode: 401, description: refusal, body: undefined } : eventHubs.management(properties);
        reply(context.connection, request, { "status-code": response.statusCode, "status-description": response.description }, response.body);
        delivery.update(true, outcome.accepted());
        return;
      }
      default:
        acceptTransfer(role, context);
    }
  });

  function incomingMessages(context: EventContext): IncomingMessage[] {
    const delivery = context.delivery as Delivery & { format?: number };
    const raw = delivery.format === batchFormat ? (context.message as unknown as Buffer) : rawBytesOf(context.message as object);
    if (!raw) throw new BrokerError(Condition.internalError, "message bytes were not captured");
    if (raw.length > maxMessageSize) {
      throw new BrokerError(Condition.messageSizeExceeded, `The received message (delivery-id:${delivery.id}, size:${raw.length} bytes) exceeds the limit (${maxMessageSize} bytes) currently allowed on the link.`);
    }
    return delivery.format === batchFormat ? batchedMessages(raw).map(parseIncoming) : [parseIncoming(raw)];
  }

  function acceptTransfer(role: Extract<IncomingRole, { kind: "send" } | { kind: "eventHub" }>, context: EventContext): void {
    const delivery = context.delivery as Delivery;
    try {
      const messages = incomingMessages(context);
      if (role.kind === "eventHub") eventHubs.append(role.hub, role.partition, messages);
      else namespace.sendTarget(role.address).accept(messages);
      journal.whenDurable(() => delivery.update(true, outcome.accepted()));
    } catch (error) {
      delivery.update(true, outcome.rejected(toBrokerError(error).toAmqp()));
    }
  }

  // ---- client receivers: reply links and message sources ----
  container.on("sender_open", (context: EventContext) => {
    const sender = context.sender as Sender;
    const state = linkState(sender);
    const source = (state.remote.attach?.source ?? {}) as { address?: string; filter?: Record<string, unknown> };
    const address = source.address ?? "";
    state.local.attach.target = state.remote.attach?.target;
    state.local.attach.snd_settle_mode = state.remote.attach?.snd_settle_mode;
    state.local.attach.rcv_settle_mode = state.remote.attach?.rcv_settle_mode;
    if (address === "$cbs" || address.endsWith("$management")) {
      setSource(sender, { address });
      return;
    }
    if (kind === "eventhubs") {
      linkState(sender).local.attach.source = linkState(sender).remote.attach?.source;
      const reader = PartitionReader.open(sender, eventHubs);
      if (reader) receiverLinks.set(sender, reader);
      else sender.close({ condition: Condition.notFound, description: `The messaging entity '${address}' could not be found.` });
      return;
    }
    try {
      const store = namespace.store(address);
      const link = new ReceiverLink(sender, store, state.remote.attach?.snd_settle_mode !== 1, (then) => journal.whenDurable(then));
      receiverLinks.set(sender, link);
      if (store.properties.requiresSession) {
        holdAttach(sender);
        acceptSessionFor(link, source, sender);
        return;
      }
      setSource(sender, { address });
      store.attach(link);
    } catch (error) {
      setSource(sender, { address });
      sender.close(toBrokerError(error).toAmqp());
    }
  });

  const onFlow = (context: EventContext) => receiverLinks.get(context.sender as Sender)?.onFlow();
  container.on("sendable", onFlow);
  container.on("sender_flow", onFlow);
  container.on("sender_draining", onFlow);
  for (const event of ["accepted", "rejected", "modified", "released"]) {
    container.on(event, (context: EventContext) => {
      const delivery = context.delivery as Delivery;
      const link = receiverLinks.get(context.sender as Sender);
      if (link instanceof ReceiverLink) link.onDisposition(delivery, settlementOf(event, delivery), successOutcome(event, delivery));
    });
  }
  container.on("sender_close", (context: EventContext) => receiverLinks.get(context.sender as Sender)?.close());

  const server = container.listen({ port, host: "127.0.0.1" }) as unknown as Server;
  server.on("connection", onSocket);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  return server;
}
