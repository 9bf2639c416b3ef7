import { DATAVERSE_SPECIFIC_CODES, PipelineError } from "../../errors";
import type { TableDefinition } from "../metadata/tables";
import { resolveColumnReference, webApiPropertyName } from "../metadata/validate";
import type { RecordOperations, RequestScope } from "../record-service";
import { emptyResponse, jsonResponse, methodNotAllowed, readJsonBody, type WebApiRequest, type WebApiResponse } from "./http";
import type { ApiLocation } from "./records-api";
import { toWebApiEntity } from "./representation";
import { readEntityBody } from "./request-body";

/**
 * One column of one row: `/{set}({id})/{property}`. GET reads it (`{"value": …}`, 204 when null); PUT with
 * `{"value": …}` updates that column alone and DELETE clears it, each an Update message through the same
 * validation and pipeline as a PATCH of that column (no upsert: a missing row is 404).
 */
export class PropertyApi {
  constructor(private readonly records: RecordOperations) {}

  async handle(scope: RequestScope, location: ApiLocation, table: TableDefinition, id: string, property: string, request: WebApiRequest): Promise<WebApiResponse> {
    switch (request.method) {
      case "GET":
        return this.read(scope, location, table, id, property);
      case "PUT":
        return this.write(scope, table, id, { [property]: readValueBody(request) }, request);
      case "DELETE":
        return this.write(scope, table, id, { [property]: null }, request);
      default:
        throw methodNotAllowed(request.method);
    }
  }

  private async read(scope: RequestScope, location: ApiLocation, table: TableDefinition, id: string, property: string): Promise<WebApiResponse> {
    const column = resolveColumnReference(table, property);
    const record = await this.records.retrieve(scope, table, id);
    const value = toWebApiEntity(table, record, { select: [column] })[webApiPropertyName(column)];
    if (value === null || value === undefined) return emptyResponse(204);
    return jsonResponse(200, { "@odata.context": `${location.baseUrl}$metadata#${table.entitySetName}(${id})/${property}`, value });
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
