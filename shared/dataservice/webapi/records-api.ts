import type { ColumnDefinition } from "../metadata/columns";
import type { TableDefinition } from "../metadata/tables";
import { parseEdm } from "../metadata/edm";
import { webApiPropertyName } from "../metadata/validate";
import { columnSetOf, parseQuery, parseSelect, type PageToken } from "../query/query";
import { queryError } from "../query/conditions";
import type { RecordOperations, RequestScope } from "../record-service";
import type { StoredRecord } from "../store/records";
import { emptyResponse, jsonResponse, methodNotAllowed, readJsonBody, textResponse, type WebApiRequest, type WebApiResponse } from "./http";
import { readPreferences, type AnnotationFilter } from "./preferences";
import { ANNOTATIONS, lookupsOf, toWebApiEntity } from "./representation";
import { readEntityBody } from "./request-body";

/** Dataverse counts matching rows up to 5,000 (Microsoft Learn, Count rows using OData): more count as 5,000. */
const COUNT_LIMIT = 5_000;

function countedRows(total: number | undefined): number | undefined {
  return total === undefined ? undefined : Math.min(total, COUNT_LIMIT);
}

/** Where the organization's Web API lives, e.g. `http://127.0.0.1:7071/contoso/api/data/v9.2/`. */
export interface ApiLocation {
  baseUrl: string;
}

/** The record operations of the Web API on one entity set: `/{set}` and `/{set}({id})`. */
export class RecordsApi {
  constructor(private readonly records: RecordOperations) {}

  async collection(scope: RequestScope, location: ApiLocation, table: TableDefinition, request: WebApiRequest): Promise<WebApiResponse> {
    if (request.method === "POST") return this.create(scope, location, table, request);
    if (request.method === "GET") return this.retrieveMultiple(scope, location, table, request);
    throw methodNotAllowed(request.method);
  }

  /**
   * `/{set}/$count`: how many rows there are (that `$filter` keeps), as plain text: a RetrieveMultiple that
   * asks for the total record count, as `$count=true` does.
   */
  async count(scope: RequestScope, table: TableDefinition, request: WebApiRequest): Promise<WebApiResponse> {
    if (request.method !== "GET") throw methodNotAllowed(request.method);
    const { [TAG_PARAMETER]: _tag, ...options } = Object.fromEntries(request.url.searchParams);
    const unsupported = Object.keys(options).find((name) => name !== "$filter");
    if (unsupported) throw queryError(`The query parameter ${unsupported} is not supported with /$count.`);
    const page = await this.records.retrieveMultiple(scope, table, parseQuery(table, { ...options, $count: "true" }).query, { size: 1 });
    return textResponse(String(countedRows(page.total) ?? 0));
  }

  async single(scope: RequestScope, location: ApiLocation, table: TableDefinition, id: string, request: WebApiRequest): Promise<WebApiResponse> {
    switch (request.method) {
      case "GET":
        return this.retrieve(scope, location, table, id, request);
      case "PATCH":
        return this.update(scope, location, table, id, request);
      case "DELETE":
        await this.records.delete(scope, table, id, request.header("If-Match") ?? undefined);
        return emptyResponse(204);
      default:
        throw methodNotAllowed(request.method);
    }
  }

  private async create(scope: RequestScope, location: ApiLocation, table: TableDefinition, request: WebApiRequest): Promise<WebApiResponse> {
    const values = readEntityBody(scope.organization.catalog, table, readJsonBody(request), true);
    const record = await this.records.create(scope, table, values);
    return this.written(scope, location, table, record, request, 201);
  }

  /**
   * PATCH is an upsert in Dataverse: a missing row is created with that id (201 under
   * return=representation). `If-Match: *` or an etag forbids the create; `If-None-Match: *` forbids the update.
   * Create or update is decided on the row as read before any step runs, so an upsert runs either the
   * Create or the Update message's steps, never both; the Update reuses that read (no extra round trip unless
   * top-level pre-validation steps ran: their own calls commit on their own, so the pipeline reads the row again).
   */
  private async update(scope: RequestScope, location: ApiLocation, table: TableDefinition, id: string, request: WebApiRequest): Promise<WebApiResponse> {
    const ifMatch = request.header("If-Match") ?? undefined;
    const values = readEntityBody(scope.organization.catalog, table, readJsonBody(request), false);
    const current = request.header("If-None-Match") === "*" || ifMatch ? undefined : await this.records.read(scope, table, id);
    if (request.header("If-None-Match") === "*" || (!ifMatch && !current)) {
      const created = await this.records.create(scope, table, { ...values, [table.primaryIdAttribute]: id });
      return this.written(scope, location, table, created, request, 201);
    }
    return this.written(scope, location, table, await this.records.update(scope, table, id, values, ifMatch, { current }), request, 200);
  }

  /** 204 with OData-EntityId, or the row itself under `Prefer: return=representation`. */
  private async written(
    scope: RequestScope,
    location: ApiLocation,
    table: TableDefinition,
    record: StoredRecord,
    request: WebApiRequest,
    representationStatus: number,
  ): Promise<WebApiResponse> {
    const entityId = `${location.baseUrl}${table.entitySetName}(${record.id})`;
    const preferences = readPreferences(request.header("Prefer"));
    if (!preferences.returnRepresentation) return emptyResponse(204, { "OData-EntityId": entityId });
    const selectText = request.url.searchParams.get("$select");
    const select = selectText === null ? undefined : parseSelect(table, selectText);
    const body = await this.represent(scope, table, [record], select, preferences.annotations);
    return jsonResponse(
      representationStatus,
      { "@odata.context": `${location.baseUrl}$metadata#${contextPath(table, select)}/$entity`, ...body[0] },
      { "OData-EntityId": entityId, ...preferenceApplied("return=representation", preferences.annotations?.preference), ETag: record.etag },
    );
  }

  private async retrieve(scope: RequestScope, location: ApiLocation, table: TableDefinition, id: string, request: WebApiRequest): Promise<WebApiResponse> {
    const options = Object.fromEntries(request.url.searchParams);
    const unsupported = Object.keys(options).find((name) => name !== "$select" && name !== TAG_PARAMETER);
    if (unsupported) throw queryError(`The query parameter ${unsupported} is not supported when retrieving one row.`);
    const select = options.$select === undefined ? undefined : parseSelect(table, options.$select);
    const record = await this.records.retrieve(scope, table, id, { columnSet: columnSetOf(select) });
    const preferences = readPreferences(request.header("Prefer"));
    // Annotations may show related rows' values, whose changes the etag does not follow: never 304 then, as in Dataverse.
    if (request.header("If-None-Match") === record.etag && !preferences.annotations) return emptyResponse(304);
    const [body] = await this.represent(scope, table, [record], select, preferences.annotations);
    return jsonResponse(
      200,
      { "@odata.context": `${location.baseUrl}$metadata#${contextPath(table, select)}/$entity`, ...body },
      { ETag: record.etag, ...preferenceApplied(preferences.annotations?.preference) },
    );
  }

  private async retrieveMultiple(scope: RequestScope, location: ApiLocation, table: TableDefinition, request: WebApiRequest): Promise<WebApiResponse> {
    const { [TAG_PARAMETER]: _tag, ...options } = Object.fromEntries(request.url.searchParams);
    const { query, select } = parseQuery(table, options);
    const preferences = readPreferences(request.header("Prefer"));
    // Dataverse ignores an odata.maxpagesize over 5,000, and ignores $top when it pages by odata.maxpagesize
    // ("If you include both, $top is ignored": Microsoft Learn, Page results using OData).
    const maxPageSize = preferences.maxPageSize !== undefined && preferences.maxPageSize <= MAX_PAGE_SIZE ? preferences.maxPageSize : undefined;
    if (maxPageSize !== undefined) delete query.topCount;
    const pageSize = query.topCount ?? maxPageSize ?? MAX_PAGE_SIZE;
    const page = await this.records.retrieveMultiple(scope, table, query, { size: Math.min(pageSize, MAX_PAGE_SIZE), token: readSkipToken(options.$skiptoken) });
    const body: Record<string, unknown> = { "@odata.context": `${location.baseUrl}$metadata#${contextPath(table, select)}` };
    const counted = countedRows(page.total);
    if (counted !== undefined) body["@odata.count"] = counted;
    // Dataverse's own count annotations: -1 without $count=true; whether more rows matched than it counts.
    if (preferences.annotations?.includes(ANNOTATIONS.totalRecordCount)) body[`@${ANNOTATIONS.totalRecordCount}`] = counted ?? -1;
    if (preferences.annotations?.includes(ANNOTATIONS.totalRecordCountLimitExceeded)) body[`@${ANNOTATIONS.totalRecordCountLimitExceeded}`] = page.total !== undefined && page.total > COUNT_LIMIT;
    body.value = await this.represent(scope, table, page.records, select, preferences.annotations);
    if (page.next) body["@odata.nextLink"] = nextLink(request.url, writeSkipToken(page.next));
    return jsonResponse(200, body, preferenceApplied(maxPageSize === undefined ? undefined : `odata.maxpagesize=${maxPageSize}`, preferences.annotations?.preference));
  }

  private async represent(
    scope: RequestScope,
    table: TableDefinition,
    records: StoredRecord[],
    select: ColumnDefinition[] | undefined,
    annotations: AnnotationFilter | undefined,
  ): Promise<Record<string, unknown>[]> {
    const lookupNames = annotations?.includes(ANNOTATIONS.formattedValue) ? await this.records.lookupNames(scope, lookupsOf(table, records, select)) : undefined;
    return records.map((record) => toWebApiEntity(table, record, { select, annotations, lookupNames }));
  }
}

/** `Preference-Applied` naming the preferences a response honoured (none: no header). */
function preferenceApplied(...applied: (string | undefined)[]): Record<string, string> {
  const honoured = applied.filter((preference): preference is string => preference !== undefined);
  return honoured.length > 0 ? { "Preference-Applied": honoured.join(",") } : {};
}

/** `?tag=…`: a value the caller hands to plug-ins as the shared variable `tag` (see RequestScope). */
export const TAG_PARAMETER = "tag";

/** Dataverse's largest page, and the page size without odata.maxpagesize. */
const MAX_PAGE_SIZE = 5000;

/** The context URL fragment: `accounts` or, with $select, `accounts(name,revenue)`. */
function contextPath(table: TableDefinition, select: ColumnDefinition[] | undefined): string {
  return select ? `${table.entitySetName}(${select.map(webApiPropertyName).join(",")})` : table.entitySetName;
}

/**
 * The request's URL with `$skiptoken` set: its other query options exactly as the client wrote them, since
 * clients follow `@odata.nextLink` as it is and may compare it with the query they sent.
 */
function nextLink(url: URL, skipToken: string): string {
  const kept = url.search.replace(/^\?/, "").split("&").filter((option) => option !== "" && !/^(\$|%24)skiptoken=/i.test(option));
  return `${url.origin}${url.pathname}?${[...kept, `$skiptoken=${skipToken}`].join("&")}`;
}

/** Our paging cookie (opaque to clients, like Dataverse's): the page token as base64url JSON. */
function writeSkipToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

function readSkipToken(text: string | undefined): PageToken | undefined {
  if (text === undefined) return undefined;
  try {
    const token = JSON.parse(Buffer.from(text, "base64url").toString()) as Record<string, unknown>;
    if (Number.isInteger(token.offset) && (token.offset as number) >= 0) return { offset: token.offset as number };
    if (typeof token.after === "string" && parseEdm.guid(token.after) && Number.isInteger(token.taken)) return { after: token.after, taken: token.taken as number };
  } catch {
    // reported below
  }
  throw queryError("The $skiptoken is not one this service issued.");
}
