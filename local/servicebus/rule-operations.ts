import { types } from "rhea";
import { asRecord, optionalString } from "./amqp-values";
import { BrokerError, Condition } from "./errors";
import type { Namespace } from "./namespace";
import { createRule, type CorrelationFilter, type Rule, type RuleFilter } from "./rules";
import { UnsupportedSqlError } from "./sql-filter";

/** Descriptor codes of Service Bus rule descriptions, as the SDK reads them in enumerate-rules replies. */
const Descriptor = {
  ruleDescription: 1335734829060,
  sqlFilter: 83483426822,
  trueFilter: 83483426823,
  falseFilter: 83483426824,
  correlationFilter: 83483426825,
  emptyRuleAction: 1335734829061,
  sqlRuleAction: 1335734829062,
} as const;

function rulesAt(namespace: Namespace, path: string): Map<string, Rule> {
  const [topic, subscriptions, subscription] = path.split("/");
  if (subscriptions?.toLowerCase() !== "subscriptions" || !subscription) {
    throw new BrokerError(Condition.argumentError, `Rules exist only on subscriptions; '${path}' is not one.`);
  }
  return namespace.subscriptionRules(topic, subscription);
}

function filterOf(description: Record<string, unknown>): RuleFilter {
  const sql = description["sql-filter"];
  if (sql) {
    const expression = String(asRecord(sql).expression ?? "");
    if (expression.replace(/\s/g, "") === "1=1") return { kind: "true" };
    if (expression.replace(/\s/g, "") === "1=0") return { kind: "false" };
    return { kind: "sql", expression };
  }
  const correlation = asRecord(description["correlation-filter"]);
  const filter: CorrelationFilter = {
    correlationId: optionalString(correlation["correlation-id"]),
    messageId: optionalString(correlation["message-id"]),
    to: optionalString(correlation.to),
    replyTo: optionalString(correlation["reply-to"]),
    subject: optionalString(correlation.label),
    sessionId: optionalString(correlation["session-id"]),
    replyToSessionId: optionalString(correlation["reply-to-session-id"]),
    contentType: optionalString(correlation["content-type"]),
    applicationProperties: correlation.properties ? asRecord(correlation.properties) : undefined,
  };
  return { kind: "correlation", filter };
}

const described = (code: number, fields: unknown[]) => types.wrap_described(types.wrap_list(fields), code);
const text = (value: string | undefined) => (value === undefined ? null : types.wrap_string(value));

function encodeFilter(filter: RuleFilter): unknown {
  switch (filter.kind) {
    case "true":
      return described(Descriptor.trueFilter, []);
    case "false":
      return described(Descriptor.falseFilter, []);
    case "sql":
      return described(Descriptor.sqlFilter, [types.wrap_string(filter.expression)]);
    case "correlation": {
      const f = filter.filter;
      return described(Descriptor.correlationFilter, [text(f.correlationId), text(f.messageId), text(f.to), text(f.replyTo), text(f.subject), text(f.sessionId), text(f.replyToSessionId), text(f.contentType), types.wrap_map(f.applicationProperties ?? {})]);
    }
  }
}

type Operation = (namespace: Namespace, path: string, body: Record<string, unknown>) => { statusCode: number; body?: unknown };

/** Subscription rule management over `<topic>/Subscriptions/<name>/$management` (not persisted). */
export const ruleOperations: Record<string, Operation> = {
  "com.microsoft:add-rule": (namespace, path, body) => {
    const rules = rulesAt(namespace, path);
    const name = String(body["rule-name"] ?? "");
    if (!name) throw new BrokerError(Condition.argumentError, "add-rule needs a rule-name");
    if (rules.has(name)) throw new BrokerError(Condition.entityAlreadyExists, `The messaging entity '${path}/Rules/${name}' already exists.`);
    const description = asRecord(body["rule-description"]);
    if (description["sql-rule-action"]) throw new BrokerError(Condition.notImplemented, "SQL rule actions are not supported by the local broker.");
    try {
      rules.set(name, createRule(name, filterOf(description)));
    } catch (error) {
      if (error instanceof UnsupportedSqlError) throw new BrokerError(Condition.argumentError, error.message);
      throw error;
    }
    return { statusCode: 200 };
  },
  "com.microsoft:remove-rule": (namespace, path, body) => {
    const name = String(body["rule-name"] ?? "");
    if (!rulesAt(namespace, path).delete(name)) throw new BrokerError(Condition.notFound, `The messaging entity '${path}/Rules/${name}' could not be found.`);
    return { statusCode: 200 };
  },
  "com.microsoft:enumerate-rules": (namespace, path, body) => {
    const skip = Number(body.skip ?? 0);
    const top = Number(body.top ?? Number.MAX_SAFE_INTEGER);
    const rules = [...rulesAt(namespace, path).values()].slice(skip, skip + top);
    if (rules.length === 0) return { statusCode: 204 };
    return {
      statusCode: 200,
      body: { rules: rules.map((rule) => ({ "rule-description": described(Descriptor.ruleDescription, [encodeFilter(rule.filter), described(Descriptor.emptyRuleAction, []), types.wrap_string(rule.name)]) })) },
    };
  },
};
