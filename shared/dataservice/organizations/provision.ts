import { randomUUID } from "node:crypto";
import { isPipelineError } from "../../errors";
import type { TableCatalog } from "../metadata/catalog";
import { stampSystemColumns } from "../metadata/system-columns";
import type { RecordStore } from "../store/record-store";
import type { ColumnValues } from "../store/records";
import type { OrganizationSetting } from "./settings";

/** Row key of the marker written with an organization's first rows. */
export const PROVISIONED_ROW_KEY = "$org|provisioned";

export const ADMINISTRATOR_ROLE_NAME = "System Administrator";

/** The SDK messages, as Dataverse names them; the pipeline refuses steps on Assign and SetState (an owner or state change is an Update). */
export const SDK_MESSAGES = ["Create", "Update", "Delete", "Retrieve", "RetrieveMultiple", "Assign", "SetState"];

/**
 * Writes an organization's first rows in one transaction: the organization, its root business unit,
 * the administrator (a systemuser with the System Administrator role), the SDK messages, and the marker.
 * Two instances provisioning at once: one commits, the other's insert conflicts and is ignored.
 */
export async function provisionOrganization(store: RecordStore, catalog: TableCatalog, setting: OrganizationSetting, now: string): Promise<void> {
  const uow = store.beginUnitOfWork(setting.name);
  const table = (name: string) => {
    const definition = catalog.table(name);
    if (!definition) throw new Error(`Built-in table ${name} is missing.`);
    return definition;
  };
  const organizationId = randomUUID();
  const businessUnitId = randomUUID();
  const administratorId = randomUUID();
  const roleId = randomUUID();
  const create = (name: string, id: string, values: ColumnValues) =>
    uow.create(table(name), id, stampSystemColumns(table(name), values, { userId: administratorId, at: now }, { kind: "create" }));
  create("organization", organizationId, { name: setting.name });
  create("businessunit", businessUnitId, { name: setting.name });
  create(
    "systemuser",
    administratorId,
    {
      fullname: "Administrator",
      firstname: "",
      lastname: "Administrator",
      domainname: `admin@${setting.name}`,
      azureactivedirectoryobjectid: setting.administratorObjectId ?? null,
      businessunitid: { id: businessUnitId, logicalName: "businessunit" },
      isdisabled: false,
    },
  );
  create("role", roleId, { name: ADMINISTRATOR_ROLE_NAME, privileges: "*", businessunitid: { id: businessUnitId, logicalName: "businessunit" } });
  create("systemuserroles", randomUUID(), { systemuserid: { id: administratorId, logicalName: "systemuser" }, roleid: { id: roleId, logicalName: "role" } });
  for (const name of SDK_MESSAGES) create("sdkmessage", randomUUID(), { name });
  uow.createRow({ partitionKey: setting.name, rowKey: PROVISIONED_ROW_KEY, organizationid: organizationId, administratorid: administratorId, provisionedon: now }, "organization");
  try {
    await uow.commit();
  } catch (error) {
    if (!(isPipelineError(error) && error.code === "Duplicate")) throw error;
  }
}
