import { isLookupType, type ColumnDefinition } from "./metadata/columns";
import { findColumn, type TableDefinition } from "./metadata/tables";
import { isLookupValue, type ColumnValue, type ColumnValues } from "./store/records";

const NUMBER = new Intl.NumberFormat("en-US");
const MONEY = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const DECIMALS = new Map<number, Intl.NumberFormat>();
/** A formatter per precision, made once (an Intl.NumberFormat is costly to build, and images format on every step). */
function decimalFormat(precision: number): Intl.NumberFormat {
  let format = DECIMALS.get(precision);
  if (!format) DECIMALS.set(precision, (format = new Intl.NumberFormat("en-US", { minimumFractionDigits: precision })));
  return format;
}
/** `11/23/2026 2:54 PM`: en-US's short date with a four-digit year, as Dataverse formats it. */
const DATE_TIME = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "2-digit", timeZone: "UTC" });

/**
 * How a date is shown: the Web API's FormattedValue is the user's display text (`1/16/2025 2:52 PM`); an
 * SDK Entity's FormattedValues hold it as ISO 8601 with the user's offset (`2025-01-16T14:52:16+02:00`, §A.3).
 */
type DateStyle = "display" | "iso";

/** The user-facing text Dataverse gives a column's value (en-US, UTC); undefined for text, ids and lookups. */
export function formatValue(column: ColumnDefinition, value: ColumnValue, dates: DateStyle = "display"): string | undefined {
  const label = (option: number) => column.options?.find((candidate) => candidate.value === option)?.label ?? String(option);
  switch (column.type) {
    case "Picklist":
    case "State":
    case "Status":
      return label(Number(value));
    case "MultiSelectPicklist":
      return (value as number[]).map(label).join("; ");
    case "Boolean":
      return value ? "Yes" : "No";
    case "Money":
      return MONEY.format(Number(value));
    case "Integer":
    case "BigInt":
    case "Double":
      return NUMBER.format(Number(value));
    case "Decimal":
      return decimalFormat(column.precision ?? 0).format(Number(value));
    case "DateTime": {
      const date = new Date(String(value));
      if (dates === "iso") return `${date.toISOString().slice(0, 19)}+00:00`;
      // Some ICU versions put a narrow no-break space before AM/PM; Dataverse has a plain space.
      return DATE_TIME.format(date).replace(",", "").replace(/\s/g, " ");
    }
    default:
      return undefined;
  }
}

/**
 * An SDK Entity's FormattedValues for some of a row's columns, in the order given: option labels,
 * numbers, dates (ISO), and a lookup's name when `lookupNames` has it. Null values have none.
 */
export function sdkFormattedValues(table: TableDefinition, values: ColumnValues, columns: Iterable<string>, lookupNames?: Map<string, string>): Map<string, string> {
  const formatted = new Map<string, string>();
  for (const name of columns) {
    const column = findColumn(table, name);
    const value = values[name];
    if (!column || value === null || value === undefined || column.writeOnly) continue;
    const text = isLookupType(column.type) ? (isLookupValue(value) ? lookupNames?.get(value.id) : undefined) : formatValue(column, value, "iso");
    if (text !== undefined) formatted.set(name, text);
  }
  return formatted;
}
