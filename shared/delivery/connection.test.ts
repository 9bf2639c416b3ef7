import { describe, expect, it } from "vitest";
import { BrokerConnections, validateServiceEndpoint } from "./index";

const sasQueue = { name: "orders", contract: 2, messageformat: 2, path: "dataverse-events", authtype: 2, namespaceaddress: "sb://contoso.servicebus.windows.net/", saskeyname: "send", saskey: "first-key" };
const identityQueue = { name: "orders", contract: 2, messageformat: 2, path: "dataverse-events", authtype: 9, namespaceaddress: "sb://contoso.servicebus.windows.net/" };

describe("BrokerConnections", () => {
  it("gives every post to one registration the same connection, and a new one once its key or namespace changed", () => {
    const connections = new BrokerConnections({});
    const first = connections.for(validateServiceEndpoint(sasQueue), "serviceBus");
    expect(connections.for(validateServiceEndpoint({ ...sasQueue, name: "renamed" }), "serviceBus")).toBe(first);
    const rotated = connections.for(validateServiceEndpoint({ ...sasQueue, saskey: "second-key" }), "serviceBus");
    expect(rotated).not.toBe(first);
    expect(rotated.key).not.toBe(first.key);
    expect(connections.for(validateServiceEndpoint({ ...sasQueue, namespaceaddress: "sb://fabrikam.servicebus.windows.net/" }), "serviceBus").key).not.toBe(first.key);
  });

  it("makes a managed identity's credential once per namespace, not per post", () => {
    const connections = new BrokerConnections({});
    const [a, b] = [connections.for(validateServiceEndpoint(identityQueue), "serviceBus"), connections.for(validateServiceEndpoint(identityQueue), "serviceBus")];
    expect(a.kind === "credential" && b.kind === "credential" && a.credential === b.credential).toBe(true);
  });
});
