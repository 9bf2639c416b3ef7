import { join } from "node:path";
import { ServiceBusClient, type ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal } from "../../test/support/refusal";
import { startServiceBusBroker, type ServiceBusBroker } from "../../local/servicebus/broker";
import { accountCreated, ORGANIZATION } from "../../test/support/delivery";
import { azureResources } from "../config/azure-resources";
import { tableClientFor } from "../config/table-client";
import { ClaimKeys, createEndpointPoster, validateServiceEndpoint, type EndpointPoster } from "../delivery";
import { isPipelineError } from "../errors";
import { encodeContextJson, encodeContextXml } from "../serialization";
import { parseDataverseMessage } from "./index";
import { handleListenerMessage, type ListenerDependencies } from "./listener";
import { ReceiptStore } from "./receipts";
import { receivedFromTrigger, serviceBusReplies } from "./sample-listener";

const QUEUE = azureResources.serviceBus.queues.events.name;
const TOPIC = azureResources.serviceBus.topics.events.name;
const SUBSCRIPTION = azureResources.serviceBus.topics.events.subscriptions.listener.name;

let broker: ServiceBusBroker;
let client: ServiceBusClient;
let poster: EndpointPoster;
let deps: ListenerDependencies;
let replies: ReturnType<typeof serviceBusReplies>;

beforeAll(async () => {
  broker = await startServiceBusBroker({ config: join(__dirname, "../../local/servicebus/config.json") });
  client = new ServiceBusClient(broker.connectionString);
  poster = createEndpointPoster({ env: { ServiceBusConnection: broker.connectionString }, replyTimeoutInMs: 5_000 });
  const receipts = new ReceiptStore(tableClientFor(`Receipts${Date.now()}`));
  replies = serviceBusReplies({ ServiceBusConnection: broker.connectionString });
  deps = { receipts, replies };
});
afterAll(async () => {
  await poster.close();
  await replies.close();
  await client.close();
  await broker.stop();
});

const claimsOf = (context: ReturnType<typeof accountCreated>) => ({
  [ClaimKeys.organization]: context.organizationName,
  [ClaimKeys.entityLogicalName]: context.primaryEntityName,
  [ClaimKeys.requestName]: context.messageName,
  [ClaimKeys.user]: context.userId,
});

describe("parseDataverseMessage", () => {
  const context = accountCreated();
  const json = encodeContextJson(context);

  it("reads JSON as text, as bytes, or as the object the Functions runtime made of it, and Text XML", () => {
    const properties = { contentType: "application/json", applicationProperties: claimsOf(context) };
    for (const body of [json, Buffer.from(json), JSON.parse(json) as unknown]) {
      expect(parseDataverseMessage(body, properties).context.operationId).toBe(context.operationId);
    }
    const xml = parseDataverseMessage(encodeContextXml(context), { contentType: "application/xml" });
    expect([xml.format, xml.context.primaryEntityName, xml.truncated]).toEqual([3, "account", false]);
  });

  it("reports a truncated message and the claims it carried", () => {
    const message = parseDataverseMessage(json, { contentType: "application/json", applicationProperties: { ...claimsOf(context), MessageMaxSizeExceeded: true } });
    expect(message.truncated).toBe(true);
    expect(message.claims).toEqual({ organization: ORGANIZATION, entityLogicalName: "account", requestName: "Create", user: context.userId });
  });

  it("reports truncation also as a Functions trigger hands it over (first letter of the key lower-cased)", () => {
    const message = parseDataverseMessage(json, { contentType: "application/json", applicationProperties: { messageMaxSizeExceeded: true } });
    expect(message.truncated).toBe(true);
  });

  it("refuses other content types and claims that contradict the context", () => {
    expect(refusal(() => parseDataverseMessage(json, { contentType: "text/plain" }))).toBe(
      'InvalidFormat: content type "text/plain" is not a Dataverse message; expected application/json or application/xml',
    );
    expect(refusal(() => parseDataverseMessage(json, { contentType: "application/msbin1" }))).toBe(
      "InvalidFormat: content type application/msbin1 (.NET Binary XML) is not supported",
    );
    const forged = { ...claimsOf(context), [ClaimKeys.entityLogicalName]: "contact" };
    expect(refusal(() => parseDataverseMessage(json, { contentType: "application/json", applicationProperties: forged }))).toBe(
      'ValidationFailed: claim entityLogicalName is "contact" but the context\'s PrimaryEntityName is "account"',
    );
  });
});

/** A received message's metadata in the shape the Service Bus trigger hands to a function. */
const triggerMetadataOf = (message: ServiceBusReceivedMessage, withReplyToSessionId = true) => ({
  messageId: message.messageId,
  contentType: message.contentType,
  applicationProperties: message.applicationProperties,
  replyTo: message.replyTo,
  replyToSessionId: withReplyToSessionId ? message.replyToSessionId : undefined,
  deliveryCount: (message.deliveryCount ?? 0) + 1,
});

/** Runs the sample listener on the queue, as the function app does, until stopped. */
function runListener(source: string, withReplyToSessionId = true) {
  const receiver = client.createReceiver(QUEUE, { skipParsingBodyAsJson: true });
  const subscription = receiver.subscribe(
    {
      processMessage: async (message) => {
        await handleListenerMessage(receivedFromTrigger(source, message.body, triggerMetadataOf(message, withReplyToSessionId)), deps);
      },
      processError: async () => undefined,
    },
    { autoCompleteMessages: true },
  );
  return async () => {
    await subscription.close();
    await receiver.close();
  };
}

describe("the sample listener", () => {
  it("records each OperationId once and drops the duplicate", async () => {
    const context = accountCreated();
    const source = `test-dedupe-${context.operationId}`;
    const metadata = { messageId: context.operationId, contentType: "application/json", applicationProperties: claimsOf(context) };
    const first = await handleListenerMessage(receivedFromTrigger(source, encodeContextJson(context), metadata), deps);
    const again = await handleListenerMessage(receivedFromTrigger(source, encodeContextJson(context), metadata), deps);
    expect([first.status, again.status]).toEqual(["recorded", "duplicate"]);
    const receipts = await deps.receipts.list({ source });
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ operationId: context.operationId, messageName: "Create", primaryEntityName: "account", organizationName: ORGANIZATION });
  });

  it("reads what a topic endpoint posted from the subscription, as the topic-triggered function does", async () => {
    const context = accountCreated();
    const endpoint = validateServiceEndpoint({ name: "topic", contract: 5, messageformat: 3, authtype: 9, userclaim: 2, path: TOPIC });
    await poster.post(context, endpoint);
    const receiver = client.createReceiver(TOPIC, SUBSCRIPTION, { receiveMode: "receiveAndDelete", skipParsingBodyAsJson: true });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2_000 });
    await receiver.close();
    const source = `${TOPIC}/${SUBSCRIPTION}`;
    const outcome = await handleListenerMessage(receivedFromTrigger(source, message.body, triggerMetadataOf(message)), deps);
    expect([outcome.status, outcome.message.format, outcome.message.claims.user]).toEqual(["recorded", 3, context.userId]);
    expect(await deps.receipts.list({ correlationId: context.correlationId })).toMatchObject([{ source, operationId: context.operationId, contentType: "application/xml" }]);
  });

  it("answers a two-way request: the poster returns the listener's reply", async () => {
    const source = "test-two-way";
    const stop = runListener(source);
    try {
      const context = accountCreated();
      const endpoint = validateServiceEndpoint({ name: "two-way", contract: 4, messageformat: 2, authtype: 9, path: QUEUE });
      const result = await poster.post(context, endpoint, { synchronous: true });
      expect(result).toEqual({ response: `Received Create of account ${context.primaryEntityId}`, truncated: false });
      const oneWay = await poster.post(accountCreated(), { ...endpoint, contract: 1 });
      expect(oneWay).toEqual({ truncated: false });
      expect((await deps.receipts.list({ source })).map((receipt) => receipt.operationId)).toContain(context.operationId);
    } finally {
      await stop();
    }
  });

  it("answers on the request's MessageId when the host does not pass ReplyToSessionId", async () => {
    const stop = runListener("test-two-way-no-session-metadata", false);
    try {
      const context = accountCreated();
      const endpoint = validateServiceEndpoint({ name: "two-way", contract: 4, messageformat: 2, authtype: 9, path: QUEUE });
      expect((await poster.post(context, endpoint)).response).toBe(`Received Create of account ${context.primaryEntityId}`);
    } finally {
      await stop();
    }
  });

  it("a two-way post with no listener fails as ExternalUnavailable (retryable)", async () => {
    const endpoint = validateServiceEndpoint({ name: "two-way", contract: 4, messageformat: 2, authtype: 9, path: QUEUE });
    const error = await poster.post(accountCreated(), endpoint, { replyTimeoutInMs: 300 }).catch((caught: unknown) => caught);
    expect(isPipelineError(error) && [error.code, error.retryable]).toEqual(["ExternalUnavailable", true]);
    const receiver = client.createReceiver(QUEUE, { receiveMode: "receiveAndDelete" });
    await receiver.receiveMessages(10, { maxWaitTimeInMs: 200 });
    await receiver.close();
  });
});
