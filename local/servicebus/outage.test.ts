import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServiceBusClient } from "@azure/service-bus";
import { startServiceBusBroker, type ServiceBusBroker } from "./broker";
import { startControlServer, type ControlServer } from "./control";
import { emulatorConfig } from "./test-support";

let broker: ServiceBusBroker;
let control: ControlServer;
beforeAll(async () => {
  broker = await startServiceBusBroker({ config: emulatorConfig({ Queues: [{ Name: "resilient", Properties: {} }] }) });
  control = await startControlServer(broker);
});
afterAll(async () => {
  await control?.stop();
  await broker?.stop();
});

describe("outage on demand", () => {
  it("drops connections and refuses new ones for a while; the SDK's sender and subscriber recover", async () => {
    const client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 10, retryDelayInMs: 200, maxRetryDelayInMs: 500, timeoutInMs: 3000 } });
    const receiver = client.createReceiver("resilient");
    const received: unknown[] = [];
    const errors: string[] = [];
    receiver.subscribe({
      async processMessage(message) {
        received.push(message.body);
      },
      async processError({ error }) {
        errors.push(error.name);
      },
    });
    const sender = client.createSender("resilient");
    await sender.sendMessages({ body: "before" });
    while (received.length < 1) await delay(50);

    const response = await fetch(`http://127.0.0.1:${control.port}/interrupt?ms=1500`, { method: "POST" });
    expect(response.status).toBe(200);
    const failures: string[] = [];
    // As an application would: a send that fails while the namespace is unreachable is tried again.
    for (;;) {
      try {
        await sender.sendMessages({ body: "after" });
        break;
      } catch (error) {
        failures.push((error as Error).name);
        await delay(200);
      }
    }
    while (received.length < 2) await delay(50);
    expect(received).toEqual(["before", "after"]);
    expect(errors.length + failures.length).toBeGreaterThan(0);
    await receiver.close();
    await client.close();
  });

  it("answers a malformed control request with 400 and changes nothing", async () => {
    const response = await fetch(`http://127.0.0.1:${control.port}/interrupt?ms=soon`, { method: "POST" });
    expect(response.status).toBe(400);
    const client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 3000 } });
    await client.createSender("resilient").sendMessages({ body: "still up" });
    await client.close();
  });
});
