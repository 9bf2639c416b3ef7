import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type HostUnderTest } from "../host/run-host";
import { uniqueOrganization } from "../support/data-service";
import { startProjectHost } from "../support/system-jobs";

const organization = uniqueOrganization("wh");

async function call(host: HostUnderTest, method: string, path: string, body?: unknown, headers: Record<string, string> = { "Content-Type": "application/json" }) {
  const response = await fetch(`${host.baseUrl}/${organization}/api/data/v9.2/${path}`, {
    method,
    headers: { Accept: "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await response.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, json: text ? (JSON.parse(text) as any) : undefined };
}

/** The dataverseWebApi function of the project's app in the local host: its methods and its misconfiguration answer. */
describe("the Web API function in the host", () => {
  let host: HostUnderTest;
  let misconfigured: HostUnderTest;

  beforeAll(async () => {
    const serviceBus = process.env.ServiceBusConnection ?? "";
    [host, misconfigured] = await Promise.all([
      startProjectHost(organization, serviceBus),
      startProjectHost(organization, serviceBus, { env: { OrganizationDomain: "https://crm.contoso.com" } }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([host?.stop(), misconfigured?.stop()]);
  });

  it("takes PUT: a single-property update is 204 and a PUT on a whole row is 405 in Dataverse's shape", async () => {
    const created = await call(host, "POST", "accounts", { name: "Hosted" });
    expect(created.status).toBe(204);
    const { json: list } = await call(host, "GET", "accounts?$select=name&$filter=name eq 'Hosted'");
    const id = list.value[0].accountid as string;
    expect((await call(host, "PUT", `accounts(${id})/name`, { value: "Hosted, renamed" })).status).toBe(204);
    expect((await call(host, "GET", `accounts(${id})/name`)).json.value).toBe("Hosted, renamed");
    const putRow = await call(host, "PUT", `accounts(${id})`, { name: "x" });
    expect(putRow).toEqual({ status: 405, json: { error: { code: "0x80040203", message: "The HTTP method PUT is not supported on this resource." } } });
  });

  it("sends plain-text answers (/$count, /$value) as text/plain through the Functions host", async () => {
    await call(host, "POST", "accounts", { name: "Counted in the host" });
    const { json: list } = await call(host, "GET", "accounts?$select=name&$filter=name eq 'Counted in the host'");
    const id = list.value[0].accountid as string;
    const base = `${host.baseUrl}/${organization}/api/data/v9.2`;
    const value = await fetch(`${base}/accounts(${id})/name/$value`);
    expect([value.status, value.headers.get("Content-Type"), value.headers.get("OData-Version"), await value.text()]).toEqual([
      200,
      "text/plain; charset=utf-8",
      "4.0",
      "Counted in the host",
    ]);
    const count = await fetch(`${base}/accounts/$count?$filter=${encodeURIComponent("name eq 'Counted in the host'")}`);
    expect([count.status, await count.text()]).toEqual([200, "1"]);
  });

  it("routes $metadata to the Web API and sends the CSDL document as XML; other methods are 405", async () => {
    const base = `${host.baseUrl}/${organization}/api/data/v9.2`;
    const metadata = await fetch(`${base}/$metadata`, { headers: { Accept: "application/xml" } });
    const text = await metadata.text();
    expect([metadata.status, metadata.headers.get("Content-Type"), metadata.headers.get("OData-Version")]).toEqual([200, "application/xml", "4.0"]);
    expect(text).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?><edmx:Edmx Version="4\.0"/);
    expect(text).toContain('<EntitySet Name="accounts" EntityType="Microsoft.Dynamics.CRM.account">');
    // The Web API's usual `Accept: application/json` (sent on every request by many Dataverse clients) gets the same XML, not a 406.
    const asJson = await fetch(`${base}/$metadata`, { headers: { Accept: "application/json" } });
    expect([asJson.status, asJson.headers.get("Content-Type"), await asJson.text()]).toEqual([200, "application/xml", text]);
    const posted = await call(host, "POST", "$metadata", {});
    expect([posted.status, posted.json?.error?.message]).toEqual([405, "The HTTP method POST is not supported on this resource."]);
  });

  it("routes the Web API's earlier versions (v9.0, v9.1) to it, and answers another version with 404 in Dataverse's shape", async () => {
    for (const version of ["v9.0", "v9.1"]) {
      const response = await fetch(`${host.baseUrl}/${organization}/api/data/${version}/WhoAmI`);
      expect([response.status, ((await response.json()) as { "@odata.context": string })["@odata.context"]], version).toEqual([
        200,
        `${host.baseUrl}/${organization}/api/data/${version}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
      ]);
    }
    const other = await fetch(`${host.baseUrl}/${organization}/api/data/v8.2/WhoAmI`);
    expect([other.status, ((await other.json()) as { error: { code: string } }).error.code]).toEqual([404, "0x8006088a"]);
  });

  it("answers a malformed URL and a body nested too deep to print with 400 in Dataverse's shape, not 500", async () => {
    for (const path of ["accounts(%ZZ)", "%E0%A4%A"]) {
      const answer = await call(host, "GET", path);
      expect([answer.status, answer.json?.error?.code, answer.json?.error?.message], path).toEqual([400, "0x0", expect.stringContaining("is not valid percent-encoding")]);
    }
    const deep = `{"name":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const answer = await call(host, "POST", "accounts", deep);
    expect([answer.status, answer.json?.error]).toEqual([400, { code: "0x0", message: "Cannot convert an array of 'name' to the expected type 'Edm.String'." }]);
    const huge = await call(host, "POST", "accounts", { name: "Huge", numberofemployees: "9".repeat(100_000) });
    expect([huge.status, huge.json?.error?.message]).toEqual([400, "Cannot convert a string of 100000 characters of 'numberofemployees' to the expected type 'Edm.Int32'."]);
    expect(host.output.some((line) => /\berror\s+dataverseWebApi\b/.test(line))).toBe(false);
  });

  it("reads a body only when it is sent as JSON: any other Content-Type (curl's default form type, text) is 415 and writes nothing", async () => {
    const named = async (name: string) => (await call(host, "GET", `accounts?$select=name&$filter=name eq '${name}'`)).json.value.length;
    const refusal = (mediaType: string) => ({
      status: 415,
      json: { error: { code: "0x0", message: `The request entity's media type '${mediaType}' is not supported for this resource. Send the body as application/json.` } },
    });
    const body = JSON.stringify({ name: "Not JSON typed" });
    expect(await call(host, "POST", "accounts", body, { "Content-Type": "application/x-www-form-urlencoded" })).toEqual(refusal("application/x-www-form-urlencoded"));
    expect(await call(host, "POST", "accounts", body, { "Content-Type": "text/plain" })).toEqual(refusal("text/plain"));
    expect(await call(host, "POST", "accounts", new TextEncoder().encode(body), {})).toEqual(refusal("(none)"));
    expect(await named("Not JSON typed")).toBe(0);

    const created = await call(host, "POST", "accounts", { name: "JSON typed" }, { "Content-Type": "application/json; charset=utf-8; odata.metadata=minimal" });
    expect(created.status).toBe(204);
    const id = (await call(host, "GET", "accounts?$select=name&$filter=name eq 'JSON typed'")).json.value[0].accountid as string;
    expect(await call(host, "PATCH", `accounts(${id})`, JSON.stringify({ name: "Renamed as text" }), { "Content-Type": "text/plain" })).toEqual(refusal("text/plain"));
    expect(await call(host, "PUT", `accounts(${id})/name`, JSON.stringify({ value: "Renamed as text" }), { "Content-Type": "text/plain" })).toEqual(refusal("text/plain"));
    expect((await call(host, "GET", `accounts(${id})/name`)).json.value).toBe("JSON typed");
  });

  it("answers a malformed OrganizationDomain setting with 500 naming the setting, and logs it", async () => {
    const answer = await call(misconfigured, "GET", "accounts");
    expect(answer.status).toBe(500);
    expect(answer.json.error).toEqual({ code: "0x80040216", message: expect.stringContaining("Setting OrganizationDomain: 'https://crm.contoso.com' is not a domain name") });
    await eventually(() => misconfigured.output.some((line) => /\berror\s+dataverseWebApi\b.*OrganizationDomain/.test(line)), 5_000, "the logged misconfiguration");
  });
});
