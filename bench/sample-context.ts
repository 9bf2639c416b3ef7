import {
  createContext,
  dateTime,
  decimal,
  entity,
  entityReference,
  keyValuePair,
  money,
  optionSetValue,
  optionSetValues,
  type Entity,
  type RemoteExecutionContext,
} from "../shared/model";

const ACCOUNT_ID = "ec4e2f7d-9d60-e811-a95a-000d3af24950";
const USER_ID = "df010dad-f103-4589-ba66-76a5a04c2a11";

function account(columns: number): Entity {
  const record = entity("account", ACCOUNT_ID);
  for (let i = 0; i < columns; i++) {
    switch (i % 6) {
      case 0:
        record.set(`new_text${i}`, `Value ${i} / "quoted" with some words to make it longer`);
        break;
      case 1:
        record.set(`new_amount${i}`, money(`${i}.5000`));
        break;
      case 2:
        record.set(`new_choice${i}`, optionSetValue(100000000 + i));
        break;
      case 3:
        record.set(`new_lookup${i}`, entityReference("contact", "6d81597f-0f9f-e711-8122-000d3aa2331c", `Contact ${i}`));
        break;
      case 4:
        record.set(`new_when${i}`, dateTime(1737024736000 + i * 1000));
        break;
      default:
        record.set(`new_rate${i}`, decimal("1.0000000000"));
        record.formattedValues.set(`new_rate${i}`, "1.00");
    }
  }
  record.set("new_colors", optionSetValues(1, 2, 3));
  return record;
}

/** A ~100 KB async Update context with pre/post images and a ParentContext. */
export function sampleContext(columns = 200): RemoteExecutionContext {
  const common = {
    businessUnitId: "24e33957-e1a1-424e-943d-e8ce84c45633",
    correlationId: "01b84871-96b1-48e0-ada2-a31031966e3f",
    initiatingUserId: USER_ID,
    userId: USER_ID,
    organizationId: "f0aabb07-b0c9-4cfe-80be-8effd49bf067",
    organizationName: "org94971a24",
    messageName: "Update",
    primaryEntityName: "account",
    primaryEntityId: ACCOUNT_ID,
    operationCreatedOn: dateTime(1737024736000, "+0200"),
    operationId: "203839b3-08d4-ef11-aeb0-00155d000101",
    owningExtension: entityReference("sdkmessageprocessingstep", "ffd3ea1c-46ae-ef11-8a69-002248e53d94"),
  };
  const parent = createContext({
    ...common,
    stage: 30,
    mode: 1,
    inputParameters: { Target: account(columns), SuppressDuplicateDetection: false },
    sharedVariables: { ChangedEntityTypes: [keyValuePair("account", "Update"), keyValuePair("contact", "Update")] },
  });
  return createContext({
    ...common,
    stage: 40,
    mode: 1,
    parentContext: parent,
    inputParameters: { Target: account(columns) },
    preEntityImages: { PreImage: account(columns) },
    postEntityImages: { PostImage: account(columns), AsynchronousStepPrimaryName: entity("account", ACCOUNT_ID, { name: "Contoso" }) },
    sharedVariables: { IsAutoTransact: true, DefaultsAddedFlag: true },
  });
}
