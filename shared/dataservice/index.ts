import type { TableClient } from "@azure/data-tables";
import { MetadataService } from "./metadata-service";
import { OrganizationDirectory } from "./organizations/organization-context";
import { readDataServiceSettings, type DataServiceSettings } from "./organizations/settings";
import { systemJobWriteRule } from "../jobs/job-change-rule";
import type { JobOrchestrations } from "../jobs/orchestrations";
import { SystemJobStore } from "../jobs/system-jobs";
import { JobContextStore } from "../pipeline/job-context-store";
import { RecordService, authorizedRecordOperations, type RecordOperations, type RecordWriteHook } from "./record-service";
import { RecordStore } from "./store/record-store";
import { RoundTripCounter } from "./store/round-trips";
import { createRecordsTableClient } from "./store/table-client";
import { DataverseWebApi } from "./webapi/web-api";

export { DataverseWebApi, WEB_API_ROUTE, type ServerFailure } from "./webapi/web-api";
export { handleHttp, type FetchLikeRequest } from "./webapi/adapter";
export type { WebApiRequest, WebApiResponse } from "./webapi/http";
export { RoundTripCounter } from "./store/round-trips";
export { RECORDS_TABLE_NAME } from "./store/table-client";
export { DATA_SERVICE_SETTINGS, readDataServiceSettings } from "./organizations/settings";
export { RecordService, notFound, asksForVersion, LOST_RACE_ATTEMPTS, type RequestScope, type RecordOperations, type RecordWriteHook, type PrepareOptions, type RetrieveOptions, type WriteOptions } from "./record-service";
export type { OrganizationContext, OrganizationDirectory } from "./organizations/organization-context";
export type { TableDefinition } from "./metadata/tables";
export type { StoredRecord, ColumnValues, LookupValue } from "./store/records";
export { isLookupValue } from "./store/records";
export { stampSystemColumns, type RowWriter, type RowChange } from "./metadata/system-columns";
export { recordToEntity, entityToValues, toSdkValue } from "./entity-conversion";
export { sdkFormattedValues } from "./formatted-values";
export { isLookupType } from "./metadata/columns";
export { findColumn } from "./metadata/tables";
export { authorizeRecordMessage, callerForUser, type Caller } from "./security/caller";
export { parseQuery, showPage, type Page, type PageRequest } from "./query/query";
export { recordRowKey } from "./store/row-codec";
export { RecordStore } from "./store/record-store";
export { referringRows } from "./referring-rows";
export { UnitOfWork } from "./store/unit-of-work";

/** Everything one process needs to serve the data service. */
export interface DataService {
  webApi: DataverseWebApi;
  records: RecordService;
  store: RecordStore;
  directory: OrganizationDirectory;
  /** Storage round trips made through this service's TableClient. */
  roundTrips: RoundTripCounter;
}

export interface DataServiceOptions {
  env?: Record<string, string | undefined>;
  settings?: DataServiceSettings;
  /** A TableClient to use instead of one from the storage settings (its round trips are then not counted). */
  tableClient?: TableClient;
  roundTrips?: RoundTripCounter;
  /** How long an instance reuses an organization's users, roles and tables. */
  contextTtlMs?: number;
  /** Where the system-job rule signals a job's orchestration on cancel, pause, resume, postpone, delete. */
  jobOrchestrations?: () => JobOrchestrations | undefined;
  /** What another part (the event pipeline) adds: rules in the write path, and what the Web API calls. */
  extension?: (parts: { store: RecordStore; directory: OrganizationDirectory }) => DataServiceExtension;
}

export interface DataServiceExtension {
  /** Rules added to the write path of some tables (e.g. the pipeline's registration checks). */
  writeHooks?: readonly RecordWriteHook[];
  /** What the Web API calls for records instead of the RecordService itself (which then checks privileges). */
  recordOperations?: (records: RecordService) => RecordOperations;
}

export function createDataService(options: DataServiceOptions = {}): DataService {
  const env = options.env ?? process.env;
  const roundTrips = options.roundTrips ?? new RoundTripCounter();
  const settings = options.settings ?? readDataServiceSettings(env);
  const store = new RecordStore(options.tableClient ?? createRecordsTableClient(env, roundTrips));
  const directory = new OrganizationDirectory(store, settings, options.contextTtlMs);
  const extension = options.extension?.({ store, directory }) ?? {};
  const records = new RecordService(store, directory, undefined, [systemJobWriteRule(options.jobOrchestrations ?? (() => undefined), { contexts: new JobContextStore(store), jobs: new SystemJobStore(store) }), ...(extension.writeHooks ?? [])]);
  const operations = extension.recordOperations?.(records) ?? authorizedRecordOperations(records);
  const webApi = new DataverseWebApi(directory, operations, new MetadataService(store, directory), settings);
  return { webApi, records, store, directory, roundTrips };
}
export { dateTimeText } from "./metadata/edm";
