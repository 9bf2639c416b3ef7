import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceBusReceiver } from "@azure/service-bus";
import { brokerWithClient, emulatorConfig } from "./test-support";

const config = emulatorConfig({
  Queues: [
    { Name: "inbox", Properties: { ForwardTo: "", ForwardDeadLetteredMessagesTo: "" } },
    { Name: "failures", Properties: {} },
  ],
  Topics: [
    {
      Name: "events",
      Properties: {},
      Subscriptions: [
        { Name: "all", Properties: {} },
        { Name: "forwarder", Properties: { ForwardTo: "inbox", ForwardDeadLetteredMessagesTo: "" }, Rules: [{ Name: "forwarded", Properties: { FilterType: "Correlation", CorrelationFilter: { Label: "forward" } } }] },
        { Name: "strict", Properties: { MaxDeliveryCount: 1, ForwardDeadLetteredMessagesTo: "failures" }, Rules: [{ Name: "strict-only", Properties: { FilterType: "Correlation", CorrelationFilter: { Label: "strict" } } }] },
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

describe("auto-forwarding", () => {
  it("moves messages on with ForwardTo, and dead letters with ForwardDeadLetteredMessagesTo", async () => {
    const sender = env.client.createSender("events");
    await sender.sendMessages([
      { body: "forward me", subject: "forward", messageId: "fwd-1" },
      { body: "fail once", subject: "strict" },
    ]);
    const inbox = env.client.createReceiver("inbox", { receiveMode: "receiveAndDelete" });
    const [forwarded] = await inbox.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect([forwarded.body, forwarded.messageId]).toEqual(["forward me", "fwd-1"]);
    const strict = env.client.createReceiver("events", "strict");
    const [strictMessage] = await strict.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    await strict.abandonMessage(strictMessage);
    const failures = env.client.createReceiver("failures", { receiveMode: "receiveAndDelete" });
    const [failed] = await failures.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(failed.body).toBe("fail once");
    expect(failed.deadLetterReason).toBe("MaxDeliveryCountExceeded");
    expect(await drain(env.client.createReceiver("events", "all"))).toEqual(["forward me", "fail once"]);
    await Promise.all([inbox.close(), strict.close(), failures.close(), sender.close()]);
  });
});

describe("rule management", () => {
  it("adds, lists and deletes subscription rules through the SDK's rule manager", async () => {
    const rules = env.client.createRuleManager("events", "all");
    expect((await rules.listRules().next()).value).toMatchObject({ name: "$Default" });
    await rules.createRule("only-blue", { applicationProperties: { color: "blue" }, subject: "paint" });
    await rules.createRule("big-sql", { sqlExpression: "size > 10" });
    await expect(rules.createRule("big-sql", { sqlExpression: "size > 10" })).rejects.toMatchObject({ code: "MessagingEntityAlreadyExists" });
    await expect(rules.createRule("arithmetic", { sqlExpression: "size * 2 > 10" })).rejects.toThrow(/unsupported SQL filter/);
    await rules.deleteRule("$Default");
    const listed = [];
    for await (const rule of rules.listRules()) listed.push(rule);
    expect(listed.map((rule) => rule.name)).toEqual(["only-blue", "big-sql"]);
    expect(listed[0].filter).toMatchObject({ applicationProperties: { color: "blue" }, subject: "paint" });
    expect(listed[1].filter).toEqual({ sqlExpression: "size > 10" });

    const sender = env.client.createSender("events");
    await sender.sendMessages([
      { body: "blue", subject: "paint", applicationProperties: { color: "blue" } },
      { body: "red", subject: "paint", applicationProperties: { color: "red" } },
      { body: "large", applicationProperties: { size: 11 } },
    ]);
    expect(await drain(env.client.createReceiver("events", "all"))).toEqual(["blue", "large"]);
    await rules.deleteRule("only-blue");
    await rules.deleteRule("big-sql");
    await rules.createRule("$Default", { sqlExpression: "1=1" });
    await sender.close();
  });
});
