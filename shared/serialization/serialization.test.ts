import { describe, expect, it } from "vitest";
import { columnSet, createContext, entity } from "../model";
import { sampleContext } from "../../bench/sample-context";
import { dataverseFixtures } from "../../test/fixtures/dataverse";
import {
  CONTENT_TYPES,
  MessageFormat,
  SIZE_LIMITS,
  codecFor,
  decodeContext,
  detectFormat,
  encodeContextJson,
  encodeContextJsonParts,
  encodeContextXml,
  encodeContextXmlParts,
  estimateSize,
  joinEncoded,
  fitToChannel,
  fitToLimit,
  withoutDroppableMembers,
} from "./index";

const bytes = (text: string): number => Buffer.byteLength(text, "utf8");

describe("a ColumnSet input parameter (Retrieve's)", () => {
  it("is written with its data-contract type in JSON and XML and read back", () => {
    const context = createContext({ messageName: "Retrieve" });
    context.inputParameters.set("ColumnSet", columnSet("name", "telephone1"));
    const json = encodeContextJson(context);
    expect(json).toContain('{"key":"ColumnSet","value":{"__type":"ColumnSet:http:\\/\\/schemas.microsoft.com\\/xrm\\/2011\\/Contracts","AllColumns":false,"AttributeExpressions":[],"Columns":["name","telephone1"]}}');
    const xml = encodeContextXml(context);
    expect(xml).toContain('<b:value i:type="ColumnSet"><AllColumns>false</AllColumns><AttributeExpressions/><Columns xmlns:d="http://schemas.microsoft.com/2003/10/Serialization/Arrays"><d:string>name</d:string><d:string>telephone1</d:string></Columns></b:value>');
    for (const text of [json, xml]) expect(decodeContext(text).inputParameters.get("ColumnSet")).toEqual(columnSet("name", "telephone1"));
  });
});

describe("format detection and content types", () => {
  it("detects JSON and XML and encodes with §D.2's content types", () => {
    const context = decodeContext(dataverseFixtures()[0].text);
    const json = codecFor(MessageFormat.Json).encode(context);
    const xml = codecFor(MessageFormat.TextXml).encode(context);
    expect([CONTENT_TYPES[MessageFormat.Json], CONTENT_TYPES[MessageFormat.TextXml]]).toEqual(["application/json", "application/xml"]);
    expect(detectFormat(`\n ${json}`)).toBe(MessageFormat.Json);
    expect(detectFormat(xml)).toBe(MessageFormat.TextXml);
    expect(encodeContextJson(decodeContext(xml))).toBe(json);
    expect(encodeContextJson(decodeContext(Buffer.from(json)))).toBe(json);
    expect(() => decodeContext(Buffer.from([0x7b, 0xff]))).toThrow(expect.objectContaining({ code: "InvalidFormat" }));
    expect(() => detectFormat("hello")).toThrow(expect.objectContaining({ code: "InvalidFormat" }));
    expect(() => codecFor(MessageFormat.BinaryXml)).toThrow(expect.objectContaining({ code: "ValidationFailed" }));
  });
});

describe("size rules (§G)", () => {
  it("sends a body that fits as it is", () => {
    const context = createContext({ messageName: "Create" });
    const fitted = fitToChannel(context, MessageFormat.Json, "serviceBus");
    expect(fitted).toEqual({ body: encodeContextJson(context), bytes: bytes(fitted.body), truncated: false, droppedMembers: [] });
  });

  for (const format of [MessageFormat.Json, MessageFormat.TextXml]) {
    it(`measures the truncated size exactly without re-encoding per member (format ${format})`, () => {
      const context = sampleContext();
      const body = codecFor(format).encode(context);
      const estimate = estimateSize(context, format);
      expect(estimate.bytes).toBe(bytes(body));
      expect(estimate.truncatedBytes).toBe(bytes(codecFor(format).encode(withoutDroppableMembers(context))));
    });
  }

  it("encodes as root members that join to the same body, unknown members in place", () => {
    const json = encodeContextJson(createContext({ messageName: "Create" })).replace('"Depth":1,', '"Depth":1,"Future":[1.0],');
    const context = decodeContext(json);
    const parts = encodeContextJsonParts(context);
    expect(parts.members.map((member) => member.name).slice(2, 5)).toEqual(["Depth", "Future", "InitiatingUserId"]);
    expect(joinEncoded(parts)).toBe(json);
    expect(joinEncoded(encodeContextXmlParts(context))).toBe(encodeContextXml(context));
  });

  it("drops ParentContext, InputParameters and the images when over the limit, and says so", () => {
    const context = sampleContext(800);
    expect(bytes(encodeContextJson(context))).toBeGreaterThan(SIZE_LIMITS.webhook);
    const fitted = fitToChannel(context, MessageFormat.Json, "webhook");
    expect(fitted.truncated).toBe(true);
    expect(fitted.droppedMembers).toEqual(["ParentContext", "InputParameters", "PreEntityImages", "PostEntityImages"]);
    expect(fitted.bytes).toBe(bytes(fitted.body));
    const sent = decodeContext(fitted.body);
    expect(sent.parentContext).toBeNull();
    expect(sent.inputParameters.size + sent.preEntityImages.size + sent.postEntityImages.size).toBe(0);
    expect(sent.sharedVariables).toEqual(context.sharedVariables);
    expect(sent.messageName).toBe("Update");
  });

  it("refuses with MessageTooLarge when the rest alone is over the limit", () => {
    const context = createContext({ sharedVariables: { big: "x".repeat(2000) }, inputParameters: { Target: entity("account") } });
    expect(() => fitToLimit(context, MessageFormat.Json, 1000)).toThrow(expect.objectContaining({ code: "MessageTooLarge" }));
  });
});
