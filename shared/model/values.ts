import { PipelineError } from "../errors";
import { normalizeGuid, type Guid } from "./guid";
import type { Entity, EntityCollection, EntityReference } from "./entity";
import type { JsonNode } from "./json-node";
import type { ColumnSet, QueryExpression } from "./query";

const DECIMAL_LITERAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * A .NET decimal (or any number that must keep its literal form): the text is kept exactly,
 * so `1.0000000000` is written back with its scale.
 */
export class Decimal {
  readonly kind = "Decimal" as const;
  readonly text: string;

  constructor(value: string | number) {
    const text = typeof value === "number" ? String(value) : value;
    if (!DECIMAL_LITERAL.test(text)) throw new PipelineError("InvalidFormat", `"${text}" is not a decimal number`);
    this.text = text;
  }

  toNumber(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }
}

/** Hours and minutes of a local-kind DateTime's offset, as Dataverse writes it: `+0200`, `-0700`. */
export type UtcOffset = string;
const OFFSET_PATTERN = /^[+-]\d{4}$/;

/**
 * A .NET DateTime. `offset` null = UTC kind (`\/Date(ms)\/`); otherwise local kind written with its
 * offset (`\/Date(ms-0700)\/`). `epochMs` is always the UTC instant.
 */
export class DateTimeValue {
  readonly kind = "DateTime" as const;

  constructor(
    readonly epochMs: number,
    readonly offset: UtcOffset | null = null,
  ) {
    if (!Number.isSafeInteger(epochMs)) throw new PipelineError("InvalidFormat", `${epochMs} is not a time in milliseconds`);
    if (offset !== null && !OFFSET_PATTERN.test(offset)) throw new PipelineError("InvalidFormat", `"${offset}" is not a UTC offset like +0200`);
  }

  toDate(): Date {
    return new Date(this.epochMs);
  }

  /** Offset in minutes east of UTC (0 for UTC kind). */
  get offsetMinutes(): number {
    if (this.offset === null) return 0;
    const sign = this.offset[0] === "-" ? -1 : 1;
    return sign * (Number(this.offset.slice(1, 3)) * 60 + Number(this.offset.slice(3, 5)));
  }
}

/** A value typed as System.Guid (JSON writes it as a plain string; XML types it as a guid). */
export class GuidValue {
  readonly kind = "Guid" as const;
  readonly value: Guid;

  constructor(value: string) {
    this.value = normalizeGuid(value);
  }

  toString(): string {
    return this.value;
  }
}

/**
 * A value typed as System.Int64 (a BigInt column). JSON writes the plain number; XML types it `long`
 * (a plain JS number is typed by its magnitude: `int`, else `long`).
 */
export class Int64Value {
  readonly kind = "Int64" as const;

  constructor(readonly value: number) {
    if (!Number.isSafeInteger(value)) throw new PipelineError("InvalidFormat", `${value} is not an Int64 this model can hold exactly`);
  }

  toNumber(): number {
    return this.value;
  }

  toString(): string {
    return String(this.value);
  }
}

/**
 * A value typed as System.Double (a Double column), also when it is integral. JSON writes the plain
 * number; XML types it `double` (a plain JS number is typed `double` only when it has a fraction).
 */
export class DoubleValue {
  readonly kind = "Double" as const;

  constructor(readonly value: number) {
    if (!Number.isFinite(value)) throw new PipelineError("InvalidFormat", `${value} is not a finite double`);
  }

  toNumber(): number {
    return this.value;
  }

  toString(): string {
    return String(this.value);
  }
}

export class OptionSetValue {
  readonly kind = "OptionSetValue" as const;
  constructor(public value: number) {}
}

/** A multi-select choice value. */
export class OptionSetValueCollection {
  readonly kind = "OptionSetValueCollection" as const;
  constructor(public values: OptionSetValue[] = []) {}
}

export class Money {
  readonly kind = "Money" as const;
  constructor(public value: Decimal) {}
}

/** A KeyValuePair in an object-typed slot, e.g. the items of the `ChangedEntityTypes` shared variable. */
export class KeyValuePairValue {
  readonly kind = "KeyValuePair" as const;
  constructor(
    public key: string,
    public value: Value,
    /** The data-contract name, e.g. `KeyValuePairOfstringstring`. */
    public typeName = typeof value === "string" ? "KeyValuePairOfstringstring" : "KeyValuePairOfstringanyType",
  ) {}
}

/** A typed value this model does not know (its `__type` hint and members are kept and written back). */
export class UnknownValue {
  readonly kind = "Unknown" as const;
  constructor(public json: JsonNode) {}
}

/** Anything that can sit in an object-typed slot: parameter values, attribute values, shared variables. */
export type Value =
  | null
  | string
  | number
  | boolean
  | Decimal
  | DateTimeValue
  | GuidValue
  | Int64Value
  | DoubleValue
  | OptionSetValue
  | OptionSetValueCollection
  | Money
  | KeyValuePairValue
  | EntityReference
  | Entity
  | EntityCollection
  | QueryExpression
  | ColumnSet
  | UnknownValue
  | Value[];

/** What the factories accept in place of a Value: JS Dates become UTC DateTimeValues. */
export type ValueInput = Value | Date;

export function toValue(input: ValueInput): Value {
  return input instanceof Date ? new DateTimeValue(input.getTime()) : input;
}

export const decimal = (value: string | number): Decimal => new Decimal(value);
export const money = (value: string | number | Decimal): Money => new Money(value instanceof Decimal ? value : new Decimal(value));
export const optionSetValue = (value: number): OptionSetValue => new OptionSetValue(value);
export const optionSetValues = (...values: number[]): OptionSetValueCollection =>
  new OptionSetValueCollection(values.map((value) => new OptionSetValue(value)));
export const guid = (value: string): GuidValue => new GuidValue(value);
export const int64 = (value: number): Int64Value => new Int64Value(value);
export const double = (value: number): DoubleValue => new DoubleValue(value);
export const keyValuePair = (key: string, value: Value): KeyValuePairValue => new KeyValuePairValue(key, value);

/** A DateTime from a JS Date / ISO text / epoch ms; with `offset` (`+0200`) it is local kind. */
export function dateTime(at: Date | string | number, offset: UtcOffset | null = null): DateTimeValue {
  const ms = at instanceof Date ? at.getTime() : typeof at === "number" ? at : Date.parse(at);
  if (Number.isNaN(ms)) throw new PipelineError("InvalidFormat", `"${String(at)}" is not a date`);
  return new DateTimeValue(ms, offset);
}
