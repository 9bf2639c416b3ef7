import { readFileSync } from "node:fs";
import { z } from "zod";
import { parseIsoDuration } from "./duration";
import { defaultReceivableProperties, defaultSendableProperties, type ReceivableProperties, type SendableProperties } from "./entity-properties";
import type { RuleFilter } from "./rules";
import { compileSqlFilter } from "./sql-filter";

/**
 * Configuration in the JSON format of Microsoft's Service Bus emulator (UserConfig → Namespaces → Queues /
 * Topics → Subscriptions → Rules), plus optional Event Hubs entities in the Event Hubs emulator's format
 * (UserConfig → NamespaceConfig[Type=EventHub] → Entities) and an optional `LocalBroker` section of our own.
 */
export interface BrokerConfig {
  namespace: string;
  queues: { name: string; receivable: ReceivableProperties; sendable: SendableProperties }[];
  topics: { name: string; sendable: SendableProperties; subscriptions: { name: string; receivable: ReceivableProperties; rules: { name: string; filter: RuleFilter }[] }[] }[];
  eventHubs: { name: string; partitionCount: number }[];
  /** Shared access keys; when empty, any token is accepted. */
  keys: { name: string; key: string }[];
  autoCreateEntities: boolean;
  maxMessageSizeInBytes: number;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const duration = z.string().transform((text, context) => {
  try {
    return parseIsoDuration(text);
  } catch (error) {
    context.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

const receivableShape = {
  DeadLetteringOnMessageExpiration: z.boolean().optional(),
  DefaultMessageTimeToLive: duration.optional(),
  LockDuration: duration.optional(),
  MaxDeliveryCount: z.number().int().positive().optional(),
  RequiresSession: z.boolean().optional(),
  ForwardTo: z.string().optional(),
  ForwardDeadLetteredMessagesTo: z.string().optional(),
};
const sendableShape = {
  DefaultMessageTimeToLive: duration.optional(),
  DuplicateDetectionHistoryTimeWindow: duration.optional(),
  RequiresDuplicateDetection: z.boolean().optional(),
};
const receivableSchema = z.looseObject(receivableShape);
const sendableSchema = z.looseObject(sendableShape);
const correlationSchema = z.looseObject({
  ContentType: z.string().optional(),
  CorrelationId: z.string().optional(),
  Label: z.string().optional(),
  MessageId: z.string().optional(),
  ReplyTo: z.string().optional(),
  ReplyToSessionId: z.string().optional(),
  SessionId: z.string().optional(),
  To: z.string().optional(),
  Properties: z.record(z.string(), z.unknown()).optional(),
});
const ruleSchema = z.looseObject({
  Name: z.string().min(1),
  Properties: z.looseObject({
    FilterType: z.enum(["Correlation", "Sql"]),
    CorrelationFilter: correlationSchema.optional(),
    SqlFilter: z.looseObject({ SqlExpression: z.string() }).optional(),
    Action: z.looseObject({ SqlExpression: z.string().optional() }).optional(),
  }),
});
const schema = z.looseObject({
  UserConfig: z.looseObject({
    Namespaces: z
      .array(
        z.looseObject({
          Name: z.string().min(1),
          Queues: z.array(z.looseObject({ Name: z.string().min(1), Properties: z.looseObject({ ...receivableShape, ...sendableShape }).optional() })).optional(),
          Topics: z
            .array(
              z.looseObject({
                Name: z.string().min(1),
                Properties: sendableSchema.optional(),
                Subscriptions: z.array(z.looseObject({ Name: z.string().min(1), Properties: receivableSchema.optional(), Rules: z.array(ruleSchema).optional() })).optional(),
              }),
            )
            .optional(),
        }),
      )
      .optional(),
    NamespaceConfig: z
      .array(
        z.looseObject({
          Type: z.string(),
          Name: z.string(),
          Entities: z.array(z.looseObject({ Name: z.string().min(1), PartitionCount: z.union([z.string(), z.number()]).optional() })).optional(),
        }),
      )
      .optional(),
  }),
  LocalBroker: z
    .looseObject({
      SharedAccessKeys: z.array(z.object({ Name: z.string().min(1), Key: z.string().min(1) })).optional(),
      AutoCreateEntities: z.boolean().optional(),
      MaxMessageSizeInKilobytes: z.number().int().positive().optional(),
    })
    .optional(),
});

type Receivable = z.infer<typeof receivableSchema>;
type Sendable = z.infer<typeof sendableSchema>;

function receivable(properties: Receivable | undefined): ReceivableProperties {
  return {
    lockDurationInMs: properties?.LockDuration ?? defaultReceivableProperties.lockDurationInMs,
    maxDeliveryCount: properties?.MaxDeliveryCount ?? defaultReceivableProperties.maxDeliveryCount,
    defaultMessageTimeToLiveInMs: properties?.DefaultMessageTimeToLive ?? defaultReceivableProperties.defaultMessageTimeToLiveInMs,
    deadLetteringOnMessageExpiration: properties?.DeadLetteringOnMessageExpiration ?? defaultReceivableProperties.deadLetteringOnMessageExpiration,
    requiresSession: properties?.RequiresSession ?? defaultReceivableProperties.requiresSession,
    forwardTo: properties?.ForwardTo || undefined,
    forwardDeadLetteredMessagesTo: properties?.ForwardDeadLetteredMessagesTo || undefined,
  };
}

function sendable(properties: Sendable | undefined): SendableProperties {
  return {
    requiresDuplicateDetection: properties?.RequiresDuplicateDetection ?? defaultSendableProperties.requiresDuplicateDetection,
    duplicateDetectionHistoryTimeWindowInMs: properties?.DuplicateDetectionHistoryTimeWindow ?? defaultSendableProperties.duplicateDetectionHistoryTimeWindowInMs,
    defaultMessageTimeToLiveInMs: properties?.DefaultMessageTimeToLive ?? defaultSendableProperties.defaultMessageTimeToLiveInMs,
  };
}

function ruleFilter(rule: z.infer<typeof ruleSchema>, where: string): RuleFilter {
  const { FilterType, CorrelationFilter, SqlFilter } = rule.Properties;
  if (FilterType === "Sql") {
    if (!SqlFilter) throw new ConfigError(`${where}: FilterType Sql needs SqlFilter.SqlExpression`);
    try {
      compileSqlFilter(SqlFilter.SqlExpression);
    } catch (error) {
      throw new ConfigError(`${where}: ${(error as Error).message}`);
    }
    return { kind: "sql", expression: SqlFilter.SqlExpression };
  }
  if (!CorrelationFilter) throw new ConfigError(`${where}: FilterType Correlation needs CorrelationFilter`);
  return {
    kind: "correlation",
    filter: {
      contentType: CorrelationFilter.ContentType,
      correlationId: CorrelationFilter.CorrelationId,
      subject: CorrelationFilter.Label,
      messageId: CorrelationFilter.MessageId,
      replyTo: CorrelationFilter.ReplyTo,
      replyToSessionId: CorrelationFilter.ReplyToSessionId,
      sessionId: CorrelationFilter.SessionId,
      to: CorrelationFilter.To,
      applicationProperties: CorrelationFilter.Properties,
    },
  };
}

/** Validates a parsed configuration object; `source` names it in error messages. */
export function parseConfig(raw: unknown, source = "configuration"): BrokerConfig {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${source}: invalid Service Bus emulator configuration\n${z.prettifyError(parsed.error)}`);
  const { UserConfig, LocalBroker } = parsed.data;
  const namespaces = UserConfig.Namespaces ?? [];
  if (namespaces.length > 1) throw new ConfigError(`${source}: only one namespace is supported (found ${namespaces.length})`);
  const namespace = namespaces[0];
  const config: BrokerConfig = {
    namespace: namespace?.Name ?? "sbemulatorns",
    queues: (namespace?.Queues ?? []).map((queue) => ({ name: queue.Name, receivable: receivable(queue.Properties), sendable: sendable(queue.Properties) })),
    topics: (namespace?.Topics ?? []).map((topic) => ({
      name: topic.Name,
      sendable: sendable(topic.Properties),
      subscriptions: (topic.Subscriptions ?? []).map((subscription) => ({
        name: subscription.Name,
        receivable: receivable(subscription.Properties),
        rules: (subscription.Rules ?? []).map((rule) => ({ name: rule.Name, filter: ruleFilter(rule, `${source}: topic ${topic.Name}, subscription ${subscription.Name}, rule ${rule.Name}`) })),
      })),
    })),
    eventHubs: (UserConfig.NamespaceConfig ?? [])
      .filter((entry) => entry.Type === "EventHub")
      .flatMap((entry) => entry.Entities ?? [])
      .map((hub) => ({ name: hub.Name, partitionCount: Number(hub.PartitionCount ?? 2) })),
    keys: (LocalBroker?.SharedAccessKeys ?? []).map((key) => ({ name: key.Name, key: key.Key })),
    autoCreateEntities: LocalBroker?.AutoCreateEntities ?? false,
    maxMessageSizeInBytes: (LocalBroker?.MaxMessageSizeInKilobytes ?? 256) * 1024,
  };
  refuseDuplicateNames(source, "", [...config.queues.map((queue) => ["queue", queue.name] as const), ...config.topics.map((topic) => ["topic", topic.name] as const)]);
  for (const topic of config.topics) {
    refuseDuplicateNames(source, `topic ${topic.name}, `, topic.subscriptions.map((subscription) => ["subscription", subscription.name] as const));
    for (const subscription of topic.subscriptions) {
      refuseDuplicateNames(source, `topic ${topic.name}, subscription ${subscription.name}, `, subscription.rules.map((rule) => ["rule", rule.name] as const));
    }
  }
  refuseDuplicateNames(source, "", config.eventHubs.map((hub) => ["event hub", hub.name] as const));
  const sendTargets = new Set([...config.queues.map((queue) => queue.name.toLowerCase()), ...config.topics.map((topic) => topic.name.toLowerCase())]);
  const receivables = [
    ...config.queues.map((queue) => ({ where: `queue ${queue.name}`, properties: queue.receivable })),
    ...config.topics.flatMap((topic) => topic.subscriptions.map((subscription) => ({ where: `topic ${topic.name}, subscription ${subscription.name}`, properties: subscription.receivable }))),
  ];
  for (const { where, properties } of receivables) {
    for (const [field, target] of [["ForwardTo", properties.forwardTo], ["ForwardDeadLetteredMessagesTo", properties.forwardDeadLetteredMessagesTo]] as const) {
      if (target !== undefined && !sendTargets.has(target.toLowerCase())) throw new ConfigError(`${source}: ${where}: ${field} '${target}' is not a queue or topic of this configuration`);
    }
  }
  for (const hub of config.eventHubs) {
    if (!Number.isInteger(hub.partitionCount) || hub.partitionCount < 1) throw new ConfigError(`${source}: event hub ${hub.name}: PartitionCount must be a positive integer`);
  }
  return config;
}

/**
 * Entities that share a name space (the namespace's queues and topics, a topic's subscriptions, a
 * subscription's rules) have distinct names, compared case-insensitively as Service Bus does.
 */
function refuseDuplicateNames(source: string, where: string, entities: (readonly [kind: string, name: string])[]): void {
  const seen = new Map<string, string>();
  for (const [kind, name] of entities) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) throw new ConfigError(`${source}: ${where}${kind} ${name}: the name is already used by ${first} (names are case-insensitive)`);
    seen.set(name.toLowerCase(), `${kind} ${name}`);
  }
}

export function loadConfigFile(file: string): BrokerConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseConfig(raw, file);
}

export function emptyConfig(overrides: Partial<BrokerConfig> = {}): BrokerConfig {
  return { namespace: "sbemulatorns", queues: [], topics: [], eventHubs: [], keys: [], autoCreateEntities: false, maxMessageSizeInBytes: 256 * 1024, ...overrides };
}
