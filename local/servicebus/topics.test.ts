import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceBusReceiver } from "@azure/service-bus";
import { brokerWithClient, emulatorConfig } from "./test-support";

const config = emulatorConfig({
  Topics: [
    {
      Name: "events",
      Properties: {},
      Subscriptions: [
        { Name: "all", Properties: {} },
        { Name: "accounts", Properties: {}, Rules: [{ Name: "accounts-only", Properties: { FilterType: "Correlation", CorrelationFilter: { Label: "account", Properties: { region: "eu" } } } }] },
        { Name: "big", Properties: {}, Rules: [{ Name: "big-ones", Properties: { FilterType: "Sql", SqlFilter: { SqlExpression: "amount > 100 AND (kind IN ('a', 'b') OR EXISTS(urgent)) AND sys.Label <> 'ignored'" } } }] },
      ],
    },
  ],
});

let env: Awaited<ReturnType<typeof brokerWithClient>>;
beforeAll(async () => {
  env = await brokerWithClient({ config });
});
afterAll(async () => {
  await env?.close();
});

async function drain(receiver: ServiceBusReceiver): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const messages = await receiver.receiveMessages(20, { maxWaitTimeInMs: 300 });
    if (messages.length === 0) return bodies;
    for (const message of messages) {
      bodies.push(message.body);
      await receiver.completeMessage(message);
    }
  }
}

describe("topics", () => {
  it("fans a message out to every subscription whose rule matches", async () => {
    const sender = env.client.createSender("events");
    await sender.sendMessages([
      { body: "account-eu", subject: "account", applicationProperties: { region: "eu" } },
      { body: "account-us", subject: "account", applicationProperties: { region: "us" } },
      { body: "big-a", subject: "order", applicationProperties: { amount: 500, kind: "a" } },
      { body: "big-urgent", subject: "order", applicationProperties: { amount: 101, kind: "z", urgent: true } },
      { body: "big-ignored", subject: "ignored", applicationProperties: { amount: 500, kind: "a" } },
      { body: "small", applicationProperties: { amount: 5, kind: "a" } },
    ]);
    const all = env.client.createReceiver("events", "all");
    const accounts = env.client.createReceiver("events", "accounts");
    const big = env.client.createReceiver("events", "big");
    expect(await drain(all)).toEqual(["account-eu", "account-us", "big-a", "big-urgent", "big-ignored", "small"]);
    expect(await drain(accounts)).toEqual(["account-eu"]);
    expect(await drain(big)).toEqual(["big-a", "big-urgent"]);
    await Promise.all([all.close(), accounts.close(), big.close(), sender.close()]);
  });

  it("refuses an unknown subscription with MessagingEntityNotFound", async () => {
    const receiver = env.client.createReceiver("events", "missing");
    await expect(receiver.receiveMessages(1, { maxWaitTimeInMs: 500 })).rejects.toMatchObject({ code: "MessagingEntityNotFound" });
    await receiver.close();
  });
});
