import { validateServiceEndpoint } from "../delivery/endpoint";
import { PipelineError, isPipelineError } from "../errors";
import type { ColumnValues, PrepareOptions, RecordStore, RecordWriteHook, RequestScope, TableDefinition, UnitOfWork } from "../dataservice";
import { isLookupValue, referringRows } from "../dataservice";
import type { PluginCatalog } from "../plugins/catalog";
import { ImageType, REGISTRATION_TABLE_NAMES, pluginTypeName, splitColumns, type RegistrationCache } from "./registrations";

const REGISTRABLE_STAGES = new Set([10, 20, 40]);
/** Messages whose request names a record an image can be taken of (§B.3), with that request property. */
const IMAGE_MESSAGES: Record<string, string[]> = { Create: ["Target"], Update: ["Target"], Delete: ["Target"] };
/**
 * Messages no Web API request raises here (an owner or state change is an Update, as in Dataverse's
 * specialized update operations): a step on one would never run, so it is refused with the Update step
 * that does, i.e. its filtering attributes.
 */
const UPDATE_INSTEAD: Record<string, string> = { Assign: "ownerid", SetState: "statecode,statuscode" };

let lastSequence = 0;

/** Registration order finer than createdon's whole seconds: microseconds since 1970, increasing per instance. */
function nextRegistrationSequence(): number {
  lastSequence = Math.max(lastSequence + 1, Date.now() * 1000);
  return lastSequence;
}

/** The write a rule checks: who writes, and the request's unit of work (undefined: the write commits on its own). */
interface Write {
  scope: RequestScope;
  unitOfWork?: UnitOfWork;
}

function invalid(message: string, path: string): PipelineError {
  return new PipelineError("ValidationFailed", message, { path });
}

/**
 * The registration rules of §B, checked in the data service's write path of sdkmessageprocessingstep,
 * sdkmessageprocessingstepimage, sdkmessagefilter and plugintype rows (a plug-in type must name a class the
 * app deploys, as Dataverse's must be in its assembly) (a changed step is checked against its images
 * too); a serviceendpoint row checked by the same
 * `validateServiceEndpoint` a post uses (on an update, the stored row with the change, secrets included);
 * a new step's registration sequence (its order among steps of equal rank); and the cache invalidation
 * when any registration row changes.
 */
export function registrationWriteHook(store: RecordStore, cache: RegistrationCache, plugins: PluginCatalog): RecordWriteHook {
  /** A row as the request's unit of work leaves it: a registration written earlier in the same request counts. */
  const read = async ({ scope, unitOfWork }: Write, tableName: string, id: string) => {
    const table = scope.organization.catalog.table(tableName) as TableDefinition;
    return (await store.read(scope.organization.name, table, id, unitOfWork))?.values;
  };
  const messageName = async (write: Write, row: ColumnValues): Promise<string> => {
    if (!isLookupValue(row.sdkmessageid)) throw invalid("sdkmessageid is required: the message the step handles (sdkmessageid@odata.bind).", "sdkmessageid");
    const message = await read(write, "sdkmessage", row.sdkmessageid.id);
    if (!message) throw invalid(`sdkmessageid: sdkmessage With Id = ${row.sdkmessageid.id} Does Not Exist`, "sdkmessageid");
    return String(message.name);
  };
  const stepFilter = async (write: Write, row: ColumnValues): Promise<ColumnValues | undefined> =>
    isLookupValue(row.sdkmessagefilterid) ? read(write, "sdkmessagefilter", row.sdkmessagefilterid.id) : undefined;
  const filterTable = (write: Write, filter: ColumnValues | undefined): TableDefinition | undefined =>
    write.scope.organization.catalog.table(String(filter?.primaryobjecttypecode ?? ""));
  const stepTable = async (write: Write, row: ColumnValues) => filterTable(write, await stepFilter(write, row));
  /** A filter is one message's on one table: a step may only use one of its own message's (Dataverse refuses any other). */
  const checkFilterMessage = async (write: Write, row: ColumnValues, message: string, filter: ColumnValues | undefined) => {
    if (!filter || !isLookupValue(row.sdkmessageid) || !isLookupValue(filter.sdkmessageid) || filter.sdkmessageid.id.toLowerCase() === row.sdkmessageid.id.toLowerCase()) return;
    throw invalid(
      `sdkmessagefilterid: this message filter is for the ${await messageName(write, filter)} message (on ${String(filter.primaryobjecttypecode)}), ` +
        `not the step's ${message} message; Dataverse requires a step's filter to belong to the step's message.`,
      "sdkmessagefilterid",
    );
  };
  const checkColumns = (table: TableDefinition | undefined, columns: string[] | undefined, path: string) => {
    if (!table) return;
    const unknown = columns?.find((name) => !table.columns.some((column) => column.logicalName === name));
    if (unknown) throw invalid(`${path}: '${unknown}' is not a column of ${table.logicalName}.`, path);
  };

  const validateFilter = async (write: Write, row: ColumnValues) => {
    await messageName(write, row);
    const tableName = String(row.primaryobjecttypecode ?? "");
    if (!write.scope.organization.catalog.table(tableName)) throw invalid(`primaryobjecttypecode: '${tableName}' is not a table of this organization.`, "primaryobjecttypecode");
  };

  /**
   * The image rules (§B.3) of one image on its step (whose message and table the caller has read): checked
   * when an image is written and, for each of its images, when a step changes.
   */
  const checkImage = (image: ColumnValues, step: ColumnValues, message: string, table: TableDefinition | undefined) => {
    const imageType = Number(image.imagetype ?? ImageType.Pre);
    const wantsPre = imageType !== ImageType.Post;
    const wantsPost = imageType !== ImageType.Pre;
    const properties = IMAGE_MESSAGES[message];
    if (!properties) throw invalid(`The ${message} message does not support entity images.`, "imagetype");
    if (!image.entityalias) throw invalid("entityalias is required.", "entityalias");
    if (!properties.includes(String(image.messagepropertyname ?? ""))) {
      throw invalid(`messagepropertyname must be ${properties.join(" or ")} for ${message}.`, "messagepropertyname");
    }
    if (wantsPre && message === "Create") throw invalid("A pre-image is not available on the Create message.", "imagetype");
    if (wantsPost && message === "Delete") throw invalid("A post-image is not available on the Delete message.", "imagetype");
    if (wantsPost && Number(step.stage) !== 40) throw invalid("A post-image is available only to post-operation (stage 40) steps.", "imagetype");
    checkColumns(table, splitColumns(image.attributes), "attributes");
  };

  /** A changed step must still fit each of its images: the image rules, on the step as it will be. */
  const checkStepImages = async (write: Write, step: ColumnValues, message: string, table: TableDefinition | undefined) => {
    const stepId = String(step.sdkmessageprocessingstepid);
    const imageTable = write.scope.organization.catalog.table("sdkmessageprocessingstepimage") as TableDefinition;
    const pointer = { table: "sdkmessageprocessingstep", id: stepId };
    for (const image of await referringRows(store, write.scope.organization.name, imageTable, "sdkmessageprocessingstepid", pointer, write.unitOfWork)) {
      try {
        checkImage(image.values, step, message, table);
      } catch (error) {
        if (!isPipelineError(error)) throw error;
        throw invalid(`The step's image '${String(image.values.entityalias ?? "")}' (${image.id}) would no longer be valid: ${error.message} Change or delete the image first.`, `sdkmessageprocessingstepimage.${error.path ?? ""}`);
      }
    }
  };

  const validateStep = async (write: Write, row: ColumnValues, change: PrepareOptions["write"]) => {
    const message = await messageName(write, row);
    const updateInstead = UPDATE_INSTEAD[message];
    if (updateInstead !== undefined) {
      throw invalid(
        `Steps on the ${message} message are not supported: no request raises it here (an owner or state change is an Update, as in Dataverse). ` +
          `Register the step on the Update message with filteringattributes '${updateInstead}'.`,
        "sdkmessageid",
      );
    }
    if (!REGISTRABLE_STAGES.has(Number(row.stage))) {
      throw invalid("stage must be 10 (Pre-validation), 20 (Pre-operation) or 40 (Post-operation).", "stage");
    }
    if (Number(row.mode ?? 0) === 1 && Number(row.stage) !== 40) {
      throw invalid("Asynchronous steps are supported only in the post-operation stage (40).", "mode");
    }
    if (!isLookupValue(row.eventhandler)) {
      throw invalid("The step needs an event handler: eventhandler_plugintype@odata.bind or eventhandler_serviceendpoint@odata.bind.", "eventhandler");
    }
    if (splitColumns(row.filteringattributes) && message !== "Update") {
      throw invalid("filteringattributes apply to Update steps only.", "filteringattributes");
    }
    const filter = await stepFilter(write, row);
    await checkFilterMessage(write, row, message, filter);
    const table = filterTable(write, filter);
    checkColumns(table, splitColumns(row.filteringattributes), "filteringattributes");
    if (change === "update") await checkStepImages(write, row, message, table);
  };

  const validateImage = async (write: Write, row: ColumnValues) => {
    if (!isLookupValue(row.sdkmessageprocessingstepid)) throw invalid("sdkmessageprocessingstepid is required: the step the image belongs to.", "sdkmessageprocessingstepid");
    const step = await read(write, "sdkmessageprocessingstep", row.sdkmessageprocessingstepid.id);
    if (!step) throw invalid(`sdkmessageprocessingstep With Id = ${row.sdkmessageprocessingstepid.id} Does Not Exist`, "sdkmessageprocessingstepid");
    checkImage(row, step, await messageName(write, step), await stepTable(write, step));
  };

  /** The app's plug-in catalog is the assembly: a type it does not deploy would fail every step on it. */
  const validatePluginType = async (_write: Write, row: ColumnValues) => {
    const typeName = pluginTypeName(row);
    if (plugins.has(typeName)) return;
    const deployed = plugins.typeNames.length > 0 ? plugins.typeNames.join(", ") : "none";
    throw invalid(`typename: PluginType [${typeName}] not found in PluginAssembly: it is not a plug-in deployed with this app (deployed: ${deployed}).`, "typename");
  };

  const validators: Record<string, (write: Write, row: ColumnValues, change: PrepareOptions["write"]) => Promise<void>> = {
    sdkmessageprocessingstep: validateStep,
    sdkmessageprocessingstepimage: validateImage,
    sdkmessagefilter: validateFilter,
    plugintype: validatePluginType,
    serviceendpoint: async (_scope, row) => void validateServiceEndpoint(row),
  };
  return {
    tables: REGISTRATION_TABLE_NAMES,
    prepare: async (scope, table, row, { unitOfWork, write }) => {
      await validators[table.logicalName]?.({ scope, unitOfWork }, row, write);
      if (table.logicalName === "sdkmessageprocessingstep") row.registrationsequence ??= nextRegistrationSequence();
    },
    changed: (organization) => cache.invalidate(organization),
  };
}
