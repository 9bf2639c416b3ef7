import { describe, expect, it } from "vitest";
import { isPipelineError, type PipelineError } from "../../errors";
import {
  DateTimeValue,
  EntityRole,
  createContext,
  decimal,
  entity,
  entityCollection,
  entityReference,
  guid,
  keyValuePair,
  money,
  optionSetValues,
  type Entity,
} from "../../model";
import { dataverseFixtures } from "../../../test/fixtures/dataverse";
import { decodeContextJson, encodeContextJson } from "../json";
import { decodeContextXml, encodeContextXml } from "./index";

function decodeError(xml: string): PipelineError {
  try {
    decodeContextXml(xml);
  } catch (error) {
    if (isPipelineError(error)) return error;
    throw error;
  }
  throw new Error("decoding succeeded");
}

describe("Text XML (DataContractSerializer form)", () => {
  for (const fixture of dataverseFixtures()) {
    it(`carries ${fixture.name} JSON → XML → JSON without loss`, () => {
      const json = encodeContextJson(decodeContextJson(fixture.text));
      const xml = encodeContextXml(decodeContextJson(fixture.text));
      expect(encodeContextJson(decodeContextXml(xml))).toBe(json);
    });
  }

  it("writes the root, namespaces, member order, i:type hints, i:nil and KeyValuePairOfstringanyType items", () => {
    const fixture = dataverseFixtures().find((f) => f.name === "webhook-async-update-contact.json")!;
    const xml = encodeContextXml(decodeContextJson(fixture.text));
    expect(xml).toMatch(
      /^<RemoteExecutionContext xmlns="http:\/\/schemas\.microsoft\.com\/xrm\/2011\/Contracts" xmlns:i="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance" xmlns:b="http:\/\/schemas\.datacontract\.org\/2004\/07\/System\.Collections\.Generic"/,
    );
    expect(xml).toContain(
      '<InputParameters><KeyValuePairOfstringanyType><b:key>Target</b:key><b:value i:type="Entity"><Attributes><KeyValuePairOfstringanyType><b:key>firstname</b:key><b:value i:type="c:string">James</b:value></KeyValuePairOfstringanyType>',
    );
    expect(xml).toContain('<b:key>modifiedonbehalfby</b:key><b:value i:nil="true"/>');
    expect(xml).toContain('<b:key>modifiedon</b:key><b:value i:type="c:dateTime">2017-09-26T00:04:07Z</b:value>');
    expect(xml).toContain("<OperationCreatedOn>2017-09-26T00:04:08-07:00</OperationCreatedOn>");
    expect(xml).toContain('<b:value i:type="b:ArrayOfKeyValuePairOfstringstring"><b:KeyValuePairOfstringstring><b:key>feedback</b:key><b:value>Update</b:value>');
    expect(xml).toContain("<ParentContext i:nil=\"true\"/>");
    const query = encodeContextXml(decodeContextJson(dataverseFixtures().find((f) => f.name.startsWith("async-create"))!.text));
    expect(query).toContain('<b:value i:type="QueryExpression"><ColumnSet><AllColumns>false</AllColumns><AttributeExpressions/><Columns><d:string>documentid</d:string>');
    expect(query).toContain("<Operator>Equal</Operator><Values><d:anyType i:type=\"c:boolean\">false</d:anyType></Values><EntityName i:nil=\"true\"/>");
    const outer = xml.slice(0, xml.indexOf("<ParentContext>"));
    const order = [...outer.matchAll(/<\/(BusinessUnitId|Depth|MessageName|OrganizationName)>/g)].map((m) => m[1]);
    expect(order).toEqual(["BusinessUnitId", "Depth", "MessageName", "OrganizationName"]);
  });

  it("keeps types, decimal scale and date offsets through XML", () => {
    const context = createContext({
      operationCreatedOn: new DateTimeValue(1737024736123, "+0200"),
      sharedVariables: { pairs: [keyValuePair("a", "b")], mixed: [1, "x", null] },
      inputParameters: {
        Target: entity("account", undefined, {
          accountid: guid("EC4E2F7D-9D60-E811-A95A-000D3AF24950"),
          revenue: money("10.50"),
          rate: decimal("1.0000000000"),
          colors: optionSetValues(1, 2),
          text: "a < b & c\r\n",
          big: 2 ** 40,
          ratio: 0.25,
        }),
      },
    });
    const back = decodeContextXml(encodeContextXml(context));
    expect(back.operationCreatedOn).toEqual(context.operationCreatedOn);
    expect(back.sharedVariables).toEqual(context.sharedVariables);
    expect((back.inputParameters.get("Target") as Entity).attributes).toEqual((context.inputParameters.get("Target") as Entity).attributes);
  });

  it("carries related entities, entity collections and key attributes both ways", () => {
    const account = entity("account", "ec4e2f7d-9d60-e811-a95a-000d3af24950", {
      to: entityCollection([entity("activityparty", undefined, { partyid: entityReference("contact", "6d81597f-0f9f-e711-8122-000d3aa2331c", "James") })]),
    });
    account.keyAttributes.set("accountnumber", "A-1");
    account.relatedEntities.push({
      relationship: { schemaName: "contact_customer_accounts", primaryEntityRole: EntityRole.Referenced },
      entities: entityCollection([entity("contact", "6d81597f-0f9f-e711-8122-000d3aa2331c", { firstname: "James" })]),
    });
    const context = createContext({ inputParameters: { Target: account } });
    const json = encodeContextJson(context);
    expect(json).toContain('"RelatedEntities":[{"key":{"PrimaryEntityRole":1,"SchemaName":"contact_customer_accounts"},"value":{"Entities":[{"Attributes":[{"key":"firstname"');
    expect(encodeContextJson(decodeContextJson(json))).toBe(json);
    const xml = encodeContextXml(context);
    expect(xml).toContain("<RelatedEntities><KeyValuePairOfRelationshipEntityCollectionX_PsK4FkN><b:key><PrimaryEntityRole>Referenced</PrimaryEntityRole>");
    expect(encodeContextJson(decodeContextXml(xml))).toBe(json);
  });

  it("refuses, as DataContractSerializer does, text XML 1.0 cannot carry", () => {
    const context = createContext({ inputParameters: { Target: entity("account", undefined, { name: "bell\u0007" }) } });
    expect(() => encodeContextXml(context)).toThrow(expect.objectContaining({ code: "ValidationFailed", path: "InputParameters[0].value.Attributes[0].value" }));
  });

  it("fails with InvalidFormat and a path, never anything else, on truncated and corrupted XML", () => {
    for (const fixture of dataverseFixtures()) {
      const xml = encodeContextXml(decodeContextJson(fixture.text));
      for (let cut = 0; cut < xml.length; cut += 53) {
        expect(decodeError(xml.slice(0, cut))).toMatchObject({ code: "InvalidFormat", path: expect.any(String) });
        try {
          decodeContextXml(`${xml.slice(0, cut)}#${xml.slice(cut + 1)}`); // a '#' in text can still be valid
        } catch (error) {
          expect(error).toMatchObject({ code: "InvalidFormat", path: expect.any(String) });
        }
      }
    }
  });

  it.each([
    ["<RemoteExecutionContext><Depth>1</Depth>", "$", /malformed XML/],
    ["<RemoteExecutionContext><Depth>one</Depth></RemoteExecutionContext>", "Depth", /not an integer/],
    [
      '<RemoteExecutionContext xmlns:i="i" xmlns:b="b"><InputParameters><KeyValuePairOfstringanyType><b:key>Target</b:key><b:value i:type="Entity"><Attributes><KeyValuePairOfstringanyType><b:key>a</b:key><b:value i:type="c:int">x</b:value></KeyValuePairOfstringanyType></Attributes></b:value></KeyValuePairOfstringanyType></InputParameters></RemoteExecutionContext>',
      "InputParameters[0].value.Attributes[0].value",
      /not an integer/,
    ],
    ["<Other/>", "$", /RemoteExecutionContext root/],
  ])("rejects bad input naming the member (%#)", (xml, path, message) => {
    const error = decodeError(xml);
    expect(error.code).toBe("InvalidFormat");
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
  });
});
