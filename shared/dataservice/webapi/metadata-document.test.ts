import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { dataServiceForTests, uniqueOrganization, type ApiResult } from "../../../test/support/data-service";

const org = uniqueOrganization("md");
const otherOrg = uniqueOrganization("mo");
const { api } = dataServiceForTests([org, otherOrg]);
const web = api(org);

const label = (text: string) => ({ LocalizedLabels: [{ Label: text, LanguageCode: 1033 }] });

type Attributes = Record<string, string>;
interface EntityType {
  attributes: Attributes;
  key?: string;
  properties: Record<string, Attributes>;
  navigations: Record<string, { Name: string; Type: string; Nullable?: string; constraint: Attributes }>;
}
interface Csdl {
  edmx: Attributes;
  schema: Attributes;
  types: Record<string, EntityType>;
  container: string;
  /** EntitySet name → its EntityType and navigation bindings (path → target set). */
  sets: Record<string, { type: string; bindings: Record<string, string> }>;
  complexTypes: string[];
  /** FunctionImport name → the function it names. */
  functions: Record<string, string>;
}

const LISTS = new Set(["EntityType", "Property", "NavigationProperty", "EntitySet", "NavigationPropertyBinding", "ComplexType", "Function", "FunctionImport", "PropertyRef"]);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name, _path, _leaf, isAttribute) => !isAttribute && LISTS.has(name) });

/** The `$metadata` answer as a client reads it: well-formed XML first, then the CSDL's types and sets by name. */
function readCsdl(result: ApiResult): Csdl {
  expect(XMLValidator.validate(result.text)).toBe(true);
  const parsed = parser.parse(result.text);
  const edmx = parsed["edmx:Edmx"];
  const schema = edmx["edmx:DataServices"].Schema;
  const attributes = (node: Record<string, unknown>): Attributes =>
    Object.fromEntries(Object.entries(node).filter(([, value]) => typeof value === "string")) as Attributes;
  const byName = <T,>(nodes: Record<string, unknown>[] | undefined, map: (node: Record<string, unknown>) => T): Record<string, T> =>
    Object.fromEntries((nodes ?? []).map((node) => [node.Name as string, map(node)]));
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const types = byName<EntityType>(schema.EntityType, (node: any) => ({
    attributes: attributes(node),
    key: node.Key?.PropertyRef.map((ref: Attributes) => ref.Name).join(","),
    properties: byName(node.Property, attributes),
    navigations: byName(node.NavigationProperty, (nav: any) => ({ ...(attributes(nav) as { Name: string; Type: string }), constraint: attributes(nav.ReferentialConstraint) })),
  }));
  const sets = byName(schema.EntityContainer.EntitySet, (node: any) => ({
    type: node.EntityType,
    bindings: Object.fromEntries((node.NavigationPropertyBinding ?? []).map((binding: Attributes) => [binding.Path, binding.Target])),
  }));
  return {
    edmx: attributes(edmx),
    schema: attributes(schema),
    types,
    container: schema.EntityContainer.Name,
    sets,
    complexTypes: (schema.ComplexType ?? []).map((node: any) => node.Name),
    functions: byName(schema.EntityContainer.FunctionImport, (node: any) => node.Function),
  };
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

describe("GET $metadata (the CSDL document)", () => {
  it("answers an OData v4 CSDL XML document in Dataverse's namespace, with every built-in table as an entity type and set", async () => {
    const result = await web("GET", "$metadata");
    expect([result.status, result.headers.get("Content-Type"), result.headers.get("OData-Version")]).toEqual([200, "application/xml", "4.0"]);
    const csdl = readCsdl(result);
    expect(csdl.edmx).toEqual({ Version: "4.0", "xmlns:edmx": "http://docs.oasis-open.org/odata/ns/edmx" });
    expect(csdl.schema).toEqual({ Namespace: "Microsoft.Dynamics.CRM", Alias: "mscrm", xmlns: "http://docs.oasis-open.org/odata/ns/edm" });
    expect(csdl.types.crmbaseentity).toEqual({ attributes: { Name: "crmbaseentity", Abstract: "true" }, key: undefined, properties: {}, navigations: {} });
    expect(csdl.container).toBe("System");

    // Every entity set of the service document, typed by its table.
    const serviceDocument = await web("GET", "");
    const setNames = serviceDocument.json.value.map((set: { name: string }) => set.name);
    expect(Object.keys(csdl.sets).sort()).toEqual([...setNames].sort());
    // The container names types by namespace, as Dataverse's does; a client maps each set to its type by stripping it.
    for (const [name, set] of Object.entries(csdl.sets)) {
      expect(set.type, name).toMatch(/^Microsoft\.Dynamics\.CRM\./);
      expect(csdl.types[set.type.replace("Microsoft.Dynamics.CRM.", "")], name).toBeDefined();
    }
    for (const name of ["systemuser", "businessunit", "organization", "sdkmessageprocessingstep", "serviceendpoint", "asyncoperation", "account", "contact"]) {
      expect(csdl.types[name], name).toMatchObject({ attributes: { BaseType: "mscrm.crmbaseentity" }, key: `${name}id` });
    }
    expect(csdl.sets.accounts.type).toBe("Microsoft.Dynamics.CRM.account");

    const account = csdl.types.account;
    expect(account.properties.accountid).toEqual({ Name: "accountid", Type: "Edm.Guid", Nullable: "false" });
    expect(account.properties.name).toEqual({ Name: "name", Type: "Edm.String" });
    expect(account.properties.numberofemployees).toEqual({ Name: "numberofemployees", Type: "Edm.Int32" });
    expect(account.properties.revenue).toEqual({ Name: "revenue", Type: "Edm.Decimal", Scale: "Variable" });
    expect(account.properties.createdon).toEqual({ Name: "createdon", Type: "Edm.DateTimeOffset" });
    expect(account.properties.statecode).toEqual({ Name: "statecode", Type: "Edm.Int32" });
    expect(csdl.types.asyncoperation.properties.executiontimespan).toEqual({ Name: "executiontimespan", Type: "Edm.Double" });

    // Lookups: `_name_value` Guids, each with its single-valued navigation property to the target's type.
    expect(account.properties._createdby_value).toEqual({ Name: "_createdby_value", Type: "Edm.Guid" });
    expect(account.properties.createdby).toBeUndefined();
    // Single-valued navigation properties are `Nullable="false"` in Dataverse's document, empty lookups included.
    expect(account.navigations.createdby).toEqual({
      Name: "createdby",
      Type: "mscrm.systemuser",
      Nullable: "false",
      constraint: { Property: "_createdby_value", ReferencedProperty: "systemuserid" },
    });
    expect(account.navigations.ownerid).toMatchObject({ Type: "mscrm.systemuser", constraint: { Property: "_ownerid_value" } });
    expect(csdl.sets.accounts.bindings).toMatchObject({ createdby: "systemusers", parentaccountid: "accounts" });
    // A lookup to several tables: one navigation property per table, named as the Web API binds it.
    const contact = csdl.types.contact;
    expect(contact.properties._parentcustomerid_value).toEqual({ Name: "_parentcustomerid_value", Type: "Edm.Guid" });
    expect(contact.navigations.parentcustomerid).toBeUndefined();
    expect(contact.navigations.parentcustomerid_account).toEqual({
      Name: "parentcustomerid_account",
      Type: "mscrm.account",
      Nullable: "false",
      constraint: { Property: "_parentcustomerid_value", ReferencedProperty: "accountid" },
    });
    expect(contact.navigations.parentcustomerid_contact).toMatchObject({ Type: "mscrm.contact", constraint: { ReferencedProperty: "contactid" } });
    // A write-only secret is a property a client may set, never one it reads back.
    expect(csdl.types.serviceendpoint.properties.authvalue).toEqual({ Name: "authvalue", Type: "Edm.String" });

    // The type WhoAmI's `@odata.context` names is declared.
    const whoAmI = await web("GET", "WhoAmI");
    expect(whoAmI.json["@odata.context"]).toMatch(/\$metadata#Microsoft\.Dynamics\.CRM\.WhoAmIResponse$/);
    expect(csdl.complexTypes).toContain("WhoAmIResponse");
    expect(csdl.functions.WhoAmI).toBe("Microsoft.Dynamics.CRM.WhoAmI");
  });

  it("lists a table created through the Web API with its columns, key and lookup; another organization's document never has it", async () => {
    const created = await web("POST", "EntityDefinitions", {
      body: {
        "@odata.type": "Microsoft.Dynamics.CRM.EntityMetadata",
        SchemaName: "new_Vault",
        DisplayName: label("Vault"),
        DisplayCollectionName: label("Vaults"),
        OwnershipType: "UserOwned",
        Attributes: [
          { "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Name", IsPrimaryName: true, MaxLength: 100, DisplayName: label("Name") },
          { "@odata.type": "Microsoft.Dynamics.CRM.DecimalAttributeMetadata", SchemaName: "new_Rate", Precision: 3, DisplayName: label("Rate") },
          { "@odata.type": "Microsoft.Dynamics.CRM.BigIntAttributeMetadata", SchemaName: "new_Serial", DisplayName: label("Serial") },
          { "@odata.type": "Microsoft.Dynamics.CRM.BooleanAttributeMetadata", SchemaName: "new_Sealed", DisplayName: label("Sealed") },
        ],
      },
    });
    expect(created.status).toBe(204);
    const lookup = await web("POST", "EntityDefinitions(LogicalName='new_vault')/Attributes", {
      body: { "@odata.type": "Microsoft.Dynamics.CRM.LookupAttributeMetadata", SchemaName: "new_KeeperId", Targets: ["contact"], DisplayName: label("Keeper") },
    });
    expect(lookup.status).toBe(204);

    const csdl = readCsdl(await web("GET", "$metadata"));
    const vault = csdl.types.new_vault;
    expect(vault).toMatchObject({ attributes: { BaseType: "mscrm.crmbaseentity" }, key: "new_vaultid" });
    expect(vault.properties).toMatchObject({
      new_vaultid: { Type: "Edm.Guid", Nullable: "false" },
      new_name: { Type: "Edm.String" },
      new_rate: { Type: "Edm.Decimal", Scale: "Variable" },
      new_serial: { Type: "Edm.Int64" },
      new_sealed: { Type: "Edm.Boolean" },
      _new_keeperid_value: { Type: "Edm.Guid" },
      _ownerid_value: { Type: "Edm.Guid" },
    });
    expect(vault.navigations.new_keeperid).toEqual({ Name: "new_keeperid", Type: "mscrm.contact", Nullable: "false", constraint: { Property: "_new_keeperid_value", ReferencedProperty: "contactid" } });
    expect(csdl.sets.new_vaults).toEqual({ type: "Microsoft.Dynamics.CRM.new_vault", bindings: expect.objectContaining({ new_keeperid: "contacts" }) });

    // What the document says is what the Web API takes and returns.
    const keeper = await web("POST", "contacts", { body: { lastname: "Keeper" }, headers: { Prefer: "return=representation" } });
    const row = await web("POST", "new_vaults", {
      body: { new_name: "North", new_rate: 1.5, new_serial: 9007199254740, new_sealed: true, "new_keeperid@odata.bind": `/contacts(${keeper.json.contactid})` },
      headers: { Prefer: "return=representation" },
    });
    expect(row.status).toBe(201);
    // Every property the Web API returns for the row is declared.
    const returned = Object.keys(row.json).filter((name) => !name.includes("@"));
    expect(returned).toEqual(expect.arrayContaining(["new_vaultid", "new_name", "new_rate", "new_serial", "new_sealed", "_new_keeperid_value", "_ownerid_value", "createdon"]));
    for (const name of returned) expect(vault.properties[name], name).toBeDefined();
    expect(row.json._new_keeperid_value).toBe(keeper.json.contactid);

    const other = readCsdl(await api(otherOrg)("GET", "$metadata"));
    expect(other.types.new_vault).toBeUndefined();
    expect(other.sets.new_vaults).toBeUndefined();
    expect(other.types.account).toBeDefined();
  });

  it("stays a document OData clients read: an EntitySetName that is no OData identifier, or names the Web API's own resource, is refused (400, nothing created); labels are not in it", async () => {
    for (const entitySetName of ['new_a<b&"c', "new vaults", "", "9lives", "WhoAmI", "EntityDefinitions"]) {
      const schemaName = `new_Odd${Math.random().toString(36).slice(2, 8)}`;
      const created = await web("POST", "EntityDefinitions", {
        body: {
          SchemaName: schemaName,
          EntitySetName: entitySetName,
          DisplayName: label('Odd <"set"> & co'),
          Attributes: [{ "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Name", IsPrimaryName: true, MaxLength: 10 }],
        },
      });
      expect([created.status, created.json?.error?.message], entitySetName).toEqual([400, expect.stringContaining("EntitySetName must be letters, digits and '_'")]);
      expect((await web("GET", `EntityDefinitions(LogicalName='${schemaName.toLowerCase()}')`)).status, entitySetName).toBe(404);
    }
    // A display name with markup characters is accepted: the document names tables and columns by logical name only.
    const marked = await web("POST", "EntityDefinitions", {
      body: {
        SchemaName: "new_Marked",
        DisplayName: label('Marked <"quoted"> & \'co\''),
        Attributes: [{ "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Name", IsPrimaryName: true, MaxLength: 10, DisplayName: label("<b>&amp;") }],
      },
    });
    expect(marked.status).toBe(204);
    const csdl = readCsdl(await web("GET", "$metadata"));
    expect(csdl.types.new_marked.properties.new_name).toEqual({ Name: "new_name", Type: "Edm.String" });
    // Every entity set, function and type name is an OData SimpleIdentifier, each container name used once.
    const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
    const containerNames = [...Object.keys(csdl.sets), ...Object.keys(csdl.functions)];
    for (const name of [...containerNames, ...Object.keys(csdl.types)]) expect(name).toMatch(identifier);
    expect(new Set(containerNames).size).toBe(containerNames.length);
  });

  it("lists a table another instance created, well within the organization cache's 30 s", async () => {
    const shared = uniqueOrganization("ms");
    const [first, second] = [dataServiceForTests([shared]).api(shared), dataServiceForTests([shared]).api(shared)];
    expect(readCsdl(await second("GET", "$metadata")).types.new_beacon).toBeUndefined(); // the second instance caches the organization's tables
    const created = await first("POST", "EntityDefinitions", {
      body: {
        SchemaName: "new_Beacon",
        DisplayName: label("Beacon"),
        DisplayCollectionName: label("Beacons"),
        Attributes: [{ "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Name", IsPrimaryName: true, MaxLength: 50 }],
      },
    });
    expect(created.status).toBe(204);
    // A cached context is reloaded for `$metadata` once it is a second old.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(readCsdl(await second("GET", "$metadata")).sets.new_beacons).toEqual({ type: "Microsoft.Dynamics.CRM.new_beacon", bindings: expect.any(Object) });
  });

  it("is GET only, takes no query option, and has no sub-resources (Dataverse's 405, 400 and 404)", async () => {
    for (const method of ["POST", "PATCH", "PUT", "DELETE"]) {
      const refused = await web(method, "$metadata", { body: {} });
      expect([refused.status, refused.json?.error?.message], method).toEqual([405, `The HTTP method ${method} is not supported on this resource.`]);
    }
    for (const option of ["$top=1", "$select=name", "$filter=Name eq 'x'", "$format=json"]) {
      const refused = await web("GET", `$metadata?${option}`);
      expect([refused.status, refused.json?.error?.message], option).toEqual([400, expect.stringMatching(/^The query parameter \$\w+ is not supported/)]);
    }
    // Dataverse's `annotations=true` (no system query option) adds annotations this document does not have.
    const annotated = await web("GET", "$metadata?annotations=true");
    expect([annotated.status, annotated.text]).toEqual([200, (await web("GET", "$metadata")).text]);
    const below = await web("GET", "$metadata/accounts");
    expect([below.status, below.json.error.message]).toEqual([404, "Resource not found for the segment 'accounts'."]);
    // The same document at the earlier versions.
    const earlier = await api(org)("GET", `http://127.0.0.1:7071/${org}/api/data/v9.0/$metadata`);
    expect([earlier.status, readCsdl(earlier).container]).toEqual([200, "System"]);
  });
});
