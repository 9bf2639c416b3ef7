import { types } from "rhea";
import { asRecord, longArray, optionalString, toSequenceNumber, toSequenceNumbers } from "./amqp-values";
import { BrokerError, Condition } from "./errors";
import { lockTokenToString } from "./lock-token";
import { encodeForDelivery, parseIncoming } from "./message";
import type { Namespace } from "./namespace";
import { ruleOperations } from "./rule-operations";
import type { Settlement } from "./store";

export interface ManagementResponse {
  statusCode: number;
  body?: unknown;
}

type Operation = (namespace: Namespace, entityPath: string, body: Record<string, unknown>) => ManagementResponse;

const ok = (body?: unknown): ManagementResponse => ({ statusCode: 200, body });

function lockTokens(body: Record<string, unknown>): string[] {
  const tokens = body["lock-tokens"];
  return (Array.isArray(tokens) ? tokens : [tokens]).map(lockTokenToString);
}

function dispositionOf(body: Record<string, unknown>): Settlement {
  const propertiesToModify = body["properties-to-modify"] ? asRecord(body["properties-to-modify"]) : undefined;
  switch (body["disposition-status"]) {
    case "completed":
      return { kind: "complete" };
    case "abandoned":
      return { kind: "abandon", propertiesToModify };
    case "defered":
      return { kind: "defer", propertiesToModify };
    case "suspended":
      return { kind: "deadLetter", reason: optionalString(body["deadletter-reason"]), description: optionalString(body["deadletter-description"]), propertiesToModify };
    default:
      throw new BrokerError(Condition.argumentError, `unknown disposition-status '${String(body["disposition-status"])}'`);
  }
}

/** Service Bus request/response operations over `<entity>/$management`, by `operation` property. */
const operations: Record<string, Operation> = {
  ...ruleOperations,
  "com.microsoft:peek-message": (namespace, path, body) => {
    const messages = namespace.peek(path, toSequenceNumber(body["from-sequence-number"] ?? 0), Number(body["message-count"] ?? 1), optionalString(body["session-id"]));
    if (messages.length === 0) return { statusCode: 204 };
    return ok({ messages: messages.map((message) => ({ message: encodeForDelivery(message) })) });
  },
  "com.microsoft:renew-lock": (namespace, path, body) => {
    const store = namespace.store(path);
    return ok({ expirations: lockTokens(body).map((token) => new Date(store.renewLock(token))) });
  },
  "com.microsoft:update-disposition": (namespace, path, body) => {
    const store = namespace.store(path);
    const settlement = dispositionOf(body);
    for (const token of lockTokens(body)) store.settle(token, settlement);
    return ok();
  },
  "com.microsoft:schedule-message": (namespace, path, body) => {
    const entries = Array.isArray(body.messages) ? body.messages : [];
    const incoming = entries.map((entry) => {
      const encoded = asRecord(entry).message;
      if (!Buffer.isBuffer(encoded)) throw new BrokerError(Condition.argumentError, "schedule-message: each entry needs an encoded message");
      return parseIncoming(encoded);
    });
    return ok({ "sequence-numbers": longArray(namespace.sendTarget(path).accept(incoming)) });
  },
  "com.microsoft:cancel-scheduled-message": (namespace, path, body) => {
    namespace.sendTarget(path).cancelScheduled(toSequenceNumbers(body["sequence-numbers"]));
    return ok();
  },
  "com.microsoft:receive-by-sequence-number": (namespace, path, body) => {
    const peekLock = Number(body["receiver-settle-mode"] ?? 1) !== 0;
    const received = namespace.store(path).receiveDeferred(toSequenceNumbers(body["sequence-numbers"]), peekLock, optionalString(body["session-id"]));
    return ok({
      messages: received.map(({ message, lock, lockedUntilUtc }) => {
        const entry: Record<string, unknown> = { message: encodeForDelivery(message, { lockedUntilUtc }) };
        if (lock) entry["lock-token"] = types.wrap_uuid(Buffer.from(lock.token.replace(/-/g, ""), "hex"));
        return entry;
      }),
    });
  },
  "com.microsoft:renew-session-lock": (namespace, path, body) => ok({ expiration: new Date(namespace.store(path).renewSessionLock(String(body["session-id"]))) }),
  "com.microsoft:get-session-state": (namespace, path, body) => {
    const state = namespace.store(path).getSessionState(String(body["session-id"]));
    return ok(state === undefined ? {} : { "session-state": state });
  },
  "com.microsoft:set-session-state": (namespace, path, body) => {
    const state = body["session-state"];
    namespace.store(path).setSessionState(String(body["session-id"]), Buffer.isBuffer(state) ? state : undefined);
    return ok();
  },
  "com.microsoft:get-message-sessions": (namespace, path, body) => {
    const skip = Number(body.skip ?? 0);
    const top = Number(body.top ?? 100);
    const ids = namespace.store(path).sessionIds().slice(skip, skip + top);
    if (ids.length === 0) return { statusCode: 204 };
    return ok({ skip: types.wrap_int(skip + ids.length), "sessions-ids": ids });
  },
};

/** Runs one management request; errors become a status code with their AMQP condition. */
export function handleManagementRequest(namespace: Namespace, entityPath: string, operation: unknown, body: unknown): ManagementResponse & { condition?: string; description?: string } {
  const handler = typeof operation === "string" && Object.hasOwn(operations, operation) ? operations[operation] : undefined;
  if (!handler) {
    const error = new BrokerError(Condition.notImplemented, `The management operation '${String(operation)}' is not supported by the local broker.`);
    return { statusCode: error.status, condition: error.condition, description: error.message };
  }
  try {
    return handler(namespace, entityPath, asRecord(body));
  } catch (error) {
    const brokerError = error instanceof BrokerError ? error : new BrokerError(Condition.internalError, (error as Error).message);
    return { statusCode: brokerError.status, condition: brokerError.condition, description: brokerError.message };
  }
}
