import { DATAVERSE_SPECIFIC_CODES, PipelineError } from "../../errors";
import { columnSet } from "../../model";
import type { TableDefinition } from "../metadata/tables";
import { navigationPropertyName, resolveColumnReference, unknownPropertyError, webApiPropertyName } from "../metadata/validate";
import type { RecordOperations, RequestScope } from "../record-service";
import { isLookupValue } from "../store/records";
import { emptyResponse, jsonResponse, methodNotAllowed, readJsonBody, textResponse, type WebApiRequest, type WebApiResponse } from "./http";
import type { ApiLocation } from "./records-api";
import { toWebApiEntity } from "./representation";
import { navigationColumn, readEntityBody } from "./request-body";

/** What may follow a property segment: its raw value, or (for a single-valued navigation property) the reference. */
export type PropertySuffix = "$value" | "$ref" | undefined;

/**
 * One column of one row: `/{set}({id})/{property}`. GET reads it (`{"value": …}`, 204 when null; with
 * `/$value` the bare value as text); PUT with `{"value": …}` updates that column alone and DELETE clears it,
 * each an Update message through the same validation and pipeline as a PATCH of that column (no upsert: a
 * missing row is 404). `/{set}({id})/{navigation property}/$ref` reads (GET), sets (PUT `{"@odata.id": …}`)
 * or removes (DELETE) a lookup's reference, the same Update as a PATCH with `…@odata.bind`.
 */
export class PropertyApi {
  constructor(private readonly records: RecordOperations) {}

  async handle(
    scope: RequestScope,
    location: ApiLocation,
    table: TableDefinition,
    id: string,
    property: string,
    suffix: PropertySuffix,
    request: WebApiRequest,
  ): Promise<WebApiResponse> {
    if (suffix === "$ref") return this.reference(scope, location, table, id, property, request);
    switch (request.method) {
      case "GET":
        return this.read(scope, location, table, id, property, suffix === "$value");
      case "PUT":
        if (suffix) break;
        return this.write(scope, table, id, { [property]: readValueBody(request) }, request);
      case "DELETE":
        if (suffix) break;
        return this.write(scope, table, id, { [property]: null }, request);
    }
    throw methodNotAllowed(request.method);
  }

  private async read(scope: RequestScope, location: ApiLocation, table: TableDefinition, id: string, property: string, raw: boolean): Promise<WebApiResponse> {
    const column = resolveColumnReference(table, property);
    const record = await this.records.retrieve(scope, table, id);
    const value = toWebApiEntity(table, record, { select: [column] })[webApiPropertyName(column)];
    if (value === null || value === undefined) return emptyResponse(204);
    if (raw) return textResponse(String(value));
    return jsonResponse(200, { "@odata.context": `${location.baseUrl}$metadata#${table.entitySetName}(${id})/${property}`, value });
  }

  private async reference(scope: RequestScope, location: ApiLocation, table: TableDefinition, id: string, property: string, request: WebApiRequest): Promise<WebApiResponse> {
    switch (request.method) {
      case "GET": {
        const column = navigationColumn(table, property);
        if (!column || column.writeOnly) throw unknownPropertyError(table, property);
        const record = await this.records.retrieve(scope, table, id, { columnSet: columnSet(column.logicalName) });
        const value = record.values[column.logicalName];
        // `parentcustomerid_contact` of a row whose customer is an account refers to nothing.
        const target = isLookupValue(value) && [column.logicalName, navigationPropertyName(column, value.logicalName)].includes(property) ? scope.organization.catalog.table(value.logicalName) : undefined;
        if (!isLookupValue(value) || !target) return emptyResponse(204);
        return jsonResponse(200, { "@odata.context": `${location.baseUrl}$metadata#$ref`, "@odata.id": `${location.baseUrl}${target.entitySetName}(${value.id})` });
      }
      case "PUT":
        return this.write(scope, table, id, { [`${property}@odata.bind`]: readReferenceBody(request) }, request);
      case "DELETE":
        return this.write(scope, table, id, { [`${property}@odata.bind`]: null }, request);
      default:
        throw methodNotAllowed(request.method);
    }
  }

  private async write(scope: RequestScope, table: TableDefinition, id: string, body: Record<string, unknown>, request: WebApiRequest): Promise<WebApiResponse> {
    const values = readEntityBody(scope.organization.catalog, table, body, false);
    await this.records.update(scope, table, id, values, request.header("If-Match") ?? undefined);
    return emptyResponse(204);
  }
}

/** A single-property PUT's body: `{"value": …}`. */
function readValueBody(request: WebApiRequest): unknown {
  const body = readJsonBody(request);
  if (typeof body !== "object" || body === null || Array.isArray(body) || !("value" in body)) {
    throw new PipelineError("InvalidFormat", `The request body of a PUT to a property must be a JSON object with a 'value' property, e.g. {"value": "new value"}.`, {
      dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError,
    });
  }
  return (body as { value: unknown }).value;
}

/** A reference PUT's body: `{"@odata.id": "accounts(…)"}` (a relative or absolute URL of the row). */
function readReferenceBody(request: WebApiRequest): string {
  const body = readJsonBody(request);
  const reference = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)["@odata.id"] : undefined;
  if (typeof reference !== "string") {
    throw new PipelineError("InvalidFormat", `The request body of a PUT to a $ref must be a JSON object with an '@odata.id' string, e.g. {"@odata.id": "accounts(00000000-0000-0000-0000-000000000001)"}.`, {
      dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError,
    });
  }
  return reference;
}
