import { PipelineError } from "../errors";
import { readCustomTableEtag, writeCustomTable } from "./metadata/custom-tables";
import type { ColumnDefinition } from "./metadata/columns";
import type { TableDefinition } from "./metadata/tables";
import type { OrganizationDirectory } from "./organizations/organization-context";
import type { RequestScope } from "./record-service";
import { CREATE_ENTITY_PRIVILEGE, missingPrivilege } from "./security/privileges";
import type { RecordStore } from "./store/record-store";

export const CREATE_ATTRIBUTE_PRIVILEGE = "prvCreateAttribute";

/** Creates custom tables and adds columns to any table of an organization (persisted beside its records). */
export class MetadataService {
  constructor(
    private readonly store: RecordStore,
    private readonly directory: OrganizationDirectory,
  ) {}

  async createTable(scope: RequestScope, table: TableDefinition): Promise<TableDefinition> {
    if (!scope.caller.privileges.has(CREATE_ENTITY_PRIVILEGE)) throw missingPrivilege(scope.caller.userId, CREATE_ENTITY_PRIVILEGE);
    const { catalog } = scope.organization;
    if (catalog.table(table.logicalName) || catalog.tableBySetName(table.entitySetName)) {
      throw new PipelineError("Duplicate", `A table named '${table.logicalName}' (entity set '${table.entitySetName}') already exists.`);
    }
    checkColumnNames(table);
    for (const column of table.columns) this.checkTargets(scope, column, table);
    const uow = this.store.beginUnitOfWork(scope.organization.name);
    writeCustomTable(uow, table);
    await uow.commit();
    this.directory.invalidate(scope.organization.name);
    return table;
  }

  async addColumn(scope: RequestScope, table: TableDefinition, column: ColumnDefinition): Promise<ColumnDefinition> {
    if (!scope.caller.privileges.has(CREATE_ATTRIBUTE_PRIVILEGE)) throw missingPrivilege(scope.caller.userId, CREATE_ATTRIBUTE_PRIVILEGE);
    checkColumnNames({ ...table, columns: [...table.columns, column] });
    if (column.isPrimaryName) throw new PipelineError("ValidationFailed", "A table's primary name column is set when the table is created.", { path: "IsPrimaryName" });
    this.checkTargets(scope, column, table);
    const etag = await readCustomTableEtag(this.store, scope.organization.name, table.logicalName);
    const uow = this.store.beginUnitOfWork(scope.organization.name);
    writeCustomTable(uow, { ...table, columns: [...table.columns, column] }, etag);
    await uow.commit();
    this.directory.invalidate(scope.organization.name);
    return column;
  }

  private checkTargets(scope: RequestScope, column: ColumnDefinition, table: TableDefinition): void {
    for (const target of column.targets ?? []) {
      if (target !== table.logicalName && !scope.organization.catalog.table(target)) {
        throw new PipelineError("ValidationFailed", `The lookup '${column.logicalName}' targets '${target}', which is no table.`, { path: column.logicalName });
      }
    }
  }
}

/** A table's columns have distinct names: a new table's own attributes, and a column added to an existing table. */
function checkColumnNames(table: TableDefinition): void {
  const seen = new Set<string>();
  for (const column of table.columns) {
    if (seen.has(column.logicalName)) {
      throw new PipelineError("ValidationFailed", `The table '${table.logicalName}' already has a column named '${column.logicalName}' (SchemaName '${column.schemaName}').`, { path: column.logicalName });
    }
    seen.add(column.logicalName);
  }
}
