import { HttpRequest, InvocationContext } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { createAppServices } from "../shared/jobs";
import { createWebApiHandler } from "./webapi";

const request = () => new HttpRequest({ method: "GET", url: "http://127.0.0.1:7071/contoso/api/data/v9.2/accounts" });

/** An invocation context that keeps what the function logs. */
function loggingContext() {
  const lines: Array<{ level: string; text: string }> = [];
  const context = new InvocationContext({ logHandler: (level, ...args) => lines.push({ level, text: args.map(String).join(" ") }) });
  return { context, lines };
}

describe("dataverseWebApi function", () => {
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
    expect(lines.filter((line) => line.level === "error").map((line) => line.text)).toEqual([expect.stringContaining("OrganizationDomain")]);
  });
});
