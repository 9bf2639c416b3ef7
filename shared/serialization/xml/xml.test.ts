import { describe, expect, it } from "vitest";
import { isPipelineError, type PipelineError } from "../../errors";
import {
  DateTimeValue,
  EntityRole,
  createContext,
  decimal,
  double,
  entity,
  entityCollection,
  entityReference,
  guid,
  int64,
  keyValuePair,
  money,
  optionSetValues,
  type Entity,
} from "../../model";
import { dataverseFixtures } from "../../../test/fixtures/dataverse";
import { corruptAt, xmlCorruption } from "../../../test/support/corruption";
import { decodeContextJson, encodeContextJson } from "../json";
import { decodeContextXml, encodeContextXml } from "./index";

const CONTRACTS = "http://schemas.microsoft.com/xrm/2011/Contracts";
const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const XSD = "http://www.w3.org/2001/XMLSchema";
const GENERIC = "http://schemas.datacontract.org/2004/07/System.Collections.Generic";
const ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
const SERIALIZATION = "http://schemas.microsoft.com/2003/10/Serialization/";

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
    // §A.6: the root declares its namespace and i only; other prefixes are declared where they are first used.
    expect(xml.slice(0, xml.indexOf(">") + 1)).toBe(`<RemoteExecutionContext xmlns="${CONTRACTS}" xmlns:i="${XSI}">`);
    expect(xml).toContain(
      `<InputParameters xmlns:b="${GENERIC}"><KeyValuePairOfstringanyType><b:key>Target</b:key><b:value i:type="Entity"><Attributes><KeyValuePairOfstringanyType><b:key>firstname</b:key><b:value i:type="c:string" xmlns:c="${XSD}">James</b:value></KeyValuePairOfstringanyType>`,
    );
    expect(xml).toContain('<b:key>modifiedonbehalfby</b:key><b:value i:nil="true"/>');
    expect(xml).toContain(`<b:key>modifiedon</b:key><b:value i:type="c:dateTime" xmlns:c="${XSD}">2017-09-26T00:04:07Z</b:value>`);
    expect(xml).toContain("<OperationCreatedOn>2017-09-26T00:04:08-07:00</OperationCreatedOn>");
    expect(xml).toContain(
      `<SharedVariables xmlns:b="${GENERIC}"><KeyValuePairOfstringanyType><b:key>ChangedEntityTypes</b:key><b:value i:type="b:ArrayOfKeyValuePairOfstringstring"><b:KeyValuePairOfstringstring><b:key>feedback</b:key><b:value>Update</b:value>`,
    );
    expect(xml).toContain("<ParentContext i:nil=\"true\"/>");
    const query = encodeContextXml(decodeContextJson(dataverseFixtures().find((f) => f.name.startsWith("async-create"))!.text));
    expect(query).toContain(`<b:value i:type="QueryExpression"><ColumnSet><AllColumns>false</AllColumns><AttributeExpressions/><Columns xmlns:d="${ARRAYS}"><d:string>documentid</d:string>`);
    expect(query).toContain(`<Operator>Equal</Operator><Values xmlns:d="${ARRAYS}"><d:anyType i:type="c:boolean" xmlns:c="${XSD}">false</d:anyType></Values><EntityName i:nil="true"/>`);
    // A prefix in scope is not declared again (the Entity's Attributes inside InputParameters).
    expect(xml).not.toMatch(/<Attributes xmlns:b=/);
    const outer = xml.slice(0, xml.indexOf("<ParentContext>"));
    const order = [...outer.matchAll(/<\/(BusinessUnitId|Depth|MessageName|OrganizationName)>/g)].map((m) => m[1]);
    expect(order).toEqual(["BusinessUnitId", "Depth", "MessageName", "OrganizationName"]);
  });

  it("types GUIDs guid, Int64 values long and Double values double, whatever their magnitude", () => {
    const id = "ec4e2f7d-9d60-e811-a95a-000d3af24950";
    const context = createContext({
      inputParameters: { Target: entity("account", id, { accountid: guid(id), sequence: int64(5), span: double(3), count: 5, ratio: 2.5, rate: decimal("3") }) },
      outputParameters: { id: guid(id) },
    });
    const xml = encodeContextXml(context);
    const value = (key: string) => new RegExp(`<b:key>${key}</b:key>(<b:value[^>]*>[^<]*</b:value>)`).exec(xml)?.[1];
    expect(value("accountid")).toBe(`<b:value i:type="e:guid" xmlns:e="${SERIALIZATION}">${id}</b:value>`);
    expect(value("id")).toBe(`<b:value i:type="e:guid" xmlns:e="${SERIALIZATION}">${id}</b:value>`);
    expect(value("sequence")).toBe(`<b:value i:type="c:long" xmlns:c="${XSD}">5</b:value>`);
    expect(value("span")).toBe(`<b:value i:type="c:double" xmlns:c="${XSD}">3</b:value>`);
    expect(value("count")).toBe(`<b:value i:type="c:int" xmlns:c="${XSD}">5</b:value>`);
    expect(value("ratio")).toBe(`<b:value i:type="c:double" xmlns:c="${XSD}">2.5</b:value>`);
    expect(value("rate")).toBe(`<b:value i:type="c:decimal" xmlns:c="${XSD}">3</b:value>`);
    // JSON, as Dataverse posts it, has no types for them: plain strings and numbers.
    expect(encodeContextJson(context)).toContain(
      `"Attributes":[{"key":"accountid","value":"${id}"},{"key":"sequence","value":5},{"key":"span","value":3},{"key":"count","value":5},{"key":"ratio","value":2.5},{"key":"rate","value":3}]`,
    );
    expect(encodeContextJson(context)).toContain(`"OutputParameters":[{"key":"id","value":"${id}"}]`);
  });

  it("writes a date's fraction as .NET does: trailing zeros trimmed, none when whole", () => {
    const at = Date.UTC(2024, 0, 2, 3, 4, 5);
    const xmlOf = (value: DateTimeValue) => /<OperationCreatedOn>([^<]*)</.exec(encodeContextXml(createContext({ operationCreatedOn: value })))?.[1];
    expect(xmlOf(new DateTimeValue(at + 120))).toBe("2024-01-02T03:04:05.12Z");
    expect(xmlOf(new DateTimeValue(at + 100, "+0200"))).toBe("2024-01-02T05:04:05.1+02:00");
    expect(xmlOf(new DateTimeValue(at + 5))).toBe("2024-01-02T03:04:05.005Z");
    expect(xmlOf(new DateTimeValue(at))).toBe("2024-01-02T03:04:05Z");
    expect(decodeContextXml(encodeContextXml(createContext({ operationCreatedOn: new DateTimeValue(at + 120) }))).operationCreatedOn.epochMs).toBe(at + 120);
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
          big: int64(2 ** 40),
          ratio: double(0.25),
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

  it("fails with InvalidFormat and a path on truncated XML and on a corruption of its markup; a corruption in text changes that text only, or is refused naming it", () => {
    const seen = { markup: 0, refused: 0, decoded: 0 };
    const refusal = { code: "InvalidFormat", path: expect.any(String) };
    for (const fixture of dataverseFixtures()) {
      const xml = encodeContextXml(decodeContextJson(fixture.text));
      for (let cut = 0; cut < xml.length; cut += 53) {
        expect(decodeError(xml.slice(0, cut))).toMatchObject(refusal);
        const corrupted = corruptAt(xml, cut);
        const where = `${fixture.name}, '#' at ${cut}: …${corrupted.slice(Math.max(0, cut - 25), cut + 25)}…`;
        const landing = xmlCorruption(xml, corrupted, cut);
        let decoded: ReturnType<typeof decodeContextXml> | undefined;
        let error: PipelineError | undefined;
        try {
          decoded = decodeContextXml(corrupted);
          seen.decoded++;
        } catch (caught) {
          error = caught as PipelineError;
          seen.refused++;
        }
        if (landing.kind === "markup") {
          seen.markup++;
          expect(error, where).toMatchObject(refusal);
        } else if (landing.kind === "namespace") {
          // Elements are read by their local names (namespaces are not checked): the same context.
          expect(error, where).toBeUndefined();
          expect(encodeContextXml(decoded!), where).toBe(xml);
        } else if (error) {
          // A GUID, a number, a date or a type that is no longer one: refused, naming it.
          expect(error, where).toMatchObject(refusal);
          expect(error.message, where).toContain(`"${landing.after}"`);
        } else {
          expect(encodeContextXml(decoded!), where).toBe(corrupted);
        }
      }
    }
    expect(Object.values(seen).every((count) => count > 0), JSON.stringify(seen)).toBe(true);
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
