import { describe, expect, it } from "vitest";
import { PipelineError } from "../errors";
import { compileRetryPolicy } from "../retry";
import { decideAfterFailure, describeFailure } from "./index";

const policy = compileRetryPolicy({ maxRetries: 2, retryDelayInMs: 1_000, jitter: 0 });

describe("decideAfterFailure", () => {
  it("waits by the policy after an external failure, then fails once the retries are spent", () => {
    const unavailable = new PipelineError("ExternalUnavailable", "dataverse-events: connection refused");
    expect(decideAfterFailure(unavailable, 0, policy)).toMatchObject({ kind: "retry", delayInMs: 1_000 });
    expect(decideAfterFailure(unavailable, 1, policy)).toMatchObject({ kind: "retry", delayInMs: 2_000 });
    expect(decideAfterFailure(unavailable, 2, policy)).toMatchObject({ kind: "fail", failure: { code: "ExternalUnavailable" } });
  });

  it("fails at once on a failure retrying cannot fix", () => {
    for (const code of ["MessageTooLarge", "ValidationFailed", "ExternalRejected"] as const) {
      expect(decideAfterFailure(new PipelineError(code, "no"), 0, policy).kind).toBe("fail");
    }
    expect(decideAfterFailure(new Error("bug"), 0, policy).kind).toBe("fail");
  });

  it("a network error is retried", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5672"), { code: "ECONNREFUSED" });
    expect(decideAfterFailure(refused, 0, policy).kind).toBe("retry");
  });

  it("takes the caller's rule of what is worth retrying (a plug-in asking for it), with the same policy", () => {
    const asked = new PipelineError("PluginCancelled", "Not yet.");
    const askedForRetry = (error: unknown) => error === asked;
    expect(decideAfterFailure(asked, 1, policy, undefined, askedForRetry)).toMatchObject({ kind: "retry", delayInMs: 2_000, failure: { message: "Not yet." } });
    expect(decideAfterFailure(asked, 2, policy, undefined, askedForRetry).kind).toBe("fail");
    expect(decideAfterFailure(new PipelineError("ExternalUnavailable", "down"), 0, policy, undefined, askedForRetry).kind).toBe("fail");
  });
});

describe("describeFailure", () => {
  it("gives the asyncoperation columns: Dataverse's code as a signed integer, message, friendly message", () => {
    expect(describeFailure(new PipelineError("MessageTooLarge", "the context is 300000 bytes"))).toEqual({
      code: "MessageTooLarge",
      retryable: false,
      errorCode: 0x80050108 | 0,
      message: "the context is 300000 bytes",
      friendlyMessage: "The execution context is too large to post, even without ParentContext, InputParameters and images.",
    });
  });

  it("keeps internal details out of the job's message", () => {
    expect(describeFailure(new Error("Endpoint=sb://x;SharedAccessKey=secret")).message).not.toContain("secret");
  });
});
