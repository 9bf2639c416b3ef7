import "../shared/telemetry/start";
import { app, type InvocationContext } from "@azure/functions";
import { azureResources } from "../shared/config/azure-resources";
import { runSampleListener } from "../shared/listener/sample-listener";

// The sample listener: what a queue or topic service endpoint posted, read, checked, recorded once per
// OperationId in ListenerReceipts, and answered when it is a two-way or one-way request.

const { queues, topics } = azureResources.serviceBus;
const subscription = topics.events.subscriptions.listener;

async function listen(source: string, message: unknown, context: InvocationContext): Promise<void> {
  const outcome = await runSampleListener(source, message, context.triggerMetadata ?? {});
  const { context: received } = outcome.message;
  context.log(`${outcome.status} ${received.messageName} of ${received.primaryEntityName} ${received.primaryEntityId}`, {
    correlationId: received.correlationId,
    operationId: received.operationId,
    organization: received.organizationName,
    truncated: outcome.message.truncated,
    replied: outcome.reply !== undefined,
  });
}

app.serviceBusQueue("dataverseQueueListener", {
  connection: azureResources.connections.serviceBus,
  queueName: queues.events.name,
  handler: (message, context) => listen(queues.events.name, message, context),
});

app.serviceBusTopic("dataverseTopicListener", {
  connection: azureResources.connections.serviceBus,
  topicName: topics.events.name,
  subscriptionName: subscription.name,
  handler: (message, context) => listen(`${topics.events.name}/${subscription.name}`, message, context),
});
