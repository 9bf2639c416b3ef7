import { DateTimeValue } from "../model";

const WCF_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

/** `/Date(1506409448000-0700)/` → DateTimeValue (undefined if the text is not one). */
export function parseWcfDate(text: string): DateTimeValue | undefined {
  const match = WCF_DATE.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]);
  return Number.isSafeInteger(ms) ? new DateTimeValue(ms, match[2] ?? null) : undefined;
}

export function formatWcfDate(value: DateTimeValue): string {
  return `/Date(${value.epochMs}${value.offset ?? ""})/`;
}
