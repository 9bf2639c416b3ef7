import { XMLParser } from "fast-xml-parser";
import { EndpointAuthType } from "./endpoint-options";

/** What a webhook or REST post carries for its auth type (§D.3, §H). */
export interface HttpAuth {
  headers: Record<string, string>;
  query: Record<string, string>;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => name === "setting" });

/**
 * Reads `authvalue`: for Webhook Key (4) the key itself, sent as `?code=<key>`; for Http Header (5) and
 * Http Query String (6) `<settings><setting name="Key1" value="Value1" /></settings>`.
 * @throws TypeError when the value is not in that form (the message never contains the value).
 */
export function parseAuthValue(authtype: number, authvalue: string): HttpAuth {
  if (authtype === EndpointAuthType.WebhookKey) return { headers: {}, query: { code: authvalue } };
  const pairs = parseSettings(authvalue);
  if (authtype === EndpointAuthType.HttpHeader) return { headers: pairs, query: {} };
  if (authtype === EndpointAuthType.HttpQueryString) return { headers: {}, query: pairs };
  throw new TypeError(`authtype ${authtype} carries no HTTP auth value`);
}

function parseSettings(authvalue: string): Record<string, string> {
  const form = 'must be <settings><setting name="…" value="…" /></settings> with at least one setting';
  let document: { settings?: { setting?: Array<{ name?: unknown; value?: unknown }> } | string };
  try {
    document = parser.parse(authvalue, true) as typeof document;
  } catch {
    throw new TypeError(form);
  }
  const settings = typeof document.settings === "object" ? (document.settings.setting ?? []) : [];
  if (settings.length === 0) throw new TypeError(form);
  const pairs: Record<string, string> = {};
  for (const setting of settings) {
    if (typeof setting.name !== "string" || setting.name === "" || typeof setting.value !== "string") throw new TypeError(form);
    pairs[setting.name] = setting.value;
  }
  return pairs;
}
