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
