import { describe, expect, it } from "vitest";
import { readDataServiceSettings } from "./settings";

describe("readDataServiceSettings", () => {
  it("reads the organizations, the administrator's object id and the local anonymous switch", () => {
    const settings = readDataServiceSettings({
      Organizations: " contoso, fabrikam ",
      AdministratorObjectId: "8D3F0C4E-1111-2222-3333-444455556666",
      AllowAnonymousAsAdmin: "True",
    });
    expect([...settings.organizations.keys()]).toEqual(["contoso", "fabrikam"]);
    expect(settings.organizations.get("fabrikam")?.administratorObjectId).toBe("8d3f0c4e-1111-2222-3333-444455556666");
    expect(settings.allowAnonymousAsAdmin).toBe(true);
    expect(readDataServiceSettings({}).organizations.size).toBe(0);
    expect(readDataServiceSettings({}).allowAnonymousAsAdmin).toBe(false);
  });

  it("names the setting that is malformed", () => {
    expect(() => readDataServiceSettings({ Organizations: "Contoso" })).toThrow(/Organizations: 'Contoso'/);
    expect(() => readDataServiceSettings({ Organizations: "contoso", AdministratorObjectId: "me" })).toThrow(/AdministratorObjectId/);
  });
});
