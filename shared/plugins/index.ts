/** The plug-in authoring API: everything a plug-in in `plugins/` imports. */
export { InvalidPluginExecutionError, OperationStatus, PluginHttpStatusCode, type InvalidPluginExecutionOptions } from "./errors";
export {
  definePlugin,
  type IOrganizationService,
  type IOrganizationServiceFactory,
  type IPlugin,
  type IPluginExecutionContext,
  type IServiceEndpointNotificationService,
  type ITracingService,
  type PluginExecution,
  type RecordsQuery,
} from "./types";
export {
  Entity,
  EntityCollection,
  EntityReference,
  Money,
  OptionSetValue,
  Decimal,
  DateTimeValue,
  GuidValue,
  Int64Value,
  DoubleValue,
  Stage,
  ExecutionMode,
  EMPTY_GUID,
} from "../model";
