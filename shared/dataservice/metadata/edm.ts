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
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-](\d{2}):(\d{2}))?)?$/;

/** Type conversions shared by request bodies and query literals; each returns undefined when the text does not fit. */
export const parseEdm = {
  guid(text: string): string | undefined {
    return isGuid(text) ? normalizeGuid(text) : undefined;
  },
  decimal(text: string): string | undefined {
    return DECIMAL_PATTERN.test(text) ? text : undefined;
  },
  /**
   * ISO 8601 → `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds, as Dataverse returns it). A date or time that
   * does not exist (`2026-02-30`, `T24:00`, `:60`) is refused, where Date.parse would roll it over.
   */
  dateTime(text: string): string | undefined {
    const parts = DATE_PATTERN.exec(text);
    if (!parts) return undefined;
    const [, year, month, day, hour = "0", minute = "0", second = "0", zone, zoneHours = "0", zoneMinutes = "0"] = parts;
    if (!isCalendarMoment(Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second))) return undefined;
    if (Number(zoneHours) > 23 || Number(zoneMinutes) > 59) return undefined;
    const time = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : zone ? text : `${text}Z`);
    return Number.isNaN(time) ? undefined : dateTimeText(new Date(time));
  },
};

/** True when these date and time components name a moment of the calendar as they are (no rollover). */
function isCalendarMoment(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  const moment = new Date(0);
  moment.setUTCFullYear(year, month - 1, day);
  moment.setUTCHours(hour, minute, second);
  return (
    moment.getUTCFullYear() === year &&
    moment.getUTCMonth() === month - 1 &&
    moment.getUTCDate() === day &&
    moment.getUTCHours() === hour &&
    moment.getUTCMinutes() === minute &&
    moment.getUTCSeconds() === second
  );
}

/** A moment as DateTime columns hold it: `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds, as Dataverse returns it). */
export function dateTimeText(at: Date = new Date()): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}
