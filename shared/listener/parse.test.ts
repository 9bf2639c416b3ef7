import { describe, expect, it } from "vitest";
import { refusal } from "../../test/support/refusal";
import { accountCreated, ORGANIZATION } from "../../test/support/delivery";
import { BIG_INTEGER, MONEY_VALUE, preciseContactUpdate } from "../../test/support/precise-body";
import { ClaimKeys, validateServiceEndpoint } from "../delivery";
import { serviceBusMessageFor } from "../delivery/messages";
import type { Entity, Money } from "../model";
import { encodeContextJson } from "../serialization";
import { parseDataverseMessage } from "./index";

const json = { contentType: "application/json" };

describe("parseDataverseMessage: the Organization claim", () => {
  const context = accountCreated();
  const body = encodeContextJson(context);
  const withOrganization = (organization: string) => ({ ...json, applicationProperties: { [ClaimKeys.organization]: organization } });

  it("accepts the organization's name, in any case", () => {
    expect(parseDataverseMessage(body, withOrganization("Contoso")).claims.organization).toBe("Contoso");
  });

  it("accepts the organization URI Dataverse sends, whose host's first label is the name", () => {
    for (const uri of [`https://${ORGANIZATION}.crm.dynamics.com/`, `https://CONTOSO.crm4.dynamics.com`, `https://${ORGANIZATION}.api.crm.dynamics.com/XRMServices/2011/Organization.svc`]) {
      expect(parseDataverseMessage(body, withOrganization(uri)).claims.organization).toBe(uri);
    }
  });

  it("accepts what this project's poster sends", () => {
    const endpoint = validateServiceEndpoint({ name: "queue", contract: 2, messageformat: 2, authtype: 9, userclaim: 2, path: "dataverse-events" });
    const { message } = serviceBusMessageFor(context, endpoint);
    expect(parseDataverseMessage(message.body, message).context.operationId).toBe(context.operationId);
  });

  it("refuses another organization's name or URI", () => {
    const expected = (sent: string) => `ValidationFailed: claim organization is "${sent}" but the context's OrganizationName is "${ORGANIZATION}"`;
    for (const sent of ["fabrikam", "https://fabrikam.crm.dynamics.com/", "https://crm.dynamics.com/contoso", "contoso.crm.dynamics.com", "https://contosox.crm.dynamics.com/"]) {
      expect(refusal(() => parseDataverseMessage(body, withOrganization(sent)))).toBe(expected(sent));
    }
  });
});

describe("parseDataverseMessage: numbers", () => {
  const raw = preciseContactUpdate();
  const attributes = (body: unknown) => {
    const target = parseDataverseMessage(body, json).context.inputParameters.get("Target") as Entity;
    return [String(target.get("new_big")), String(target.get<Money>("new_money")?.value)];
  };

  it("keeps them exactly from text and bytes", () => {
    expect(attributes(raw)).toEqual([BIG_INTEGER, MONEY_VALUE]);
    expect(attributes(Buffer.from(raw))).toEqual([BIG_INTEGER, MONEY_VALUE]);
  });

  it("from an object the runtime already parsed, they are what JSON.parse left (documented loss)", () => {
    expect(attributes(JSON.parse(raw))).toEqual(["9007199254740992", "922337203685477.6"]);
  });
});
