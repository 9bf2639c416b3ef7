import { describe, expect, it } from "vitest";
import { PipelineError, isPipelineError, toDataverseErrorResponse, toPipelineError } from "./index";

describe("PipelineError", () => {
  it("keeps code, path and cause, and is recognised by marker", () => {
    const cause = new Error("low level");
    const error = new PipelineError("InvalidFormat", "bad member", { path: "InputParameters[0]", cause });
    expect(isPipelineError(error)).toBe(true);
    expect(error.path).toBe("InputParameters[0]");
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(false);
    expect(new PipelineError("ExternalUnavailable", "down").retryable).toBe(true);
  });

  it("translates anything thrown", () => {
    expect(toPipelineError(new SyntaxError("x")).code).toBe("InvalidFormat");
    expect(toPipelineError("boom").code).toBe("Internal");
    const original = new PipelineError("NotFound", "gone");
    expect(toPipelineError(original)).toBe(original);
  });

  it("maps to Dataverse's error body and never leaks internal messages", () => {
    const notFound = toDataverseErrorResponse(new PipelineError("NotFound", "account With Id = 1 Does Not Exist"));
    expect(notFound.status).toBe(404);
    expect(notFound.body).toEqual({ error: { code: "0x80040217", message: "account With Id = 1 Does Not Exist" } });
    const internal = toDataverseErrorResponse(new Error("secret connection string in stack"));
    expect(internal.status).toBe(500);
    expect(internal.body.error.message).not.toContain("secret");
  });
});
