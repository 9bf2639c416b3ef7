import { isLookupType, type ColumnDefinition } from "../metadata/columns";
import type { TableCatalog } from "../metadata/catalog";
import type { TableDefinition } from "../metadata/tables";
import { navigationPropertyName } from "../metadata/validate";

/** A single-valued navigation property: the lookup column it reads and sets, and the one table it refers to. */
export interface NavigationProperty {
  name: string;
  column: ColumnDefinition;
  target: TableDefinition;
}

/**
 * The single-valued navigation properties `$metadata` declares for a table, and so the only names the
 * Web API takes for a lookup in a URL (`…/{name}`, `…/{name}/$ref`) or a body (`{name}@odata.bind`): one
 * per lookup and target table in the catalog (a target it lacks has no type to name), named as
 * {@link navigationPropertyName} names it (`parentcustomerid_account`, `parentcustomerid_contact`; never
 * the bare `parentcustomerid` nor a schema name). Names match case-sensitively, as OData's do.
 */
export function navigationProperties(catalog: TableCatalog, table: TableDefinition): NavigationProperty[] {
  const navigations: NavigationProperty[] = [];
  for (const column of table.columns.filter((candidate) => isLookupType(candidate.type))) {
    const targets = column.targets ?? [];
    // An Owner lookup is one navigation property, typed in Dataverse as its targets' common base (principal), which this catalog lacks.
    if (column.type === "Owner" && targets.length > 1) continue;
    for (const targetName of targets) {
      const target = catalog.table(targetName);
      if (target) navigations.push({ name: navigationPropertyName(column, targetName), column, target });
    }
  }
  return navigations;
}

/** The declared navigation property of that exact name, if any. */
export function findNavigationProperty(catalog: TableCatalog, table: TableDefinition, name: string): NavigationProperty | undefined {
  return navigationProperties(catalog, table).find((navigation) => navigation.name === name);
}
