import { correlationIdOf, DATAVERSE_SPECIFIC_CODES, errorLogText, PipelineError, toPipelineError } from "../../errors";
import { parseEdm } from "../metadata/edm";
import { ENTITY_SET_NAME_PATTERN, RESERVED_ENTITY_SET_NAMES } from "../metadata/tables";
import type { OrganizationDirectory } from "../organizations/organization-context";
import type { DataServiceSettings } from "../organizations/settings";
import type { RecordOperations, RequestScope } from "../record-service";
import type { MetadataService } from "../metadata-service";
import { resolveCaller } from "../security/caller";
import { EntityDefinitionsApi } from "./entity-definitions-api";
import { errorResponse, jsonResponse, methodNotAllowed, resourceNotFound, textResponse, type WebApiRequest, type WebApiResponse } from "./http";
import { checkMetadataOptions } from "./metadata-query";
import { metadataDocument } from "./metadata-document";
import { PropertyApi } from "./property-api";
import { RecordsApi, TAG_PARAMETER, type ApiLocation } from "./records-api";

/**
 * `/{org}/api/data/{version}/{path}`: the route the Functions registration and any adapter share. Versions
 * v9.0, v9.1 and v9.2 are served alike ("code written for v9.0 will continue to work … when you reference
 * v9.0 in the URL": Microsoft Learn, Compose HTTP requests and handle errors); any other is a 404.
 */
export const WEB_API_ROUTE = "{org}/api/data/{version}/{*path}";
const PATH = /^\/([^/]+)\/api\/data\/(v9\.[012])(?:\/(.*))?$/;
const ENTITY_KEY = new RegExp(`^(${ENTITY_SET_NAME_PATTERN})(?:\\(([^)]*)\\))?$`);
const METADATA = "$metadata";

/** A request the Web API failed on the server's side (5xx): what identifies it, never its query or body. */
export interface ServerFailure {
  method: string;
  path: string;
  status: number;
  /** The organization the path names. */
  organization?: string;
  /** The correlation of the pipeline execution that failed, when one had started. */
  correlationId?: string;
  /** The PipelineError code. */
  errorCode: string;
  /** `The Web API failed on {method} {path} ({status}): {error and causes, credentials masked}`. */
  text: string;
}

/** Where the Web API reports a request it failed on the server's side: the Functions adapter passes the structured log. */
export type ServerErrorLog = (failure: ServerFailure) => void;

/** A path segment without its percent-encoding; malformed encoding (`%ZZ`, a cut UTF-8 sequence) is the caller's 400. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new PipelineError("InvalidFormat", `The URL segment '${segment}' is not valid percent-encoding.`, { cause: error, dataverseCode: DATAVERSE_SPECIFIC_CODES.ODataError });
  }
}

function serverFailure(request: WebApiRequest, status: number, error: unknown): ServerFailure {
  const { method, url } = request;
  // Cannot throw: a 5xx comes from past the router's decoding of this same segment (malformed, it is the caller's 400).
  const organization = decodeSegment(PATH.exec(url.pathname)?.[1] ?? "") || undefined;
  const text = `The Web API failed on ${method} ${url.pathname} (${status}): ${errorLogText(error)}`;
  return { method, path: url.pathname, status, organization, correlationId: correlationIdOf(error), errorCode: toPipelineError(error).code, text };
}

/** The Dataverse Web API (OData v4 JSON) of every declared organization. Never throws: errors become responses. */
export class DataverseWebApi {
  private readonly recordsApi: RecordsApi;
  private readonly propertyApi: PropertyApi;
  private readonly definitionsApi: EntityDefinitionsApi;

  constructor(
    private readonly directory: OrganizationDirectory,
    records: RecordOperations,
    metadata: MetadataService,
    private readonly settings: DataServiceSettings,
  ) {
    this.recordsApi = new RecordsApi(records);
    this.propertyApi = new PropertyApi(records, this.recordsApi);
    this.definitionsApi = new EntityDefinitionsApi(metadata);
  }

  /** `logServerError` hears of every request the service failed on its side (5xx); the caller's mistakes (4xx) are answered only. */
  async handle(request: WebApiRequest, logServerError: ServerErrorLog = () => undefined): Promise<WebApiResponse> {
    try {
      return await this.route(request);
    } catch (error) {
      const response = errorResponse(error, request.header("Prefer"));
      // The method and path only: the query may carry a function key, the body anything.
      if (response.status >= 500) logServerError(serverFailure(request, response.status, error));
      return response;
    }
  }

  private async route(request: WebApiRequest): Promise<WebApiResponse> {
    const match = PATH.exec(request.url.pathname);
    if (!match) throw resourceNotFound(request.url.pathname);
    const organizationName = decodeSegment(match[1]);
    let organization = await this.directory.get(organizationName);
    let caller = resolveCaller(organization, (name) => request.header(name), this.settings.allowAnonymousAsAdmin);
    const segments = (match[3] ?? "").split("/").filter(Boolean).map(decodeSegment);
    const key = segments.length <= 3 ? ENTITY_KEY.exec(segments[0] ?? "") : null;
    // A table created through another instance is in a context loaded since: reloaded once when this one lacks it
    // (or, for `$metadata`, which lists every table, may lack it; reloads are at most one a second).
    if ((key && !RESERVED_ENTITY_SET_NAMES.has(key[1]) && !organization.catalog.tableBySetName(key[1])) || (segments[0] === METADATA && request.method === "GET")) {
      organization = await this.directory.refresh(organizationName, organization);
      caller = resolveCaller(organization, (name) => request.header(name), this.settings.allowAnonymousAsAdmin);
    }
    const tag = request.url.searchParams.get(TAG_PARAMETER);
    const userAgent = request.header("User-Agent");
    const scope: RequestScope = { organization, caller, ...(tag !== null && { tag }), ...(userAgent && { userAgent }) };
    const location: ApiLocation = { baseUrl: `${request.url.origin}/${match[1]}/api/data/${match[2]}/` };

    if (segments.length === 0) return this.serviceDocument(scope, location, request);
    if (segments[0] === "WhoAmI" || segments[0] === "WhoAmI()") {
      return jsonResponse(200, {
        "@odata.context": `${location.baseUrl}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
        BusinessUnitId: caller.businessUnitId,
        UserId: caller.userId,
        OrganizationId: organization.organizationId,
      });
    }
    if (segments[0] === METADATA) {
      if (segments.length > 1) throw resourceNotFound(segments[1]);
      return this.metadataDocument(scope, request);
    }
    if (segments[0].startsWith("EntityDefinitions")) return this.definitionsApi.handle(scope, location, segments, request);

    const table = key ? organization.catalog.tableBySetName(key[1]) : undefined;
    if (!key || !table) throw resourceNotFound(segments[0]);
    if (key[2] === undefined) {
      if (segments.length === 2 && segments[1] === "$count") return this.recordsApi.count(scope, table, request);
      if (segments.length > 1) throw resourceNotFound(segments[1]);
      return this.recordsApi.collection(scope, location, table, request);
    }
    const id = parseEdm.guid(key[2].replace(new RegExp(`^${table.primaryIdAttribute}=`), ""));
    if (!id) throw new PipelineError("InvalidFormat", `'${key[2]}' is not a valid key of ${table.entitySetName} (a GUID).`, { httpStatus: 400, dataverseCode: "0x0" });
    if (segments.length === 1) return this.recordsApi.single(scope, location, table, id, request);
    const suffix = segments[2];
    if (suffix !== undefined && suffix !== "$value" && suffix !== "$ref") throw resourceNotFound(suffix);
    return this.propertyApi.handle(scope, location, table, id, segments[1], suffix, request);
  }

  private serviceDocument(scope: RequestScope, location: ApiLocation, request: WebApiRequest): WebApiResponse {
    if (request.method !== "GET") throw methodNotAllowed(request.method);
    const value = scope.organization.catalog.tables.map((table) => ({ name: table.entitySetName, kind: "EntitySet", url: table.entitySetName }));
    return jsonResponse(200, { "@odata.context": `${location.baseUrl}$metadata`, value });
  }

  /** The CSDL document the `@odata.context` of every answer points at: XML whatever the Accept header (the one CSDL form of OData 4.0). */
  private metadataDocument(scope: RequestScope, request: WebApiRequest): WebApiResponse {
    if (request.method !== "GET") throw methodNotAllowed(request.method);
    checkMetadataOptions(request, []);
    return textResponse(metadataDocument(scope.organization.catalog), "application/xml");
  }
}
