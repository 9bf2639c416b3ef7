import { idToString, viewOf, type StoredMessage } from "./message";
import { compileSqlFilter, type PropertyLookup } from "./sql-filter";

/** Correlation filter fields, as in the emulator's config and the SDK's CorrelationRuleFilter. */
export interface CorrelationFilter {
  correlationId?: string;
  messageId?: string;
  to?: string;
  replyTo?: string;
  subject?: string;
  sessionId?: string;
  replyToSessionId?: string;
  contentType?: string;
  applicationProperties?: Record<string, unknown>;
}

export type RuleFilter = { kind: "true" } | { kind: "false" } | { kind: "sql"; expression: string } | { kind: "correlation"; filter: CorrelationFilter };

export interface Rule {
  name: string;
  filter: RuleFilter;
  matches(message: StoredMessage): boolean;
}

const systemProperty: Record<string, (properties: Record<string, unknown>, message: StoredMessage) => unknown> = {
  messageid: (p) => optionalId(p.message_id),
  correlationid: (p) => optionalId(p.correlation_id),
  label: (p) => p.subject,
  subject: (p) => p.subject,
  to: (p) => p.to,
  replyto: (p) => p.reply_to,
  sessionid: (p) => p.group_id,
  replytosessionid: (p) => p.reply_to_group_id,
  contenttype: (p) => p.content_type,
  sequencenumber: (_p, m) => m.sequenceNumber,
  enqueuedtimeutc: (_p, m) => new Date(m.enqueuedTimeUtc),
  deliverycount: (_p, m) => m.deliveryCount,
};

function optionalId(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : idToString(value);
}

function lookupFor(message: StoredMessage): PropertyLookup {
  const view = viewOf(message);
  return (scope, name) => {
    if (scope === "sys") return systemProperty[name.toLowerCase()]?.(view.properties, message);
    return view.applicationProperties[name];
  };
}

function correlationMatches(filter: CorrelationFilter, message: StoredMessage): boolean {
  const lookup = lookupFor(message);
  const fields: [keyof CorrelationFilter, string][] = [
    ["correlationId", "correlationid"],
    ["messageId", "messageid"],
    ["to", "to"],
    ["replyTo", "replyto"],
    ["subject", "label"],
    ["sessionId", "sessionid"],
    ["replyToSessionId", "replytosessionid"],
    ["contentType", "contenttype"],
  ];
  for (const [field, system] of fields) {
    const expected = filter[field];
    if (expected !== undefined && expected !== null && expected !== "" && lookup("sys", system) !== expected) return false;
  }
  for (const [name, expected] of Object.entries(filter.applicationProperties ?? {})) {
    const actual = lookup("user", name);
    if (actual instanceof Date && expected instanceof Date ? actual.getTime() !== expected.getTime() : actual !== expected) return false;
  }
  return true;
}

/** Builds a rule; a SQL filter outside the supported subset throws UnsupportedSqlError here, not at send time. */
export function createRule(name: string, filter: RuleFilter): Rule {
  switch (filter.kind) {
    case "true":
      return { name, filter, matches: () => true };
    case "false":
      return { name, filter, matches: () => false };
    case "correlation":
      return { name, filter, matches: (message) => correlationMatches(filter.filter, message) };
    case "sql": {
      const predicate = compileSqlFilter(filter.expression);
      return { name, filter, matches: (message) => predicate(lookupFor(message)) };
    }
  }
}

export const defaultRuleName = "$Default";
