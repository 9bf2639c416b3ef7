import { describe, expect, it } from "vitest";
import { BUILTIN_TABLES } from "../metadata/builtin-tables";
import { encodeRecord, fitText, MAX_STORED_STRING_LENGTH } from "./row-codec";

const table = (name: string) => BUILTIN_TABLES.find((candidate) => candidate.logicalName === name)!;

describe("fitText", () => {
  it("cuts text to the column's MaxLength, or to what one stored string keeps when the column allows more; the result encodes", () => {
    expect(fitText(table("asyncoperation"), "name", "y".repeat(20_000))).toHaveLength(256);
    const message = fitText(table("asyncoperation"), "message", "x".repeat(100_000));
    expect(message).toHaveLength(MAX_STORED_STRING_LENGTH);
    expect(() => encodeRecord("contoso", table("asyncoperation"), "id", { message })).not.toThrow();
    expect(fitText(table("asyncoperation"), "message", "short")).toBe("short");
  });

  it("never leaves half a surrogate pair", () => {
    const text = "x".repeat(MAX_STORED_STRING_LENGTH - 1) + "😀😀";
    const fitted = fitText(table("asyncoperation"), "message", text);
    expect(fitted).toBe("x".repeat(MAX_STORED_STRING_LENGTH - 1));
    expect(() => encodeURIComponent(fitted)).not.toThrow();
  });
});
