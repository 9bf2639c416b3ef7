import { PipelineError } from "../errors";
import type { ColumnSet, ParameterCollection, QueryExpression, Value } from "../model";

/**
 * The query inputs of Retrieve (`ColumnSet`) and RetrieveMultiple (`Query`) as the main operation reads
 * them after stages 10 and 20: a step may change them in place or replace them (§A.4). Anything else in
 * their place (a FetchExpression, a QueryByAttribute, nothing) is refused: this service runs QueryExpressions.
 */
export function queryParameter(inputs: ParameterCollection): QueryExpression {
  const query = inputs.get("Query");
  if (!isOfKind(query, "QueryExpression")) throw new PipelineError("ValidationFailed", "The Query input parameter of RetrieveMultiple must be a QueryExpression.", { path: "Query" });
  return query;
}

export function columnSetParameter(inputs: ParameterCollection): ColumnSet {
  const columns = inputs.get("ColumnSet");
  if (!isOfKind(columns, "ColumnSet")) throw new PipelineError("ValidationFailed", "The ColumnSet input parameter of Retrieve must be a ColumnSet.", { path: "ColumnSet" });
  return columns;
}

function isOfKind<K extends "QueryExpression" | "ColumnSet">(value: Value | undefined, kind: K): value is Extract<Value, { kind: K }> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && value.kind === kind;
}
