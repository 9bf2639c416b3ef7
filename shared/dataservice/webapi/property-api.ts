import { DATAVERSE_SPECIFIC_CODES, PipelineError } from "../../errors";
import { columnSet } from "../../model";
import type { TableDefinition } from "../metadata/tables";
import { isLookupType } from "../metadata/columns";
import { resolveColumnReference, unknownPropertyError, webApiPropertyName } from "../metadata/validate";
import type { RecordOperations, RequestScope } from "../record-service";
import { isLookupValue } from "../store/records";
import { emptyResponse, jsonResponse, methodNotAllowed, readJsonBody, textResponse, type WebApiRequest, type WebApiResponse } from "./http";
import type { ApiLocation, RecordsApi } from "./records-api";
import { toWebApiEntity } from "./representation";
import { findNavigationProperty, type NavigationProperty } from "./navigation-properties";
import { readEntityBody } from "./request-body";

/** What may follow a property segment: its raw value, or (for a single-valued navigation property) the reference. */
export type PropertySuffix = "$value" | "$ref" | undefined;

/**
 * One column of one row: `/{set}({id})/{property}`. GET reads it (`{"value": …}`, 204 when null; with
 * `/$value` the bare value as text); PUT with `{"value": …}` updates that column alone and DELETE clears it,
 * each an Update message through the same validation and pipeline as a PATCH of that column (no upsert: a
 * missing row is 404). `/{set}({id})/{navigation property}/$ref` reads (GET), sets (PUT `{"@odata.id": …}`)
 * or removes (DELETE) a lookup's reference, the same Update as a PATCH with `…@odata.bind`; GET of the
 * navigation property itself reads the row it refers to. A navigation property is named exactly as
 * `$metadata` declares it (`parentcustomerid_account`); any other name of a lookup is an unknown property.
 */
export class PropertyApi {
  constructor(
    private readonly records: RecordOperations,
    private readonly rows: RecordsApi,
  ) {}

  async handle(
    scope: RequestScope,
    location: ApiLocation,
    table: TableDefinition,
    id: string,
    property: string,
    suffix: PropertySuffix,
    request: WebApiRequest,
  ): Promise<WebApiResponse> {
    const navigation = findNavigationProperty(scope.organization.catalog, table, property);
    if (suffix === "$ref") return this.reference(scope, location, table, id, declared(table, property, navigation), request);
    switch (request.method) {
      case "GET":
        if (!suffix && navigation) return this.related(scope, location, table, id, navigation, request);
        return this.read(scope, location, table, id, property, suffix === "$value");
      case "PUT":
        if (suffix) break;
        refuseLookup(table, property, navigation);
        return this.write(scope, table, id, { [property]: readValueBody(request) }, request);
      case "DELETE":
        if (suffix) break;
        refuseLookup(table, property, navigation);
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

  /** `GET /{set}({id})/{navigation property}`: the row the lookup refers to, read as `GET /{its set}({its id})` reads it (`$select`, annotations); 204 when none. */
  private async related(scope: RequestScope, location: ApiLocation, table: TableDefinition, id: string, navigation: NavigationProperty, request: WebApiRequest): Promise<WebApiResponse> {
    const referenced = await this.referencedRow(scope, table, id, navigation);
    return referenced ? this.rows.single(scope, location, referenced.table, referenced.id, request) : emptyResponse(204);
  }

  private async reference(scope: RequestScope, location: ApiLocation, table: TableDefinition, id: string, navigation: NavigationProperty, request: WebApiRequest): Promise<WebApiResponse> {
    switch (request.method) {
      case "GET": {
        const referenced = await this.referencedRow(scope, table, id, navigation);
        if (!referenced) return emptyResponse(204);
        return jsonResponse(200, { "@odata.context": `${location.baseUrl}$metadata#$ref`, "@odata.id": `${location.baseUrl}${referenced.table.entitySetName}(${referenced.id})` });
      }
      case "PUT":
        return this.write(scope, table, id, { [`${navigation.name}@odata.bind`]: readReferenceBody(request, location) }, request);
      case "DELETE":
        return this.write(scope, table, id, { [`${navigation.name}@odata.bind`]: null }, request);
      default:
        throw methodNotAllowed(request.method);
    }
  }

  /** The row a navigation property of a row refers to; none for a lookup to another table than the property names (`parentcustomerid_contact` of an account customer). */
  private async referencedRow(scope: RequestScope, table: TableDefinition, id: string, navigation: NavigationProperty): Promise<{ table: TableDefinition; id: string } | undefined> {
    const { column, target } = navigation;
    if (column.writeOnly) throw unknownPropertyError(table, navigation.name);
    const record = await this.records.retrieve(scope, table, id, { columnSet: columnSet(column.logicalName) });
    const value = record.values[column.logicalName];
    if (!isLookupValue(value) || value.logicalName !== target.logicalName) return undefined;
    return { table: target, id: value.id };
  }

  private async write(scope: RequestScope, table: TableDefinition, id: string, body: Record<string, unknown>, request: WebApiRequest): Promise<WebApiResponse> {
    const values = readEntityBody(scope.organization.catalog, table, body, false);
    await this.records.update(scope, table, id, values, request.header("If-Match") ?? undefined);
    return emptyResponse(204);
  }
}

/** The navigation property a `…/{name}/$ref` names; any other name is an unknown property (400). */
function declared(table: TableDefinition, property: string, navigation: NavigationProperty | undefined): NavigationProperty {
  if (!navigation) throw unknownPropertyError(table, property);
  return navigation;
}

/**
 * A lookup is set or cleared through its reference (`…/$ref`), never as a single property, as in Dataverse;
 * a lookup's column name that is no declared navigation property (`parentcustomerid`) is no property at all.
 */
function refuseLookup(table: TableDefinition, property: string, navigation: NavigationProperty | undefined): void {
  if (!navigation) {
    if (table.columns.some((column) => column.logicalName === property && isLookupType(column.type))) throw unknownPropertyError(table, property);
    return;
  }
  throw new PipelineError("ValidationFailed", `'${property}' is a navigation property: set or remove the reference with PUT or DELETE on ${table.entitySetName}({id})/${property}/$ref.`, {
    path: property,
    dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError,
  });
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
/** `{set}({key})`, with a leading `/` or not: a row of this organization's Web API. */
const ROW_REFERENCE = /^\/?[A-Za-z_][A-Za-z0-9_]*\([^()/]*\)$/;

/**
 * The row a `$ref` PUT names (`{"@odata.id": …}`): `{set}({key})`, `/{set}({key})` or its URL under this
 * organization's Web API (any served version), handed on as a bind; anything else is refused here, so
 * another organization's URL never binds a row of this one.
 */
function readReferenceBody(request: WebApiRequest, location: ApiLocation): string {
  const body = readJsonBody(request);
  const reference = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)["@odata.id"] : undefined;
  if (typeof reference !== "string") {
    throw new PipelineError("InvalidFormat", `The request body of a PUT to a $ref must be a JSON object with an '@odata.id' string, e.g. {"@odata.id": "accounts(00000000-0000-0000-0000-000000000001)"}.`, {
      dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError,
    });
  }
  const apiRoot = location.baseUrl.replace(/v9\.[012]\/$/, "");
  const versioned = reference.startsWith(apiRoot) ? /^v9\.[012]\/(.*)$/.exec(reference.slice(apiRoot.length))?.[1] : reference;
  if (versioned === undefined || !ROW_REFERENCE.test(versioned)) {
    throw new PipelineError("InvalidFormat", `'@odata.id' must name a row of this organization: '{entityset}({id})' or its URL under ${location.baseUrl}.`, {
      dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError,
    });
  }
  return versioned.startsWith("/") ? versioned : `/${versioned}`;
}
