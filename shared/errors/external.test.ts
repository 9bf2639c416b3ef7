import { MessagingError } from "@azure/event-hubs";
import { ServiceBusError } from "@azure/service-bus";
import { describe, expect, it } from "vitest";
import { toPipelineError } from "./index";

const classify = (error: unknown) => {
  const failure = toPipelineError(error);
  return [failure.code, failure.retryable];
};

describe("external failures", () => {
  it.each([
    ["ServiceBusy", "ExternalUnavailable", true],
    ["ServiceTimeout", "ExternalUnavailable", true],
    ["ServiceCommunicationProblem", "ExternalUnavailable", true],
    ["QuotaExceeded", "ExternalUnavailable", true],
    ["MessagingEntityNotFound", "ExternalRejected", false],
    ["UnauthorizedAccess", "ExternalRejected", false],
    ["MessageSizeExceeded", "MessageTooLarge", false],
  ] as const)("Service Bus %s → %s", (code, expected, retryable) => {
    expect(classify(new ServiceBusError("from the SDK", code))).toEqual([expected, retryable]);
  });

  it("Event Hubs errors by their core-amqp code", () => {
    const tooLarge = Object.assign(new MessagingError("too large"), { code: "MessageTooLargeError" });
    expect(classify(tooLarge)).toEqual(["MessageTooLarge", false]);
    const busy = Object.assign(new MessagingError("busy"), { code: "ServerBusyError", retryable: true });
    expect(classify(busy)).toEqual(["ExternalUnavailable", true]);
  });

  it("network errors anywhere in the cause chain, and timeouts", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" });
    expect(classify(new TypeError("fetch failed", { cause: refused }))).toEqual(["ExternalUnavailable", true]);
    expect(classify(new DOMException("The operation timed out.", "TimeoutError"))).toEqual(["ExternalUnavailable", true]);
  });

  it("leaves other errors alone", () => {
    expect(classify(new TypeError("x is not a function"))).toEqual(["Internal", false]);
  });
});
