import { describe, expect, it } from "vitest";
import { dataServiceForTests, entityIdOf, uniqueOrganization } from "../../../test/support/data-service";

const org = uniqueOrganization();
const { api } = dataServiceForTests([org]);
const web = api(org);

const label = (text: string) => ({
  "@odata.type": "Microsoft.Dynamics.CRM.Label",
  LocalizedLabels: [{ "@odata.type": "Microsoft.Dynamics.CRM.LocalizedLabel", Label: text, LanguageCode: 1033 }],
});

describe("EntityDefinitions", () => {
  it("lists the built-in tables", async () => {
    const result = await web("GET", "EntityDefinitions?$select=LogicalName,EntitySetName");
    expect(result.status).toBe(200);
    const names = result.json.value.map((entity: { LogicalName: string }) => entity.LogicalName);
    for (const name of ["systemuser", "businessunit", "organization", "role", "plugintype", "sdkmessageprocessingstep", "sdkmessageprocessingstepimage", "serviceendpoint", "asyncoperation", "plugintracelog", "account", "contact"]) {
      expect(names).toContain(name);
    }
  });

  it("filters tables with $filter (eq, and, or on LogicalName, SchemaName, EntitySetName, MetadataId), as clients read value[0]", async () => {
    const names = async (query: string) => {
      const result = await web("GET", `EntityDefinitions?${query}`);
      expect(result.status).toBe(200);
      return result.json.value.map((entity: { LogicalName: string }) => entity.LogicalName).sort();
    };
    expect(await names("$filter=LogicalName eq 'account'&$select=LogicalName,EntitySetName")).toEqual(["account"]);
    expect(await names("$filter=SchemaName eq 'Contact' or EntitySetName eq 'systemusers'")).toEqual(["contact", "systemuser"]);
    const account = await web("GET", "EntityDefinitions(LogicalName='account')?$select=LogicalName");
    expect(await names(`$filter=MetadataId eq ${account.json.MetadataId} and LogicalName eq 'account'`)).toEqual(["account"]);
    expect(await names("$filter=LogicalName eq 'nothing'")).toEqual([]);
    const attributes = await web("GET", "EntityDefinitions(LogicalName='account')/Attributes?$filter=LogicalName eq 'name'&$select=LogicalName,MaxLength");
    expect(attributes.json.value).toEqual([{ "@odata.type": "#Microsoft.Dynamics.CRM.StringAttributeMetadata", MetadataId: expect.any(String), LogicalName: "name", MaxLength: expect.any(Number) }]);
  });

  it("refuses a $select of a property metadata does not have, and query options it does not support", async () => {
    for (const path of ["EntityDefinitions?$select=LogicalName,Foo", "EntityDefinitions(LogicalName='account')?$select=Foo", "EntityDefinitions(LogicalName='account')/Attributes?$select=Foo"]) {
      const result = await web("GET", path);
      expect(result.status).toBe(400);
      expect(result.json.error.message).toContain("Could not find a property named 'Foo'");
    }
    for (const path of ["EntityDefinitions?$top=1", "EntityDefinitions?$orderby=LogicalName", "EntityDefinitions(LogicalName='account')?$filter=LogicalName eq 'account'"]) {
      const result = await web("GET", path);
      expect(result.status).toBe(400);
      expect(result.json.error.message).toMatch(/The query parameter \$\w+ is not supported/);
    }
    const unknownInFilter = await web("GET", "EntityDefinitions?$filter=Foo eq 'x'");
    expect(unknownInFilter.status).toBe(400);
    expect(unknownInFilter.json.error.message).toContain("Could not find a property named 'Foo' on type 'Microsoft.Dynamics.CRM.EntityMetadata'");
  });

  it("describes a table with its attributes, option values and lookup targets", async () => {
    const result = await web("GET", "EntityDefinitions(LogicalName='serviceendpoint')?$expand=Attributes");
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ LogicalName: "serviceendpoint", EntitySetName: "serviceendpoints", PrimaryIdAttribute: "serviceendpointid", PrimaryNameAttribute: "name" });
    const attributes = new Map<string, Record<string, unknown>>(result.json.Attributes.map((attribute: { LogicalName: string }) => [attribute.LogicalName, attribute]));
    expect(attributes.get("contract")).toMatchObject({ "@odata.type": "#Microsoft.Dynamics.CRM.PicklistAttributeMetadata", AttributeType: "Picklist" });
    const contract = attributes.get("contract") as { OptionSet: { Options: { Value: number; Label: { UserLocalizedLabel: { Label: string } } }[] } };
    expect(contract.OptionSet.Options.find((option) => option.Value === 8)?.Label.UserLocalizedLabel.Label).toBe("Webhook");
    expect(attributes.get("authvalue")).toMatchObject({ MaxLength: 2048, IsValidForRead: false });
    const steps = await web("GET", "EntityDefinitions(LogicalName='sdkmessageprocessingstep')?$expand=Attributes");
    const eventHandler = steps.json.Attributes.find((attribute: { LogicalName: string }) => attribute.LogicalName === "eventhandler");
    expect(eventHandler.Targets).toEqual(["plugintype", "serviceendpoint"]);
  });

  it("creates a custom table and column in Dataverse's shape, then stores typed rows in it", async () => {
    const created = await web("POST", "EntityDefinitions", {
      body: {
        "@odata.type": "Microsoft.Dynamics.CRM.EntityMetadata",
        SchemaName: "new_BankAccount",
        DisplayName: label("Bank Account"),
        DisplayCollectionName: label("Bank Accounts"),
        OwnershipType: "UserOwned",
        HasActivities: false,
        Attributes: [
          { "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_AccountName", IsPrimaryName: true, MaxLength: 100, DisplayName: label("Account Name") },
          { "@odata.type": "Microsoft.Dynamics.CRM.DecimalAttributeMetadata", SchemaName: "new_Rate", Precision: 3, DisplayName: label("Rate") },
        ],
      },
    });
    expect(created.status).toBe(204);
    expect(created.headers.get("OData-EntityId")).toMatch(/EntityDefinitions\([0-9a-f-]{36}\)$/);

    const addColumn = await web("POST", "EntityDefinitions(LogicalName='new_bankaccount')/Attributes", {
      body: {
        "@odata.type": "Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
        SchemaName: "new_Kind",
        DisplayName: label("Kind"),
        OptionSet: { IsGlobal: false, OptionSetType: "Picklist", Options: [{ Value: 100000000, Label: label("Checking") }, { Value: 100000001, Label: label("Savings") }] },
      },
    });
    expect(addColumn.status).toBe(204);
    const lookup = await web("POST", "EntityDefinitions(LogicalName='new_bankaccount')/Attributes", {
      body: { "@odata.type": "#Microsoft.Dynamics.CRM.LookupAttributeMetadata", SchemaName: "new_HolderId", Targets: ["contact"], DisplayName: label("Holder") },
    });
    expect(lookup.status).toBe(204);

    const described = await web("GET", "EntityDefinitions(LogicalName='new_bankaccount')?$expand=Attributes");
    expect(described.json).toMatchObject({ EntitySetName: "new_bankaccounts", PrimaryNameAttribute: "new_accountname", IsCustomEntity: true });

    const holder = entityIdOf(await web("POST", "contacts", { body: { firstname: "Grace", lastname: "Hopper" } }));
    const row = await web("POST", "new_bankaccounts", {
      body: { new_accountname: "Main", new_rate: 1.125, new_kind: 100000001, "new_holderid@odata.bind": `/contacts(${holder})` },
      headers: { Prefer: "return=representation" },
    });
    expect(row.status).toBe(201);
    expect(row.json).toMatchObject({ new_accountname: "Main", new_rate: 1.125, new_kind: 100000001, _new_holderid_value: holder });
    expect((await web("POST", "new_bankaccounts", { body: { new_accountname: "Bad", new_kind: 5 } })).status).toBe(400);
    expect((await web("POST", "new_bankaccounts", { body: { new_accountname: "x".repeat(101) } })).status).toBe(400);
  });

  it("refuses an unsupported attribute type, a name without prefix, and a second table with the same name", async () => {
    const bad = await web("POST", "EntityDefinitions(LogicalName='account')/Attributes", {
      body: { "@odata.type": "Microsoft.Dynamics.CRM.ImageAttributeMetadata", SchemaName: "new_Logo" },
    });
    expect(bad.status).toBe(400);
    const noPrefix = await web("POST", "EntityDefinitions", {
      body: { SchemaName: "Thing", Attributes: [{ "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Name", IsPrimaryName: true }] },
    });
    expect(noPrefix.status).toBe(400);
    expect(noPrefix.json.error.message).toContain("SchemaName");
    const body = { SchemaName: "new_Twice", Attributes: [{ "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Name", IsPrimaryName: true }] };
    expect((await web("POST", "EntityDefinitions", { body })).status).toBe(204);
    expect((await web("POST", "EntityDefinitions", { body })).json.error.code).toBe("0x80040237");
  });

  it.each([
    [
      "two attributes with the same SchemaName",
      { "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Name", MaxLength: 20 },
      {},
      "already has a column named 'new_name'",
    ],
    ["a Money precision above 4", { "@odata.type": "Microsoft.Dynamics.CRM.MoneyAttributeMetadata", SchemaName: "new_Price", Precision: 99 }, {}, "Attributes[1].Precision must be an integer from 0 to 4"],
    ["a Decimal precision above 10", { "@odata.type": "Microsoft.Dynamics.CRM.DecimalAttributeMetadata", SchemaName: "new_Rate", Precision: 11 }, {}, "Attributes[1].Precision must be an integer from 0 to 10"],
    ["a String MaxLength above 4000", { "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Note", MaxLength: 4001 }, {}, "Attributes[1].MaxLength must be an integer from 1 to 4000"],
    ["an unknown OwnershipType", { "@odata.type": "Microsoft.Dynamics.CRM.IntegerAttributeMetadata", SchemaName: "new_Count" }, { OwnershipType: "Bogus" }, "OwnershipType must be 'UserOwned' or 'OrganizationOwned'"],
  ])("refuses a new table with %s (400, nothing created)", async (_name, second, extra, message) => {
    const schemaName = `new_Invalid${Math.random().toString(36).slice(2, 8)}`;
    const created = await web("POST", "EntityDefinitions", {
      body: { SchemaName: schemaName, ...extra, Attributes: [{ "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Name", IsPrimaryName: true }, second] },
    });
    expect(created.status).toBe(400);
    expect(created.json.error.message).toContain(message);
    expect((await web("GET", `EntityDefinitions(LogicalName='${schemaName.toLowerCase()}')`)).status).toBe(404);
  });

  it("refuses a column the table already has, by the same check (400)", async () => {
    const duplicate = await web("POST", "EntityDefinitions(LogicalName='account')/Attributes", {
      body: { "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_Twin" },
    });
    expect(duplicate.status).toBe(204);
    const again = await web("POST", "EntityDefinitions(LogicalName='account')/Attributes", {
      body: { "@odata.type": "Microsoft.Dynamics.CRM.StringAttributeMetadata", SchemaName: "new_TWIN" },
    });
    expect(again.status).toBe(400);
    expect(again.json.error.message).toContain("The table 'account' already has a column named 'new_twin'");
  });

  it("adds a custom column to a built-in table", async () => {
    const added = await web("POST", "EntityDefinitions(LogicalName='account')/Attributes", {
      body: { "@odata.type": "Microsoft.Dynamics.CRM.IntegerAttributeMetadata", SchemaName: "new_Score", MinValue: 0, MaxValue: 10 },
    });
    expect(added.status).toBe(204);
    const created = await web("POST", "accounts", { body: { name: "Scored", new_score: 7 }, headers: { Prefer: "return=representation" } });
    expect(created.json.new_score).toBe(7);
    expect((await web("POST", "accounts", { body: { name: "Too high", new_score: 11 } })).status).toBe(400);
  });
});
