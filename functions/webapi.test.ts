import { HttpRequest, InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { createAppServices } from "../shared/jobs";
import { uniqueOrganization } from "../test/support/data-service";
import { createWebApiHandler } from "./webapi";

const request = () => new HttpRequest({ method: "GET", url: "http://127.0.0.1:7071/contoso/api/data/v9.2/accounts" });

/** An invocation context that keeps what the function logs. */
function loggingContext() {
  const lines: Array<{ level: string; text: string }> = [];
  const context = new InvocationContext({ logHandler: (level, ...args) => lines.push({ level, text: args.map(String).join(" ") }) });
  return { context, lines };
}

describe("dataverseWebApi function", () => {
  it("logs a request the service fails on (500) with its method, path and error, never its query, body or a credential", async () => {
    const env = { AzureWebJobsStorage: process.env.AzureWebJobsStorage, Organizations: "contoso", AllowAnonymousAsAdmin: "true" };
    const service = createAppServices(env).pipeline;
    service.directory.get = async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'catalog') near AccountKey=c2VjcmV0");
    };
    const handler = createWebApiHandler(() => service);
    const { context, lines } = loggingContext();
    const failing = new HttpRequest({
      method: "POST",
      url: "http://127.0.0.1:7071/contoso/api/data/v9.2/accounts?code=function-key-value",
      headers: { "Content-Type": "application/json" },
      body: { string: JSON.stringify({ name: "body-marker" }) },
    });
    const response = await handler(failing, context);
    expect([response.status, await response.json()]).toEqual([500, { error: { code: "0x80040216", message: "An unexpected error occurred." } }]);
    const errors = lines.filter((line) => line.level === "error").map((line) => line.text);
    expect(errors).toHaveLength(1);
    // One line: the structured record as JSON.
    expect(errors[0]).not.toContain("\n");
    const record = JSON.parse(errors[0]) as Record<string, unknown>;
    expect(record).toMatchObject({ event: "webApiFailure", method: "POST", path: "/contoso/api/data/v9.2/accounts", status: 500, organization: "contoso", errorCode: "Internal" });
    expect(record.message).toEqual(expect.stringContaining("The Web API failed on POST /contoso/api/data/v9.2/accounts (500): TypeError: Cannot read properties of undefined"));
    expect(record.message).toContain("AccountKey=***");
    for (const secret of ["function-key-value", "body-marker", "c2VjcmV0"]) expect(errors[0]).not.toContain(secret);
  });

  it("logs a request that failed within the event pipeline with the correlation id of its execution", async () => {
    const organization = uniqueOrganization("webapifail");
    const env = { AzureWebJobsStorage: process.env.AzureWebJobsStorage, Organizations: organization, AllowAnonymousAsAdmin: "true" };
    const service = createAppServices(env).pipeline;
    service.registrations.get = async () => {
      throw new TypeError("registrations unreadable");
    };
    const { context, lines } = loggingContext();
    const failing = new HttpRequest({ method: "POST", url: `http://127.0.0.1:7071/${organization}/api/data/v9.2/accounts`, headers: { "Content-Type": "application/json" }, body: { string: JSON.stringify({ name: "x" }) } });
    expect((await createWebApiHandler(() => service)(failing, context)).status).toBe(500);
    const [error] = lines.filter((line) => line.level === "error").map((line) => JSON.parse(line.text) as Record<string, unknown>);
    expect(error).toMatchObject({ event: "webApiFailure", organization, status: 500, correlationId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/) });
  });


  it("answers a misconfigured app with a Dataverse-shaped error instead of failing the invocation", async () => {
    const handler = createWebApiHandler(() => {
      throw new TypeError("Setting Organizations: 'Contoso' is not a lower-case organization name.");
    });
    const response = await handler(request(), loggingContext().context);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: "0x80040216", message: "An unexpected error occurred." } });
  });

  it("answers 500 naming the setting when a setting is malformed, and logs it: the server's fault, not the caller's", async () => {
    const env = { AzureWebJobsStorage: process.env.AzureWebJobsStorage, Organizations: "contoso", AllowAnonymousAsAdmin: "true", OrganizationDomain: "https://crm.contoso.com" };
    const handler = createWebApiHandler(() => createAppServices(env).pipeline);
    const { context, lines } = loggingContext();
    const response = await handler(request(), context);
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("0x80040216");
    expect(body.error.message).toContain("OrganizationDomain");
    expect(body.error.message).not.toContain(String(env.AzureWebJobsStorage));
    const errors = lines.filter((line) => line.level === "error").map((line) => JSON.parse(line.text) as Record<string, unknown>);
    expect(errors).toEqual([expect.objectContaining({ event: "webApiFailure", status: 500, message: expect.stringContaining("OrganizationDomain") })]);
  });
});
