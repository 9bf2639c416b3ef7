import { isGuid, normalizeGuid } from "../../model";
import type { ColumnType } from "./columns";

/** The OData (Edm) type of each column type, as the Web API exposes it. */
export const EDM_TYPE: Record<ColumnType, string> = {
  String: "Edm.String",
  Memo: "Edm.String",
  Integer: "Edm.Int32",
  BigInt: "Edm.Int64",
  Decimal: "Edm.Decimal",
  Double: "Edm.Double",
  Money: "Edm.Decimal",
  Boolean: "Edm.Boolean",
  DateTime: "Edm.DateTimeOffset",
  Lookup: "Edm.Guid",
  Owner: "Edm.Guid",
  Picklist: "Edm.Int32",
  MultiSelectPicklist: "Edm.String",
  State: "Edm.Int32",
  Status: "Edm.Int32",
  Uniqueidentifier: "Edm.Guid",
};

const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** Type conversions shared by request bodies and query literals; each returns undefined when the text does not fit. */
export const parseEdm = {
  guid(text: string): string | undefined {
    return isGuid(text) ? normalizeGuid(text) : undefined;
  },
  decimal(text: string): string | undefined {
    return DECIMAL_PATTERN.test(text) ? text : undefined;
  },
  /** ISO 8601 → `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds, as Dataverse returns it). */
  dateTime(text: string): string | undefined {
    if (!DATE_PATTERN.test(text)) return undefined;
    const time = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : /Z|[+-]\d{2}:\d{2}$/.test(text) ? text : `${text}Z`);
    return Number.isNaN(time) ? undefined : dateTimeText(new Date(time));
  },
};

/** A moment as DateTime columns hold it: `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds, as Dataverse returns it). */
export function dateTimeText(at: Date = new Date()): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}
