import { describe, expect, it } from "vitest";
import { createContext, entity } from "../model";
import { sampleContext } from "../../bench/sample-context";
import { dataverseFixtures } from "../../test/fixtures/dataverse";
import {
  MessageFormat,
  SIZE_LIMITS,
  decodeContext,
  detectFormat,
  encodeContext,
  encodeContextJson,
  estimateSize,
  fitToChannel,
  fitToLimit,
  withoutDroppableMembers,
} from "./index";

const bytes = (text: string): number => Buffer.byteLength(text, "utf8");

describe("format detection and content types", () => {
  it("detects JSON and XML and encodes with §D.2's content types", () => {
    const context = decodeContext(dataverseFixtures()[0].text);
    const json = encodeContext(context, MessageFormat.Json);
    const xml = encodeContext(context, MessageFormat.TextXml);
    expect(json.contentType).toBe("application/json");
    expect(xml.contentType).toBe("application/xml");
    expect(detectFormat(`\n ${json.body}`)).toBe(MessageFormat.Json);
    expect(detectFormat(xml.body)).toBe(MessageFormat.TextXml);
    expect(encodeContextJson(decodeContext(xml.body))).toBe(json.body);
    expect(() => detectFormat("hello")).toThrow(expect.objectContaining({ code: "InvalidFormat" }));
    expect(() => encodeContext(context, MessageFormat.BinaryXml)).toThrow(expect.objectContaining({ code: "ValidationFailed" }));
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
      const { body } = encodeContext(context, format);
      const estimate = estimateSize(context, format);
      expect(estimate.bytes).toBe(bytes(body));
      expect(estimate.truncatedBytes).toBe(bytes(encodeContext(withoutDroppableMembers(context), format).body));
    });
  }

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
