import { describe, expect, it } from "vitest";
import { isPipelineError, type PipelineError } from "../../errors";
import {
  DateTimeValue,
  Decimal,
  Entity,
  GuidValue,
  Money,
  createContext,
  decimal,
  entity,
  entityCollection,
  entityReference,
  keyValuePair,
  money,
  optionSetValue,
  optionSetValues,
} from "../../model";
import { dataverseFixtures, minifyJson } from "../../../test/fixtures/dataverse";
import { decodeContextJson, encodeContextJson } from "./index";

function decodeError(text: string): PipelineError {
  try {
    decodeContextJson(text);
  } catch (error) {
    if (isPipelineError(error)) return error;
    throw error;
  }
  throw new Error("decoding succeeded");
}

/** The publisher of one fixture boxed two attribute values; Dataverse itself writes them plain. */
function unboxed(json: string): string {
  return json.replace(/\{"__type":"(?:Guid|DateTime):#System","__value":("[^"]*")\}/g, "$1");
}

describe("Dataverse JSON", () => {
  for (const fixture of dataverseFixtures()) {
    it(`reads and writes ${fixture.name} as the same document`, () => {
      const written = encodeContextJson(decodeContextJson(fixture.text));
      expect(written).toBe(unboxed(minifyJson(fixture.text)));
    });
  }

  it("reads the publisher's boxed Guid and DateTime and writes them back in Dataverse's plain form", () => {
    const fixture = dataverseFixtures().find((f) => f.name === "sync-postoperation-update-account.json")!;
    expect(minifyJson(fixture.text)).toContain('{"__type":"Guid:#System","__value":"ec4e2f7d-9d60-e811-a95a-000d3af24950"}');
    const target = decodeContextJson(fixture.text).inputParameters.get("Target") as Entity;
    expect(target.get("accountid")).toEqual(new GuidValue("ec4e2f7d-9d60-e811-a95a-000d3af24950"));
    expect(target.get("modifiedon")).toEqual(new DateTimeValue(1527757524000));
    const written = encodeContextJson(decodeContextJson(fixture.text));
    expect(written).toContain('{"key":"accountid","value":"ec4e2f7d-9d60-e811-a95a-000d3af24950"}');
    expect(written).toContain('{"key":"modifiedon","value":"\\/Date(1527757524000)\\/"}');
    expect(written).not.toContain("__value");
  });

  it("writes the shapes the fixtures do not show as §A.3 describes them", () => {
    const context = createContext({
      operationCreatedOn: new DateTimeValue(1737024736000, "+0200"),
      sharedVariables: { ChangedEntityTypes: [keyValuePair("contact", "Update")] },
      inputParameters: {
        Target: entity("account", "EC4E2F7D-9D60-E811-A95A-000D3AF24950", {
          revenue: money("2154.32"),
          exchangerate: decimal("1.0000000000"),
          statecode: optionSetValue(0),
          colors: optionSetValues(257760001, 257760002),
          description: "line\nbreak / slash \u0001 \ud83d\ude00 lone \ud800",
          to: entityCollection([entity("activityparty")], "activityparty"),
        }),
      },
    });
    const json = encodeContextJson(context);
    const contracts = "http:\\/\\/schemas.microsoft.com\\/xrm\\/2011\\/Contracts";
    expect(json).toContain(`{"key":"revenue","value":{"__type":"Money:${contracts}","Value":2154.32}}`);
    expect(json).toContain('{"key":"exchangerate","value":1.0000000000}');
    expect(json).toContain(`[{"__type":"OptionSetValue:${contracts}","Value":257760001},{"__type":"OptionSetValue:${contracts}","Value":257760002}]`);
    expect(json).toContain('"line\\u000abreak \\/ slash \\u0001 \ud83d\ude00 lone \\ud800"');
    expect(json).toContain('"OperationCreatedOn":"\\/Date(1737024736000+0200)\\/"');
    expect(json).toContain(`{"__type":"EntityCollection:${contracts}","Entities":[{"Attributes":[]`);
    expect(json).toContain('"MinActiveRowVersion":"-1","MoreRecords":false,"PagingCookie":null,"TotalRecordCount":-1');
    expect(json).toContain('{"__type":"KeyValuePairOfstringstring:#System.Collections.Generic","key":"contact","value":"Update"}');
    expect(json).not.toContain('"InitiatingUserAgent"');

    const target = decodeContextJson(json).inputParameters.get("Target") as Entity;
    expect(target.get<Money>("revenue")!.value).toEqual(new Decimal("2154.32"));
    expect(target.get<Decimal>("exchangerate")!.text).toBe("1.0000000000");
    expect(encodeContextJson(decodeContextJson(json))).toBe(json);
  });

  it("is tolerant of pretty-printing, unescaped slashes and unknown members, which it writes back in place", () => {
    const json = encodeContextJson(createContext({ owningExtension: entityReference("sdkmessageprocessingstep", "75417616-4ea2-e711-8122-000d3aa2331c") }));
    const edited = json
      .replace('"Depth":1,', '"Depth":1,"FutureMember":{"a":[1.50,true]},')
      .replace('"LogicalName":"sdkmessageprocessingstep"', '"LogicalName":"sdkmessageprocessingstep","Extra":null');
    const pretty = edited.replace(/,"/g, ',\n  "').replace(/\\\//g, "/");
    expect(encodeContextJson(decodeContextJson(pretty))).toBe(edited);
  });

  it("reads object slots as Dataverse's reader does: date-shaped strings, boxed primitives, unknown types kept", () => {
    const parameters = (value: string) => `{"InputParameters":[{"key":"p","value":${value}}]}`;
    const read = (value: string) => decodeContextJson(parameters(value)).inputParameters.get("p");
    expect(read('"\\/Date(1506384247000)\\/"')).toEqual(new DateTimeValue(1506384247000));
    expect(read('"/Date(-1000+0530)/"')).toEqual(new DateTimeValue(-1000, "+0530"));
    expect(read('"\\/Date(abc)\\/"')).toBe("/Date(abc)/");
    expect(read('{"__type":"Int32:#System","__value":2}')).toBe(2);
    expect(read("2.50")).toEqual(new Decimal("2.50"));
    expect(read("12345678901234567890")).toEqual(new Decimal("12345678901234567890"));
    const unknown = '{"__type":"AliasedValue:http:\\/\\/schemas.microsoft.com\\/xrm\\/2011\\/Contracts","AttributeLogicalName":"name","Value":1.50}';
    expect(encodeContextJson(decodeContextJson(parameters(unknown)))).toContain(`{"key":"p","value":${unknown}}`);
  });

  it("fails with InvalidFormat and a path, never anything else, on truncated and corrupted fixtures", () => {
    for (const fixture of dataverseFixtures()) {
      const text = minifyJson(fixture.text);
      for (let cut = 0; cut < text.length; cut += 37) {
        expect(decodeError(text.slice(0, cut))).toMatchObject({ code: "InvalidFormat", path: expect.any(String) });
        const corrupted = `${text.slice(0, cut)}#${text.slice(cut + 1)}`;
        try {
          decodeContextJson(corrupted); // a '#' inside a string literal is still valid
        } catch (error) {
          expect(error).toMatchObject({ code: "InvalidFormat", path: expect.any(String) });
        }
      }
    }
  });

  it.each([
    ['{"Depth":"one"}', "Depth", /expected a number/],
    ['{"Depth":1.5}', "Depth", /expected an integer/],
    ['{"OutputParameters":[{"key":"id","value":"x","extra":1}]}', "OutputParameters[0]", /unexpected member "extra"/],
    ['{"InputParameters":[{"key":"Target","value":{"__type":"Entity:x","Attributes":[{"key":"a","value":1},{"key":"b","value":1},{"key":"c","value":1},{"key":"d","value":tru}]}}]}', "InputParameters[0].value.Attributes[3].value", /expected true/],
    ['{"InputParameters":[{"key":"a","value":1},{"key":"a","value":2}]}', "InputParameters[1]", /duplicate key "a"/],
    ['{"UserId":"not-a-guid"}', "UserId", /not a GUID/],
    ['{"OperationCreatedOn":"2024-01-01"}', "OperationCreatedOn", /not a date/],
    ['{"Stage":40', "$", /expected ',' or '}'/],
    ['{"Stage":40} x', "$", /after the end/],
    ["", "$", /end of the input/],
  ])("rejects %s naming the bad member", (text, path, message) => {
    const error = decodeError(text);
    expect(error.code).toBe("InvalidFormat");
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
  });
});
