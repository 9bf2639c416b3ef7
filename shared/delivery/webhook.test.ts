import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { accountCreated, startTestHttpServer, type TestHttpServer } from "../../test/support/delivery";
import { isPipelineError, type PipelineError } from "../errors";
import { decodeContextJson, decodeContextXml } from "../serialization";
import { attemptDelivery, createEndpointPoster, describeFailure, createNotificationService, validateServiceEndpoint, verifyPostSignature, type PostEvent, type ServiceEndpoint } from "./index";

let server: TestHttpServer;
const events: PostEvent[] = [];
const poster = createEndpointPoster({ httpTimeoutInMs: 1_000, observer: (event) => events.push(event) });

beforeAll(async () => {
  server = await startTestHttpServer();
});
afterEach(() => {
  events.length = 0;
  server.requests.length = 0;
  server.statuses.length = 0;
  server.hang = false;
  server.replyBody = "";
});
afterAll(async () => {
  await poster.close();
  await server.close();
});

const webhook = (columns: Partial<ServiceEndpoint> = {}): ServiceEndpoint =>
  validateServiceEndpoint({ name: "hook", contract: 8, authtype: 4, authvalue: "the-key", url: server.url, ...columns });

async function failure(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!isPipelineError(error)) throw new Error(`expected a PipelineError, got ${String(error)}`);
  return error;
}

describe("webhook posts (contract 8)", () => {
  it("POSTs the JSON context with Dataverse's x-ms-dynamics-* headers", async () => {
    const context = accountCreated();
    const result = await poster.post(context, webhook(), { organizationHost: "contoso.crm.dynamics.com" });
    expect(result).toEqual({ truncated: false });
    const [request] = server.requests;
    expect(request.method).toBe("POST");
    expect(request.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(request.headers["x-ms-dynamics-organization"]).toBe("contoso.crm.dynamics.com");
    expect(request.headers["x-ms-dynamics-entity-name"]).toBe("account");
    expect(request.headers["x-ms-dynamics-request-name"]).toBe("Create");
    expect(request.headers["x-ms-correlation-request-id"]).toBe(context.correlationId);
    expect(request.headers["x-ms-dynamics-msg-size-exceeded"]).toBeUndefined();
    expect(decodeContextJson(request.body).operationId).toBe(context.operationId);
  });

  it.each([
    ["Webhook Key (4)", { authtype: 4, authvalue: "k3y" }, { query: { code: "k3y" }, headers: {} }],
    [
      "Http Header (5)",
      { authtype: 5, authvalue: '<settings><setting name="x-api-key" value="one" /><setting name="x-tenant" value="two" /></settings>' },
      { query: {}, headers: { "x-api-key": "one", "x-tenant": "two" } },
    ],
    [
      "Http Query String (6)",
      { authtype: 6, authvalue: '<settings><setting name="Key1" value="Value 1" /></settings>' },
      { query: { Key1: "Value 1" }, headers: {} },
    ],
  ])("sends the auth value of %s", async (_name, columns, expected) => {
    await poster.post(accountCreated(), webhook(columns as Partial<ServiceEndpoint>));
    const [request] = server.requests;
    expect(Object.fromEntries(request.url.searchParams)).toEqual(expected.query);
    for (const [name, value] of Object.entries(expected.headers)) expect(request.headers[name]).toBe(value);
  });

  it("truncates a body over 256 KB and says so in x-ms-dynamics-msg-size-exceeded", async () => {
    const result = await poster.post(accountCreated({ padding: 300 * 1024 }), webhook());
    expect(result.truncated).toBe(true);
    expect(events).toMatchObject([{ contract: 8, outcome: "succeeded", truncated: true }]);
    const [request] = server.requests;
    expect(request.headers["x-ms-dynamics-msg-size-exceeded"]).toBe("true");
    const received = decodeContextJson(request.body);
    expect(received.inputParameters.size).toBe(0);
    expect(received.parentContext).toBeNull();
  });

  it("sends nothing when the body stays too large without ParentContext, InputParameters and images", async () => {
    const context = accountCreated();
    context.sharedVariables.set("huge", "y".repeat(300 * 1024));
    const error = await failure(poster.post(context, webhook()));
    expect(error.code).toBe("MessageTooLarge");
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(0);
  });

  it("retries a 502, 503 or 504 exactly once, immediately, on a synchronous post", async () => {
    server.statuses.push(503);
    await poster.post(accountCreated(), webhook(), { synchronous: true });
    expect(server.requests).toHaveLength(2);

    server.requests.length = 0;
    server.statuses.push(502, 504);
    const error = await failure(poster.post(accountCreated(), webhook(), { synchronous: true }));
    expect([error.code, error.retryable]).toEqual(["ExternalUnavailable", true]);
    expect(server.requests).toHaveLength(2);
  });

  it("leaves retries of an asynchronous post to its system job", async () => {
    server.statuses.push(502);
    const error = await failure(poster.post(accountCreated(), webhook()));
    expect(error.code).toBe("ExternalUnavailable");
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    [429, "ExternalUnavailable", true],
    [500, "ExternalUnavailable", true],
    [400, "ExternalRejected", false],
    [401, "ExternalRejected", false],
    [404, "ExternalRejected", false],
  ])("classifies an answer %i as %s", async (status, code, retryable) => {
    server.statuses.push(status);
    const error = await failure(poster.post(accountCreated(), webhook({ authvalue: "secret-code" })));
    expect([error.code, error.retryable]).toEqual([code, retryable]);
    expect(error.message).not.toContain("secret-code");
    expect(events).toMatchObject([{ contract: 8, outcome: "failed", errorCode: code, retryable }]);
  });

  it("fails with ExternalUnavailable when the endpoint does not answer in time", async () => {
    server.hang = true;
    const error = await failure(poster.post(accountCreated(), webhook()));
    expect([error.code, error.retryable]).toEqual(["ExternalUnavailable", true]);
  });

  it("stops at once when the caller aborts (a cancelled job), and that is not retryable", async () => {
    server.hang = true;
    const controller = new AbortController();
    const posting = poster.post(accountCreated(), webhook(), { abortSignal: controller.signal });
    controller.abort();
    const error = await failure(posting);
    expect(error.retryable).toBe(false);
  });

  it("fails with ExternalUnavailable when nothing listens on the URL", async () => {
    const closed = await startTestHttpServer();
    await closed.close();
    const error = await failure(poster.post(accountCreated(), webhook({ url: closed.url })));
    expect([error.code, error.retryable]).toEqual(["ExternalUnavailable", true]);
    expect(error.message).toBe(`${closed.url}: the request failed (ECONNREFUSED)`);
  });

  // Registrations like these are refused (validateServiceEndpoint); a row stored before that check was added, or a
  // caller of the poster that skipped it, makes fetch itself refuse the request, with the URL or header value in its message.
  it.each([
    ["a URL with credentials", (): ServiceEndpoint => ({ ...webhook({ authvalue: "AUTHSECRET" }), url: server.url.replace("//", "//user:USERPW@") })],
    [
      "an Http Header value with a line break",
      (): ServiceEndpoint => ({
        ...webhook({ authtype: 5, authvalue: '<settings><setting name="x-api-key" value="ok" /></settings>' }),
        authvalue: '<settings><setting name="x-api-key" value="AUTH\nSECRET" /></settings>',
      }),
    ],
  ])("keeps the secrets out of a failure fetch refused (%s): message, stack, cause and job message", async (_what, endpoint) => {
    const error = await failure(poster.post(accountCreated(), endpoint()));
    expect(server.requests).toHaveLength(0);
    expect(error.message).toBe(`${server.url}: the request failed`);
    const job = describeFailure(error);
    for (const text of [error.message, error.stack, inspect(error, { depth: 10 }), job.message, job.friendlyMessage]) expect(text).not.toMatch(/SECRET|USERPW/);
  });
});

describe("webhook origin signature", () => {
  const secret = "per-endpoint-secret";

  it("signs the message id, timestamp and body, and a receiver verifies it", async () => {
    const context = accountCreated();
    await poster.post(context, webhook({ signingsecret: secret }));
    const [request] = server.requests;
    expect(request.headers["x-pipeline-message-id"]).toBe(context.operationId);
    expect(verifyPostSignature(request.headers, request.body, secret)).toMatchObject({ valid: true, messageId: context.operationId });
  });

  it("refuses a tampered body, a wrong secret, a replay outside the tolerance, and a post without signature", async () => {
    await poster.post(accountCreated(), webhook({ signingsecret: secret }));
    const [request] = server.requests;
    expect(verifyPostSignature(request.headers, request.body.replace("Contoso", "Fabrikam"), secret)).toEqual({ valid: false, reason: "mismatch" });
    expect(verifyPostSignature(request.headers, request.body, "another-secret")).toEqual({ valid: false, reason: "mismatch" });
    const sentAt = Number(request.headers["x-pipeline-timestamp"]) * 1000;
    expect(verifyPostSignature(request.headers, request.body, secret, { nowInMs: sentAt + 301_000 })).toEqual({ valid: false, reason: "expired" });
    expect(verifyPostSignature(request.headers, request.body, secret, { nowInMs: sentAt + 299_000 }).valid).toBe(true);

    server.requests.length = 0;
    await poster.post(accountCreated(), webhook());
    expect(verifyPostSignature(server.requests[0].headers, server.requests[0].body, secret)).toEqual({ valid: false, reason: "missing" });
  });
});

describe("REST posts (contract 3)", () => {
  it("POSTs the Text XML context and returns the listener's answer", async () => {
    server.replyBody = "handled by the REST listener";
    const context = accountCreated();
    const endpoint = validateServiceEndpoint({ name: "rest", contract: 3, messageformat: 3, authtype: 4, authvalue: "k", url: server.url });
    const result = await poster.post(context, endpoint);
    expect(result).toEqual({ response: "handled by the REST listener", truncated: false });
    const [request] = server.requests;
    expect(request.headers["content-type"]).toBe("application/xml; charset=utf-8");
    expect(decodeContextXml(request.body).operationId).toBe(context.operationId);
  });
});

describe("the notification service plug-ins call", () => {
  it("posts at once and returns the REST listener's answer; a webhook returns an empty string", async () => {
    const rest = validateServiceEndpoint({ name: "rest", contract: 3, messageformat: 3, authtype: 4, authvalue: "k", url: server.url });
    const endpoints = new Map([["11111111-1111-1111-1111-111111111111", rest], ["22222222-2222-2222-2222-222222222222", webhook()]]);
    const service = createNotificationService(poster, async (id) => endpoints.get(id)!);
    server.replyBody = "from REST";
    expect(await service.execute({ logicalName: "serviceendpoint", id: "11111111-1111-1111-1111-111111111111" }, accountCreated())).toBe("from REST");
    expect(await service.execute({ logicalName: "serviceendpoint", id: "22222222-2222-2222-2222-222222222222" }, accountCreated())).toBe("");
    const error = await failure(service.execute({ logicalName: "account", id: "x" }, accountCreated()));
    expect(error.code).toBe("ValidationFailed");
  });
});

describe("attemptDelivery (one attempt of a system job)", () => {
  it("succeeds, waits by the endpoint's retry policy, or fails for good", async () => {
    const endpoint = webhook({ retrypolicy: '{"maxRetries":1,"retryDelayInMs":2000,"jitter":0}' });
    expect(await attemptDelivery(poster, accountCreated(), endpoint, 0)).toEqual({ kind: "succeeded", result: { truncated: false } });
    server.statuses.push(503, 503, 404);
    expect(await attemptDelivery(poster, accountCreated(), endpoint, 0)).toMatchObject({ kind: "retry", delayInMs: 2000, failure: { code: "ExternalUnavailable" } });
    expect(await attemptDelivery(poster, accountCreated(), endpoint, 1)).toMatchObject({ kind: "fail", failure: { code: "ExternalUnavailable" } });
    expect(await attemptDelivery(poster, accountCreated(), endpoint, 0)).toMatchObject({ kind: "fail", failure: { code: "ExternalRejected", retryable: false } });
  });
});
