import { causeChain, type ErrorLike } from "./cause-chain";
/**
 * Recognises failures of external systems (network, Service Bus, Event Hubs, timeouts) by their names
 * and codes, never by message text, and says whether trying again may help. Duck-typed on `name`/`code`
 * so that it needs none of the SDKs.
 */

export interface ExternalFailure {
  code: "ExternalUnavailable" | "ExternalRejected" | "MessageTooLarge";
  message: string;
  retryable: boolean;
}

/** Socket and DNS failures of node:net and undici (fetch): the other side is down or unreachable. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN",
  "ENOTFOUND", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_SOCKET", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CLOSED",
]);

/** Service Bus (ServiceBusError.code) and core-amqp (MessagingError.code) codes that retrying will not fix. */
const REJECTED_CODES = new Set([
  "MessagingEntityNotFound", "MessagingEntityNotFoundError", "MessagingEntityDisabled", "MessagingEntityDisabledError",
  "UnauthorizedAccess", "UnauthorizedError", "ArgumentError", "ArgumentOutOfRangeError", "InvalidOperationError",
]);
const TOO_LARGE_CODES = new Set(["MessageSizeExceeded", "MessageTooLargeError"]);

const messageOf = (error: ErrorLike): string => (typeof error.message === "string" && error.message ? error.message : String(error.name));

export function describeExternalFailure(error: unknown): ExternalFailure | undefined {
  for (const link of causeChain(error)) {
    const code = typeof link.code === "string" ? link.code : undefined;
    if (link.name === "ServiceBusError" || link.name === "MessagingError") {
      if (code && TOO_LARGE_CODES.has(code)) return { code: "MessageTooLarge", message: messageOf(link), retryable: false };
      if (code && REJECTED_CODES.has(code)) return { code: "ExternalRejected", message: messageOf(link), retryable: false };
      return { code: "ExternalUnavailable", message: messageOf(link), retryable: link.retryable !== false || code === "GeneralError" };
    }
    if (code && NETWORK_CODES.has(code)) return { code: "ExternalUnavailable", message: messageOf(link), retryable: true };
    if (link.name === "TimeoutError") return { code: "ExternalUnavailable", message: messageOf(link), retryable: true };
  }
  return undefined;
}
