import { join } from "node:path";
import { ServiceBusClient, type ServiceBusReceivedMessage } from "@azure/service-bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServiceBusBroker, type ServiceBusBroker } from "../../local/servicebus/broker";
import { azureResources } from "../../shared/config/azure-resources";
import { tableClientFor } from "../../shared/config/table-client";
import { readDataServiceSettings } from "../../shared/dataservice";
import { createEndpointPoster, validateServiceEndpoint } from "../../shared/delivery";
import { createAppServices, type AppServices } from "../../shared/jobs";
import { handleListenerMessage, type ListenerDependencies, type ListenerOutcome } from "../../shared/listener/listener";
import { ReceiptStore } from "../../shared/listener/receipts";
import { receivedFromTrigger, serviceBusReplies } from "../../shared/listener/sample-listener";
import { eventually } from "../host/run-host";
import { uniqueOrganization } from "../support/data-service";
import { registerQueueStep, sasEndpointColumns } from "../support/system-jobs";
import { testPlugins, webApiClient } from "../pipeline/support";

const QUEUE = azureResources.serviceBus.queues.events.name;
const organization = uniqueOrganization("postid");

/**
 * The identity of a post (`postMessageId`): every synchronous step of one operation shares its OperationId,
 * yet each of their posts must arrive; a job's repeated post must not.
 */
describe("the identity of a post", () => {
  let broker: ServiceBusBroker;
  let client: ServiceBusClient;
  let services: AppServices;
  let listener: ListenerDependencies & { replies: ReturnType<typeof serviceBusReplies> };
  let api: ReturnType<ReturnType<typeof webApiClient>>;
  const webApi = (method: string, path: string, body?: unknown) => api(method, path, { body, headers: { Prefer: "return=representation" } });
  const outcomes: ListenerOutcome[] = [];

  beforeAll(async () => {
    // A broker of this file's own: no other test reads its dataverse-events queue.
    broker = await startServiceBusBroker({ config: join(__dirname, "../../local/servicebus/config.json") });
    client = new ServiceBusClient(broker.connectionString);
    const env = {
      AzureWebJobsStorage: process.env.AzureWebJobsStorage,
      ServiceBusConnection: broker.connectionString,
      Organizations: organization,
      AllowAnonymousAsAdmin: "true",
      ServiceEndpointReplyTimeoutSeconds: "3",
    };
    services = createAppServices(env, { plugins: testPlugins(), settings: readDataServiceSettings(env) });
    api = webApiClient(services.pipeline)(organization);
    listener = { receipts: new ReceiptStore(tableClientFor(`PostIdReceipts${Date.now()}`)), replies: serviceBusReplies({ ServiceBusConnection: broker.connectionString }) };
  });
  afterAll(async () => {
    await services.close();
    await listener.replies.close();
    await client.close();
    await broker.stop();
  });

  /** The sample listener on the queue, as the function app runs it, until stopped. */
  function runListener() {
    const receiver = client.createReceiver(QUEUE, { skipParsingBodyAsJson: true });
    const subscription = receiver.subscribe(
      {
        processMessage: async (message: ServiceBusReceivedMessage) => {
          const metadata = { messageId: message.messageId, contentType: message.contentType, applicationProperties: message.applicationProperties, replyTo: message.replyTo, replyToSessionId: message.replyToSessionId };
          outcomes.push(await handleListenerMessage(receivedFromTrigger(QUEUE, message.body, metadata), listener));
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

  async function waitForOutcomes(count: number): Promise<void> {
    for (let waited = 0; outcomes.length < count && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** Waits until the queue holds no message (a message stays there, locked, until the listener completes it). */
  async function queueEmptied(): Promise<void> {
    await eventually(async () => {
      // A new receiver each time: a receiver's peek goes on from where its last one stopped.
      const peeker = client.createReceiver(QUEUE);
      try {
        return (await peeker.peekMessages(10)).length === 0;
      } finally {
        await peeker.close();
      }
    }, 10_000, "the queue to be empty");
  }

  it("delivers both synchronous queue posts of one Create to the same queue: two receipts", async () => {
    await registerQueueStep(webApi, broker.connectionString, { table: "contact", mode: 0, endpoint: { name: "first queue" } });
    await registerQueueStep(webApi, broker.connectionString, { table: "contact", mode: 0, endpoint: { name: "second queue" } });
    const stop = runListener();
    try {
      expect((await api("POST", "contacts", { body: { lastname: "Twice" } })).status).toBe(204);
      await waitForOutcomes(2);
      // Synchronous posts: all were sent before the Create answered. Once the queue is empty, every one was handled.
      await queueEmptied();
    } finally {
      await stop();
    }
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["recorded", "recorded"]);
    const receipts = await listener.receipts.list({ source: QUEUE });
    expect(receipts).toHaveLength(2);
    const [first, second] = receipts;
    // One operation (one OperationId, each step its own post), and the MessageId is the receipt's key.
    expect(second.operationId).toBe(first.operationId);
    expect(new Set(receipts.map((receipt) => receipt.postId)).size).toBe(2);
    expect(receipts.map((receipt) => receipt.messageId)).toEqual(receipts.map((receipt) => receipt.postId));
  });

  it("answers both synchronous two-way posts of one Update on the same queue, and the Update succeeds", async () => {
    outcomes.length = 0;
    const accountId = (await webApi("POST", "accounts", { name: "Asked twice" })).json.accountid as string;
    await registerQueueStep(webApi, broker.connectionString, { table: "account", message: "Update", mode: 0, endpoint: { name: "first two-way", contract: 4 } });
    await registerQueueStep(webApi, broker.connectionString, { table: "account", message: "Update", mode: 0, endpoint: { name: "second two-way", contract: 4 } });
    const stop = runListener();
    try {
      const updated = await api("PATCH", `accounts(${accountId})`, { body: { telephone1: "2" } });
      expect([updated.status, updated.json?.error?.message]).toEqual([204, undefined]);
    } finally {
      await stop();
    }
    expect(outcomes.map((outcome) => [outcome.status, outcome.reply?.startsWith("Received Update of account")])).toEqual([
      ["recorded", true],
      ["recorded", true],
    ]);
  });

  it("drops a job's repeated post: Service Bus by MessageId, the listener by the same identity", async () => {
    outcomes.length = 0;
    const stepId = await registerQueueStep(webApi, broker.connectionString, { table: "account", mode: 1, endpoint: { name: "async queue" } });
    expect((await api("POST", "accounts", { body: { name: "Once Ltd" } })).status).toBe(204);
    const jobId = (await api("GET", `asyncoperations?$filter=_owningextensionid_value eq ${stepId}&$select=asyncoperationid`)).json.value[0].asyncoperationid as string;
    const context = (await services.pipeline.jobContexts.read(organization, jobId))!;

    // The job posts; then the same stored context again, as an attempt repeated after a crash does.
    expect(await services.jobs.attempt({ organization, jobId })).toEqual({ kind: "completed", statuscode: 30 });
    const poster = createEndpointPoster({ env: { ServiceBusConnection: broker.connectionString } });
    const endpoint = validateServiceEndpoint({ name: "async queue", contract: 2, messageformat: 2, userclaim: 1, path: QUEUE, ...sasEndpointColumns(broker.connectionString) });
    await poster.post(context, endpoint);
    await poster.close();

    const receiver = client.createReceiver(QUEUE, { receiveMode: "receiveAndDelete", skipParsingBodyAsJson: true });
    const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 1_000 });
    await receiver.close();
    expect(messages.map((message) => message.messageId)).toEqual([jobId]);

    // A redelivery that passes the broker (its window over, or another source) is dropped by the listener.
    const [message] = messages;
    const metadata = { messageId: message.messageId, contentType: message.contentType, applicationProperties: message.applicationProperties };
    const first = await handleListenerMessage(receivedFromTrigger(QUEUE, message.body, metadata), listener);
    const again = await handleListenerMessage(receivedFromTrigger(QUEUE, message.body, metadata), listener);
    expect([first.status, again.status]).toEqual(["recorded", "duplicate"]);
    expect((await listener.receipts.list({ source: QUEUE })).filter((receipt) => receipt.operationId === jobId)).toMatchObject([{ postId: jobId, operationId: jobId }]);
  });
});
