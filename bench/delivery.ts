import { join } from "node:path";
import { ServiceBusClient } from "@azure/service-bus";
import { startServiceBusBroker } from "../local/servicebus/broker";
import { azureResources } from "../shared/config/azure-resources";
import { claimProperties, createEndpointPoster, validateServiceEndpoint } from "../shared/delivery";
import { newGuid } from "../shared/model";
import { encodeContextJson } from "../shared/serialization";
import { sampleContext } from "./sample-context";
import { opsPerSecond, ratio, type BenchSuite } from "./suite";

const QUEUE = azureResources.serviceBus.queues.events.name;

/**
 * One post at a time to a queue endpoint through the EndpointPoster (encode, size rules, claims, send),
 * beside the bare SDK sending the same context encoded the same way, in the same run.
 */
export const deliverySuite: BenchSuite = {
  name: "delivery",
  async run(log) {
    const broker = await startServiceBusBroker({ config: join(__dirname, "../../local/servicebus/config.json") });
    const client = new ServiceBusClient(broker.connectionString);
    const poster = createEndpointPoster({ env: { ServiceBusConnection: broker.connectionString } });
    const endpoint = validateServiceEndpoint({ name: "bench", contract: 2, messageformat: 2, authtype: 9, userclaim: 2, path: QUEUE });
    const context = sampleContext(20);
    try {
      const sender = client.createSender(QUEUE);
      const bare = await opsPerSecond(async () => {
        context.operationId = newGuid();
        await sender.sendMessages({
          body: Buffer.from(encodeContextJson(context)),
          contentType: "application/json",
          messageId: context.operationId,
          correlationId: context.correlationId,
          applicationProperties: claimProperties(context, 2, false),
        });
      });
      log(`bare SDK send: ${bare.toFixed(0)} posts/s`);
      const posted = await opsPerSecond(async () => {
        context.operationId = newGuid();
        await poster.post(context, endpoint);
      });
      log(`EndpointPoster: ${posted.toFixed(0)} posts/s`);
      const bytes = Buffer.byteLength(encodeContextJson(context));
      return [
        `Sequential posts of a ${(bytes / 1024).toFixed(1)} KB JSON context to the local broker's \`${QUEUE}\` queue (duplicate detection on).`,
        "",
        "| measurement | posts/s | ratio to bare SDK |",
        "| --- | ---: | ---: |",
        `| bare @azure/service-bus sender, same body and properties | ${bare.toFixed(0)} | 1.00 |`,
        `| EndpointPoster.post (queue endpoint, userclaim 2) | ${posted.toFixed(0)} | ${ratio(posted, bare)} |`,
      ];
    } finally {
      await poster.close();
      await client.close();
      await broker.stop();
    }
  },
};
