import { DateTimeValue } from "../model";

/** ISO text without its zone; the fraction as .NET writes it: trailing zeros trimmed (`.12` for 120 ms), none when zero. */
function isoWithoutZeroFraction(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}` : ""));
}

/** xs:dateTime as DataContractSerializer writes it: UTC kind with `Z`, local kind with its `±hh:mm` offset. */
export function formatXmlDate(value: DateTimeValue): string {
  if (value.offset === null) return `${isoWithoutZeroFraction(value.epochMs)}Z`;
  const local = isoWithoutZeroFraction(value.epochMs + value.offsetMinutes * 60_000);
  return `${local}${value.offset.slice(0, 3)}:${value.offset.slice(3)}`;
}

const XML_DATE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/;

/** xs:dateTime → DateTimeValue (no zone = UTC kind); undefined if the text is not one. */
export function parseXmlDate(text: string): DateTimeValue | undefined {
  const match = XML_DATE.exec(text.trim());
  if (!match) return undefined;
  const [, base, fraction = "", zone = "Z"] = match;
  const local = Date.parse(`${base}.${fraction.padEnd(3, "0").slice(0, 3)}Z`);
  if (Number.isNaN(local)) return undefined;
  if (zone === "Z") return new DateTimeValue(local);
  const offset = zone.replace(":", "");
  const minutes = (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return new DateTimeValue(local - minutes * 60_000, offset);
}
