import { describe, expect, it } from "vitest";
import { isPipelineError } from "../errors";
import { SERVICE_ENDPOINT_RETRY_POLICY } from "../retry";
import { retryPolicyOf, validateServiceEndpoint } from "./index";

const queue = { name: "orders", contract: 2, messageformat: 2, authtype: 9, path: "dataverse-events" };

function refusal(input: unknown): { message: string; path?: string } {
  try {
    validateServiceEndpoint(input);
  } catch (error) {
    if (isPipelineError(error) && error.code === "ValidationFailed") return { message: error.message, path: error.path };
    throw error;
  }
  throw new Error("the registration was accepted");
}

describe("validateServiceEndpoint", () => {
  it("accepts a working registration and fills Dataverse's defaults", () => {
    expect(validateServiceEndpoint({ ...queue, createdon: "ignored" })).toEqual({ ...queue, userclaim: 1 });
  });

  it.each([
    [{ ...queue, messageformat: 1 }, "messageformat", "serviceendpoint.messageformat: Binary XML (1) is not supported yet; use 2 (Json) or 3 (Text XML)"],
    [{ ...queue, messageformat: undefined }, "messageformat", "serviceendpoint.messageformat: Binary XML (1) is not supported yet; use 2 (Json) or 3 (Text XML)"],
    [{ ...queue, path: undefined }, "path", "serviceendpoint.path: is required for contract 2 (Queue)"],
    [{ ...queue, contract: 11 }, "contract", "serviceendpoint.contract: must be one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"],
    [{ ...queue, contract: 9 }, "contract", "serviceendpoint.contract: contract 9 (Event Grid) is not supported"],
    [{ ...queue, authtype: 2, namespaceaddress: "sb://contoso.servicebus.windows.net/" }, "saskeyname", "serviceendpoint.saskeyname: is required for authtype 2 (SAS Key)"],
    [{ ...queue, authtype: 3 }, "namespaceaddress", "serviceendpoint.namespaceaddress: is required for authtype 3 (SAS Token)"],
    [{ ...queue, authtype: 7, connectionstring: "nonsense" }, "connectionstring", "serviceendpoint.connectionstring: has no Endpoint="],
    [{ ...queue, contract: 7, authtype: 3, sastoken: "t", namespaceaddress: "x" }, "authtype", "serviceendpoint.authtype: contract 7 (Event Hub) takes 2 (SAS Key), 7 (Connection String) or 9 (Managed Identity)"],
    [{ name: "hook", contract: 8, authtype: 4, authvalue: "k" }, "url", "serviceendpoint.url: is required for contract 8 (Webhook)"],
    [{ name: "hook", contract: 8, authtype: 4, authvalue: "k", url: "https://contoso.example:8443/hook" }, "url", "serviceendpoint.url: port 8443 is not allowed; use 80 or 443"],
    [{ name: "hook", contract: 8, authtype: 4, authvalue: "k", url: "ftp://contoso.example/hook" }, "url", "serviceendpoint.url: must be http or https"],
    [{ name: "hook", contract: 8, authtype: 2, url: "https://contoso.example/hook" }, "authtype", "serviceendpoint.authtype: contract 8 (Webhook) takes 4 (Webhook Key), 5 (Http Header) or 6 (Http Query String)"],
    [{ name: "hook", contract: 8, authtype: 5, url: "https://contoso.example/hook" }, "authvalue", "serviceendpoint.authvalue: is required for authtype 5"],
    [{ name: "hook", contract: 8, authtype: 5, authvalue: "key=value", url: "https://contoso.example/hook" }, "authvalue", 'serviceendpoint.authvalue: must be <settings><setting name="…" value="…" /></settings> with at least one setting'],
    [{ name: "rest", contract: 3, messageformat: 2, authtype: 4, authvalue: "k", url: "https://contoso.example/r" }, "messageformat", "serviceendpoint.messageformat: contract 3 (Rest) posts Text XML: set messageformat to 3"],
    [{ ...queue, retrypolicy: '{"maxRetries":-1}' }, "retrypolicy", "serviceendpoint.retrypolicy: maxRetries must be a whole number from 0 to 1000, got -1"],
    [{ ...queue, name: undefined }, "name", "serviceendpoint.name: is required"],
  ])("refuses %j", (input, path, message) => {
    expect(refusal(input)).toEqual({ message, path });
  });

  it("allows any port on a loopback URL (the local runtime)", () => {
    expect(validateServiceEndpoint({ name: "hook", contract: 8, authtype: 4, authvalue: "k", url: "http://127.0.0.1:7071/hook" }).url).toBe("http://127.0.0.1:7071/hook");
  });

  it("takes the endpoint's retry policy over the defaults", () => {
    expect(retryPolicyOf(validateServiceEndpoint({ ...queue, retrypolicy: '{"maxRetries":2,"mode":"fixed"}' }))).toEqual({
      ...SERVICE_ENDPOINT_RETRY_POLICY,
      maxRetries: 2,
      mode: "fixed",
    });
  });
});
