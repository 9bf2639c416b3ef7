import "../shared/telemetry/start";
import { app, trigger, type InvocationContext } from "@azure/functions";
import { azureResources } from "../shared/config/azure-resources";
import { listenerReceiptEvent, runSampleListener } from "../shared/listener/sample-listener";
import { structuredLog } from "../shared/telemetry/structured-log";

// The sample listener: what a queue or topic service endpoint posted, read, checked, recorded once per
// post (postMessageId) in ListenerReceipts, and answered when it is a two-way or one-way request.

const { queues, topics } = azureResources.serviceBus;
const subscription = topics.events.subscriptions.listener;

async function listen(source: string, message: unknown, context: InvocationContext): Promise<void> {
  const outcome = await runSampleListener(source, message, context.triggerMetadata ?? {});
  structuredLog(listenerReceiptEvent(source, outcome), context);
}

// `dataType: "binary"`: the host hands the body over as its bytes (a Buffer). Without it the Node library
// JSON-parses a text body, and numbers JavaScript cannot hold exactly (a BigInt past 2^53, a decimal or Money
// with many digits) change before the listener sees them. The v4 library has no typed option for it
// (azure-functions-nodejs-library#72), so the triggers are declared through `trigger.generic`.
const serviceBusTrigger = (entity: { queueName: string } | { topicName: string; subscriptionName: string }) =>
  trigger.generic({ type: "serviceBusTrigger", dataType: "binary", connection: azureResources.connections.serviceBus, ...entity });

app.generic("dataverseQueueListener", {
  trigger: serviceBusTrigger({ queueName: queues.events.name }),
  handler: (message, context) => listen(queues.events.name, message, context),
});

app.generic("dataverseTopicListener", {
  trigger: serviceBusTrigger({ topicName: topics.events.name, subscriptionName: subscription.name }),
  handler: (message, context) => listen(`${topics.events.name}/${subscription.name}`, message, context),
});
