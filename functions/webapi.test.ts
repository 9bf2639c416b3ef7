import { HttpRequest } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { createWebApiHandler } from "./webapi";

describe("dataverseWebApi function", () => {
  it("answers a misconfigured app with a Dataverse-shaped error instead of failing the invocation", async () => {
    const handler = createWebApiHandler(() => {
      throw new TypeError("Setting Organizations: 'Contoso' is not a lower-case organization name.");
    });
    const response = await handler(new HttpRequest({ method: "GET", url: "http://127.0.0.1:7071/contoso/api/data/v9.2/accounts" }));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: "0x80040216", message: "An unexpected error occurred." } });
  });
});
