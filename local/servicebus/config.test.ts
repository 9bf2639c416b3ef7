import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfigFile, parseConfig } from "./config";
import { parseIsoDuration } from "./duration";
import { brokerWithClient } from "./test-support";

/** The sample config.json shipped with Microsoft's Service Bus emulator (abridged to one of each). */
const emulatorSample = {
  UserConfig: {
    Namespaces: [
      {
        Name: "sbemulatorns",
        Queues: [
          {
            Name: "queue.1",
            Properties: {
              DeadLetteringOnMessageExpiration: false,
              DefaultMessageTimeToLive: "PT1H",
              DuplicateDetectionHistoryTimeWindow: "PT20S",
              ForwardDeadLetteredMessagesTo: "",
              ForwardTo: "",
              LockDuration: "PT1M",
              MaxDeliveryCount: 3,
              RequiresDuplicateDetection: false,
              RequiresSession: false,
            },
          },
        ],
        Topics: [
          {
            Name: "topic.1",
            Properties: { DefaultMessageTimeToLive: "PT1H", DuplicateDetectionHistoryTimeWindow: "PT20S", RequiresDuplicateDetection: false },
            Subscriptions: [
              {
                Name: "subscription.1",
                Properties: { DeadLetteringOnMessageExpiration: false, DefaultMessageTimeToLive: "PT1H", LockDuration: "PT1M", MaxDeliveryCount: 3, ForwardDeadLetteredMessagesTo: "", ForwardTo: "", RequiresSession: false },
                Rules: [
                  {
                    Name: "app-prop-filter-1",
                    Properties: {
                      FilterType: "Correlation",
                      CorrelationFilter: { ContentType: "application/text", CorrelationId: "id1", Label: "subject1", MessageId: "msgid1", ReplyTo: "someQueue", ReplyToSessionId: "sessionId", SessionId: "session1", To: "xyz" },
                    },
                  },
                ],
              },
              {
                Name: "subscription.2",
                Properties: { DeadLetteringOnMessageExpiration: false, DefaultMessageTimeToLive: "PT1H", LockDuration: "PT1M", MaxDeliveryCount: 3, ForwardDeadLetteredMessagesTo: "", ForwardTo: "", RequiresSession: false },
                Rules: [{ Name: "sql-filter-1", Properties: { FilterType: "Sql", SqlFilter: { SqlExpression: "sys.MessageId = '123456' AND userProp1 = 'value1'" }, Action: { SqlExpression: "SET sys.To = 'Entity'" } } }],
              },
            ],
          },
        ],
      },
    ],
    Logging: { Type: "File" },
  },
};

describe("configuration", () => {
  it("reads Microsoft's emulator config format unchanged", () => {
    const config = parseConfig(emulatorSample);
    expect(config.queues).toEqual([
      {
        name: "queue.1",
        receivable: { lockDurationInMs: 60_000, maxDeliveryCount: 3, defaultMessageTimeToLiveInMs: 3_600_000, deadLetteringOnMessageExpiration: false, requiresSession: false },
        sendable: { requiresDuplicateDetection: false, duplicateDetectionHistoryTimeWindowInMs: 20_000, defaultMessageTimeToLiveInMs: 3_600_000 },
      },
    ]);
    expect(config.topics[0].subscriptions.map((subscription) => subscription.rules[0].filter.kind)).toEqual(["correlation", "sql"]);
  });

  it("reads the project's configuration", () => {
    const config = loadConfigFile(join(__dirname, "config.json"));
    expect(config.queues.map((queue) => queue.name)).toEqual(["dataverse-events", "dataverse-replies"]);
    expect(config.queues[0].sendable.requiresDuplicateDetection).toBe(true);
    expect(config.queues[1].receivable.requiresSession).toBe(true);
    expect(config.topics.map((topic) => [topic.name, topic.subscriptions.map((subscription) => subscription.name)])).toEqual([["dataverse-topic", ["listener"]]]);
    expect(config.eventHubs).toEqual([{ name: "dataverse-events", partitionCount: 4 }]);
  });

  it("refuses a ForwardTo that names no queue or topic of the configuration", () => {
    const load = () => parseConfig({ UserConfig: { Namespaces: [{ Name: "ns", Queues: [{ Name: "a", Properties: { ForwardTo: "nowhere" } }] }] } });
    expect(load).toThrow(/queue a: ForwardTo 'nowhere' is not a queue or topic/);
  });

  it("parses ISO-8601 durations and refuses others", () => {
    expect(parseIsoDuration("PT1M")).toBe(60_000);
    expect(parseIsoDuration("P14D")).toBe(14 * 86_400_000);
    expect(parseIsoDuration("PT0.5S")).toBe(500);
    expect(parseIsoDuration("P1DT2H3M4S")).toBe(((24 + 2) * 3600 + 3 * 60 + 4) * 1000);
    expect(() => parseIsoDuration("60s")).toThrow(RangeError);
  });

  it("names the file and the place of a mistake", () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-config-"));
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ UserConfig: { Namespaces: [{ Name: "ns", Queues: [{ Name: "q", Properties: { LockDuration: "one minute" } }] }] } }));
    expect(() => loadConfigFile(file)).toThrow(ConfigError);
    expect(() => loadConfigFile(file)).toThrow(/config\.json[\s\S]*LockDuration/);
    writeFileSync(file, "{ not json");
    expect(() => loadConfigFile(file)).toThrow(/not valid JSON/);
  });

  it.each([
    ["two queues", { Queues: [{ Name: "orders" }, { Name: "Orders" }] }, "queue Orders: the name is already used by queue orders"],
    ["a queue and a topic", { Queues: [{ Name: "events" }], Topics: [{ Name: "events" }] }, "topic events: the name is already used by queue events"],
    ["two subscriptions of a topic", { Topics: [{ Name: "t", Subscriptions: [{ Name: "s" }, { Name: "s" }] }] }, "topic t, subscription s: the name is already used by subscription s"],
  ])("refuses %s with the same name, naming the file and the entity", (_name, namespace, message) => {
    const file = join(mkdtempSync(join(tmpdir(), "sb-config-")), "config.json");
    writeFileSync(file, JSON.stringify({ UserConfig: { Namespaces: [{ Name: "ns", ...namespace }] } }));
    expect(() => loadConfigFile(file)).toThrow(ConfigError);
    expect(() => loadConfigFile(file)).toThrow(`${file}: ${message}`);
  });

  it("refuses a SQL filter outside the supported subset, naming the rule", () => {
    const load = () => parseConfig({ UserConfig: { Namespaces: [{ Name: "ns", Topics: [{ Name: "t", Subscriptions: [{ Name: "s", Rules: [{ Name: "r", Properties: { FilterType: "Sql", SqlFilter: { SqlExpression: "price * 2 > 10" } } }] }] }] }] } });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/topic t, subscription s, rule r: unsupported SQL filter "price \* 2 > 10"/);
  });

  it("creates entities on first use when AutoCreateEntities is on", async () => {
    const env = await brokerWithClient({ config: parseConfig({ UserConfig: {}, LocalBroker: { AutoCreateEntities: true } }) });
    const sender = env.client.createSender("made-up");
    await sender.sendMessages({ body: "hello" });
    const receiver = env.client.createReceiver("made-up", { receiveMode: "receiveAndDelete" });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(message.body).toBe("hello");
    await env.close();
  });
});
