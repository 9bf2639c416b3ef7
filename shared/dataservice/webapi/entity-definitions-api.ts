import { DATAVERSE_SPECIFIC_CODES, PipelineError } from "../../errors";
import { metadataId, toAttributeMetadata, toEntityMetadata } from "../metadata/entity-metadata";
import { readAttributeMetadata, readEntityMetadata } from "../metadata/read-metadata";
import type { MetadataService } from "../metadata-service";
import type { RequestScope } from "../record-service";
import { emptyResponse, jsonResponse, methodNotAllowed, readJsonBody, resourceNotFound, type WebApiRequest, type WebApiResponse } from "./http";
import { checkMetadataOptions, queryMetadata, selectMetadata } from "./metadata-query";
import type { ApiLocation } from "./records-api";

/** `EntityDefinitions`, `EntityDefinitions(LogicalName='x')` and `…/Attributes`. */
export class EntityDefinitionsApi {
  constructor(private readonly metadata: MetadataService) {}

  async handle(scope: RequestScope, location: ApiLocation, segments: string[], request: WebApiRequest): Promise<WebApiResponse> {
    const [head, child, ...rest] = segments;
    const key = /^EntityDefinitions(?:\((?:LogicalName=)?'([^']+)'\))?$/.exec(head);
    if (!key || rest.length > 0 || (child !== undefined && child !== "Attributes")) throw resourceNotFound(segments.join("/"));
    const logicalName = key[1];
    const context = `${location.baseUrl}$metadata#EntityDefinitions`;
    if (logicalName === undefined) {
      if (request.method === "GET") {
        checkMetadataOptions(request, ["$select", "$filter", "$expand"]);
        const value = scope.organization.catalog.tables.map((table) => toEntityMetadata(table, expandsAttributes(request)));
        return jsonResponse(200, { "@odata.context": context, value: queryMetadata("EntityMetadata", value, request) });
      }
      if (request.method === "POST") {
        const table = await this.metadata.createTable(scope, readEntityMetadata(readJsonBody(request)));
        return emptyResponse(204, { "OData-EntityId": `${location.baseUrl}EntityDefinitions(${metadataId(table.logicalName)})` });
      }
      throw methodNotAllowed(request.method);
    }
    const table = scope.organization.catalog.table(logicalName);
    if (!table) throw new PipelineError("NotFound", `Could not find entity with logical name '${logicalName}'.`, { dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError });
    if (child === "Attributes") {
      if (request.method === "GET") {
        checkMetadataOptions(request, ["$select", "$filter"]);
        const value = table.columns.map((column) => toAttributeMetadata(table, column));
        return jsonResponse(200, { "@odata.context": `${context}('${logicalName}')/Attributes`, value: queryMetadata("AttributeMetadata", value, request) });
      }
      if (request.method === "POST") {
        const column = await this.metadata.addColumn(scope, table, readAttributeMetadata(readJsonBody(request)));
        return emptyResponse(204, { "OData-EntityId": `${location.baseUrl}EntityDefinitions(${metadataId(table.logicalName)})/Attributes(${metadataId(table.logicalName, column.logicalName)})` });
      }
      throw methodNotAllowed(request.method);
    }
    if (request.method !== "GET") throw methodNotAllowed(request.method);
    checkMetadataOptions(request, ["$select", "$expand"]);
    return jsonResponse(200, { "@odata.context": `${context}/$entity`, ...selectMetadata("EntityMetadata", toEntityMetadata(table, expandsAttributes(request)), request) });
  }
}

function expandsAttributes(request: WebApiRequest): boolean {
  return /(^|,)\s*Attributes\b/.test(request.url.searchParams.get("$expand") ?? "");
}
