import { join } from "node:path";
import { ServiceBusClient, type ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceBusBroker, type ServiceBusBroker } from "../../local/servicebus/broker";
import { accountCreated, ORGANIZATION } from "../../test/support/delivery";
import { azureResources } from "../config/azure-resources";
import { isPipelineError, type PipelineError } from "../errors";
import { decodeContext } from "../serialization";
import { ClaimKeys, createEndpointPoster, validateServiceEndpoint, type EndpointPoster, type ServiceEndpoint } from "./index";

const QUEUE = azureResources.serviceBus.queues.events.name;
const TOPIC = azureResources.serviceBus.topics.events.name;
const SUBSCRIPTION = azureResources.serviceBus.topics.events.subscriptions.listener.name;
const HUB = azureResources.eventHubs.hubs.events.name;

let broker: ServiceBusBroker;
let client: ServiceBusClient;
let poster: EndpointPoster;

beforeAll(async () => {
  broker = await startServiceBusBroker({ config: join(__dirname, "../../local/servicebus/config.json") });
  client = new ServiceBusClient(broker.connectionString);
  poster = createEndpointPoster({
    env: { ServiceBusConnection: broker.connectionString, EventHubConnection: broker.eventHubsConnectionString() },
    serviceBus: { retryOptions: { maxRetries: 1, retryDelayInMs: 100, timeoutInMs: 3_000 } },
    eventHubs: { retryOptions: { maxRetries: 1, retryDelayInMs: 100, timeoutInMs: 3_000 } },
    replyTimeoutInMs: 2_000,
  });
});
afterAll(async () => {
  await poster.close();
  await client.close();
  await broker.stop();
});

/** The app's own namespace through its connection setting (managed identity in Azure). */
const endpoint = (columns: Partial<ServiceEndpoint>): ServiceEndpoint =>
  validateServiceEndpoint({ name: "endpoint", contract: 2, messageformat: 2, authtype: 9, path: QUEUE, ...columns });

async function drain(entity: string, subscription?: string): Promise<ServiceBusReceivedMessage[]> {
  const receiver = subscription
    ? client.createReceiver(entity, subscription, { receiveMode: "receiveAndDelete", skipParsingBodyAsJson: true })
    : client.createReceiver(entity, { receiveMode: "receiveAndDelete", skipParsingBodyAsJson: true });
  try {
    return await receiver.receiveMessages(20, { maxWaitTimeInMs: 300 });
  } finally {
    await receiver.close();
  }
}

async function failure(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isPipelineError(error)) throw new Error(`expected a PipelineError, got ${String(error)}`);
  return error;
}

const bodyOf = (message: ServiceBusReceivedMessage): string => Buffer.from(message.body as Uint8Array).toString("utf8");

describe("queue and topic posts (contracts 2, 5, 6)", () => {
  it.each([
    ["Queue (2), Json", 2, 2, "application/json"],
    ["Queue (Persistent) (6), Text XML", 6, 3, "application/xml"],
  ])("%s: the context as the body, MessageId = OperationId, correlation id carried", async (_name, contract, messageformat, contentType) => {
    const context = accountCreated();
    expect(await poster.post(context, endpoint({ contract: contract as 2, messageformat: messageformat as 2 }))).toEqual({ truncated: false });
    const [message] = await drain(QUEUE);
    expect(message.contentType).toBe(contentType);
    expect(message.messageId).toBe(context.operationId);
    expect(message.correlationId).toBe(context.correlationId);
    expect(decodeContext(bodyOf(message)).primaryEntityId).toBe(context.primaryEntityId);
  });

  it("posts to a topic, read from its subscription", async () => {
    const context = accountCreated();
    await poster.post(context, endpoint({ contract: 5, path: TOPIC }));
    const [message] = await drain(TOPIC, SUBSCRIPTION);
    expect(message.messageId).toBe(context.operationId);
  });

  it.each([
    [1, { organization: ORGANIZATION, entityLogicalName: "account", requestName: "Create" }],
    [2, { organization: ORGANIZATION, entityLogicalName: "account", requestName: "Create", user: "df010dad-f103-4589-ba66-76a5a04c2a11", initiatingUser: "5e2c7a3b-0a1b-4c2d-8e3f-9a8b7c6d5e4f" }],
    [3, { organization: ORGANIZATION, entityLogicalName: "account", requestName: "Create", user: "df010dad-f103-4589-ba66-76a5a04c2a11", initiatingUser: "5e2c7a3b-0a1b-4c2d-8e3f-9a8b7c6d5e4f", initiatingUserAgent: "Contoso.App/1.0" }],
  ])("userclaim %i sends the claim properties it asks for", async (userclaim, claims) => {
    await poster.post(accountCreated({ agent: "Contoso.App/1.0" }), endpoint({ userclaim: userclaim as 1 }));
    const [message] = await drain(QUEUE);
    const expected = Object.fromEntries(Object.entries(claims).map(([name, value]) => [ClaimKeys[name as keyof typeof ClaimKeys], value]));
    expect(message.applicationProperties).toEqual(expected);
  });

  it("a repeated post of one operation is dropped by the queue's duplicate detection", async () => {
    const context = accountCreated();
    await poster.post(context, endpoint({}));
    await poster.post(context, endpoint({}));
    expect(await drain(QUEUE)).toHaveLength(1);
  });

  it("truncates a body over 192 KB and sets MessageMaxSizeExceeded", async () => {
    const result = await poster.post(accountCreated({ padding: 200 * 1024 }), endpoint({}));
    expect(result.truncated).toBe(true);
    const [message] = await drain(QUEUE);
    expect(message.applicationProperties?.MessageMaxSizeExceeded).toBe(true);
    const received = decodeContext(bodyOf(message));
    expect([received.inputParameters.size, received.postEntityImages.size, received.parentContext]).toEqual([0, 0, null]);
  });

  it("sends nothing when the body stays over 192 KB", async () => {
    const context = accountCreated();
    context.sharedVariables.set("huge", "y".repeat(200 * 1024));
    const error = await failure(poster.post(context, endpoint({})));
    expect([error.code, error.retryable]).toEqual(["MessageTooLarge", false]);
    expect(await drain(QUEUE)).toHaveLength(0);
  });

  it("reaches a namespace with a SAS key, a SAS token or a connection string", async () => {
    const address = `sb://127.0.0.1:${broker.port}/`;
    await poster.post(accountCreated(), endpoint({ authtype: 2, namespaceaddress: address, saskeyname: "RootManageSharedAccessKey", saskey: "SAS_KEY_VALUE" }));
    await poster.post(accountCreated(), endpoint({ authtype: 7, connectionstring: broker.connectionString }));
    const expiry = Math.floor(Date.now() / 1000) + 3600;
    const sastoken = `SharedAccessSignature sr=${encodeURIComponent(address)}&sig=c2lnbmF0dXJl&se=${expiry}&skn=send`;
    await poster.post(accountCreated(), endpoint({ authtype: 3, namespaceaddress: address, sastoken }));
    expect(await drain(QUEUE)).toHaveLength(3);
  });

  it("an entity that does not exist is refused, not retried", async () => {
    const error = await failure(poster.post(accountCreated(), endpoint({ path: "no-such-queue" })));
    expect([error.code, error.retryable]).toEqual(["ExternalRejected", false]);
  });

  it("a broker that is down is ExternalUnavailable (retryable), and the next post after it is back succeeds", async () => {
    const down = createEndpointPoster({
      env: { ServiceBusConnection: broker.connectionString },
      serviceBus: { retryOptions: { maxRetries: 0, retryDelayInMs: 50, timeoutInMs: 2_000 } },
    });
    try {
      broker.interrupt();
      const error = await failure(down.post(accountCreated(), endpoint({})));
      expect([error.code, error.retryable]).toEqual(["ExternalUnavailable", true]);
      broker.resume();
      await down.post(accountCreated(), endpoint({}));
    } finally {
      broker.resume();
      await down.close();
    }
    expect(await drain(QUEUE)).toHaveLength(1);
  });
});

describe("Event Hub posts (contract 7)", () => {
  it("sends the body with partition key = the primary record's id", async () => {
    const context = accountCreated();
    await poster.post(context, endpoint({ contract: 7, path: HUB }));
    const arrived = broker.eventHubs.events(HUB).filter((event) => event.messageId === context.operationId);
    expect(arrived).toHaveLength(1);
    expect(arrived[0].partitionKey).toBe(context.primaryEntityId);
    expect(arrived[0].contentType).toBe("application/json");
    expect(arrived[0].applicationProperties[ClaimKeys.requestName]).toBe("Create");
    expect(decodeContext(Buffer.from(arrived[0].body as Uint8Array).toString("utf8")).operationId).toBe(context.operationId);
  });
});
