import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATAVERSE_FIXTURES_DIR } from "../fixtures/dataverse";

const CAPTURED_OPERATION_ID = "4af10637-4ea2-e711-8122-000d3aa2331c";

export const BIG_INTEGER = "9007199254740993"; // 2^53 + 1: a JS number would make it …992
export const MONEY_VALUE = "922337203685477.5807"; // Money's maximum, 4 decimals: a JS number would make it …477.6

/**
 * A real Dataverse body (the captured webhook Update of a contact) whose Target also carries a BigInt
 * attribute `new_big` past 2^53 and a Money attribute `new_money` with 4 decimals; `operationId` replaces
 * the captured one (a listener records each OperationId once).
 */
export function preciseContactUpdate(operationId?: string): string {
  const captured = readFileSync(join(DATAVERSE_FIXTURES_DIR, "webhook-async-update-contact.json"), "utf8");
  const fixture = operationId ? captured.replaceAll(CAPTURED_OPERATION_ID, operationId) : captured;
  const body = fixture.replace(
    /("key": "firstname",\s*"value": )"James"/,
    `"key": "new_big", "value": ${BIG_INTEGER}}, {"key": "new_money", "value": {"__type": "Money:http:\\/\\/schemas.microsoft.com\\/xrm\\/2011\\/Contracts", "Value": ${MONEY_VALUE}}`,
  );
  if (body === fixture) throw new Error("the fixture no longer has the firstname attribute this body replaces");
  return body;
}
