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
  double,
  entity,
  entityCollection,
  entityReference,
  guid,
  int64,
  keyValuePair,
  money,
  optionSetValue,
  optionSetValues,
} from "../../model";
import { dataverseFixtures, minifyJson } from "../../../test/fixtures/dataverse";
import { corruptAt, difference, jsonCorruption } from "../../../test/support/corruption";
import { MessageFormat } from "../format";
import { estimateSize } from "../size";
import { encodeContextXml } from "../xml";
import { decodeContextJson, encodeContextJson, encodeTypedContextJson } from "./index";

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
    expect(json).toContain('"line\\u000abreak \\/ slash \\u0001 \\ud83d\\ude00 lone \\ud800"');
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

  it("escapes strings as DataContractJsonSerializer does: every surrogate, U+FFFE/U+FFFF and the Unicode line breaks as lower-case \\uxxxx", () => {
    const text = "a\u0085b\u2028c\u2029d\ufffe\uffff \ud83d\ude00 é\u00a0€\ufffd";
    const json = encodeContextJson(createContext({ messageName: text }));
    expect(json).toContain('"MessageName":"a\\u0085b\\u2028c\\u2029d\\ufffe\\uffff \\ud83d\\ude00 é\u00a0€\ufffd"');
    expect(decodeContextJson(json).messageName).toBe(text);
    // The size rules (§G) measure the body as written: the escaped text's UTF-8 bytes.
    const emoji = createContext({ messageName: "\ud83d\ude00" });
    expect(estimateSize(emoji, MessageFormat.Json).bytes).toBe(Buffer.byteLength(encodeContextJson(emoji)));
    expect(Buffer.byteLength(encodeContextJson(emoji)) - Buffer.byteLength(encodeContextJson(createContext({ messageName: "" })))).toBe(12);
  });

  it("stores a context in a form that reads back with each value's .NET type, while the posted form stays plain", () => {
    const id = "ec4e2f7d-9d60-e811-a95a-000d3af24950";
    const values = {
      accountid: guid(id),
      sequence: int64(5),
      span: double(3),
      ratio: 2.5,
      rate: decimal("3"),
      big: 2 ** 50,
      huge: 2 ** 60,
      count: 7,
      when: "/Date(1506384247000)/",
      at: new DateTimeValue(1506384247000),
    };
    const context = createContext({ inputParameters: { Target: entity("account", id, values) }, outputParameters: { id: guid(id) } });
    const stored = encodeTypedContextJson(context);
    expect(stored).toContain(`{"key":"id","value":{"__type":"Guid:#System","__value":"${id}"}}`);
    expect(stored).toContain('{"key":"sequence","value":{"__type":"Int64:#System","__value":5}}');
    expect(stored).toContain('{"key":"span","value":{"__type":"Double:#System","__value":3}}');
    const back = decodeContextJson(stored);
    const target = back.inputParameters.get("Target") as Entity;
    expect(target.get("accountid")).toEqual(guid(id));
    expect(target.get("sequence")).toEqual(int64(5));
    expect(target.get("span")).toEqual(double(3));
    expect(target.get("ratio")).toEqual(double(2.5));
    expect(target.get("rate")).toEqual(decimal("3"));
    expect(target.get("big")).toEqual(int64(2 ** 50));
    expect(target.get("huge")).toEqual(double(2 ** 60));
    expect(target.get("count")).toBe(7);
    expect(target.get("when")).toBe("/Date(1506384247000)/");
    expect(target.get("at")).toEqual(new DateTimeValue(1506384247000));
    expect(back.outputParameters.get("id")).toEqual(guid(id));
    // What is posted from it is what the context itself posts: JSON and XML alike.
    expect(encodeContextJson(back)).toBe(encodeContextJson(context));
    expect(encodeContextXml(back)).toBe(encodeContextXml(context));
    expect(encodeContextJson(back)).not.toContain("__value");
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
    expect(read('{"__type":"Int64:#System","__value":2}')).toEqual(int64(2));
    expect(read('{"__type":"Double:#System","__value":2.5}')).toEqual(double(2.5));
    expect(read("2.50")).toEqual(new Decimal("2.50"));
    expect(read("12345678901234567890")).toEqual(new Decimal("12345678901234567890"));
    const unknown = '{"__type":"AliasedValue:http:\\/\\/schemas.microsoft.com\\/xrm\\/2011\\/Contracts","AttributeLogicalName":"name","Value":1.50}';
    expect(encodeContextJson(decodeContextJson(parameters(unknown)))).toContain(`{"key":"p","value":${unknown}}`);
  });

  it("fails with InvalidFormat and a path on truncated fixtures and on a corruption of their structure; a corruption in a string changes that string only, or is refused naming it", () => {
    const seen = { structural: 0, refused: 0, decoded: 0 };
    const outcome = (text: string) => {
      try {
        return { decoded: decodeContextJson(text) };
      } catch (error) {
        return { error: error as PipelineError };
      }
    };
    const refusal = { code: "InvalidFormat", path: expect.any(String) };
    for (const fixture of dataverseFixtures()) {
      const text = minifyJson(fixture.text);
      const reencoded = encodeContextJson(decodeContextJson(text));
      for (let cut = 0; cut < text.length; cut += 37) {
        expect(decodeError(text.slice(0, cut))).toMatchObject(refusal);
        const corrupted = corruptAt(text, cut);
        const where = `${fixture.name}, '#' at ${cut}: …${corrupted.slice(Math.max(0, cut - 25), cut + 25)}…`;
        const landing = jsonCorruption(text, corrupted, cut);
        const { decoded, error } = outcome(corrupted);
        if (error) seen.refused++;
        else seen.decoded++;
        if (landing.kind === "type") {
          // A type hint is read by its prefix (`Entity:`), not its namespace: the same context; an unknown
          // type is kept as it was written; or refused.
          if (error) expect(error, where).toMatchObject(refusal);
          else if (encodeContextJson(decoded!) !== reencoded) {
            const { removed, added } = difference(landing.before, landing.after ?? "");
            expect(difference(reencoded, encodeContextJson(decoded!)), where).toEqual({ at: expect.any(Number), removed, added });
          }
        } else if (landing.kind === "structural" || landing.after === undefined) {
          // Punctuation, a number, a literal, a quote, or an escape: the document is no longer JSON, or not this one.
          seen.structural++;
          expect(error, where).toMatchObject(refusal);
        } else if (error) {
          // A GUID, a date or a key/value pair's member name that is no longer one: refused, naming it.
          expect(error, where).toMatchObject(refusal);
          expect(error.message, where).toContain(`"${landing.after}"`);
        } else if (landing.kind === "member") {
          // An unknown member of a context or an entity is kept, and written back in place.
          expect(encodeContextJson(decoded!), where).toContain(`"${landing.after}":`);
        } else {
          const { removed, added } = difference(landing.before, landing.after);
          expect(difference(reencoded, encodeContextJson(decoded!)), where).toEqual({ at: expect.any(Number), removed, added });
        }
      }
    }
    expect(Object.values(seen).every((count) => count > 0), JSON.stringify(seen)).toBe(true);
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
