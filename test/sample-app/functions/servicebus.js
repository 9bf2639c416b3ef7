/* global require */
/* eslint-disable @typescript-eslint/no-require-imports */
const { app, output } = require("@azure/functions");
const { observe } = require("../lib/observe");

const record = (message, context) =>
  observe("servicebus", {
    functionName: context.functionName,
    message,
    messageId: context.triggerMetadata.messageId,
    deliveryCount: context.triggerMetadata.deliveryCount,
    enqueuedTimeUtc: context.triggerMetadata.enqueuedTimeUtc,
    applicationProperties: context.triggerMetadata.applicationProperties,
  });

app.serviceBusQueue("queueListener", {
  connection: "ServiceBusConnection",
  queueName: "sample-queue",
  handler: async (message, context) => record(message, context),
});

app.serviceBusTopic("topicListener", {
  connection: "ServiceBusConnection",
  topicName: "sample-topic",
  subscriptionName: "sample-subscription",
  handler: async (message, context) => record(message, context),
});

// Always fails: its messages are abandoned until the queue's max delivery count dead-letters them.
app.serviceBusQueue("poisonListener", {
  connection: "ServiceBusConnection",
  queueName: "sample-poison",
  handler: async (message, context) => {
    record(message, context);
    throw new Error("poison message");
  },
});

// cardinality "many": an array of bodies, metadata as arrays.
app.serviceBusQueue("batchListener", {
  connection: "ServiceBusConnection",
  queueName: "sample-batch",
  cardinality: "many",
  handler: async (messages, context) =>
    observe("servicebus-batch", { messages, messageIds: context.triggerMetadata.messageIdArray, deliveryCounts: context.triggerMetadata.deliveryCountArray }),
});

// A session-enabled queue: each session's messages arrive in order.
app.serviceBusQueue("sessionListener", {
  connection: "ServiceBusConnection",
  queueName: "sample-sessions",
  isSessionsEnabled: true,
  handler: async (message, context) => observe("servicebus-session", { message, sessionId: context.triggerMetadata.sessionId }),
});

// An HTTP function that sends its body to the queue through a Service Bus output binding.
const queueOutput = output.serviceBusQueue({ connection: "ServiceBusConnection", queueName: "sample-queue" });
app.http("enqueue", {
  methods: ["POST"],
  authLevel: "anonymous",
  extraOutputs: [queueOutput],
  handler: async (request, context) => {
    context.extraOutputs.set(queueOutput, await request.json());
    return { status: 202 };
  },
});
