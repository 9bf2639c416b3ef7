import { createHmac, timingSafeEqual } from "node:crypto";

export interface SharedAccessKey {
  name: string;
  key: string;
}

/**
 * Checks a `SharedAccessSignature sr=…&sig=…&se=…&skn=…` token as Service Bus does: the signature is
 * HMAC-SHA256 over "<url-encoded resource>\n<expiry>" with the named key. Returns a reason when refused.
 */
export function verifySasToken(token: string, keys: SharedAccessKey[], now = Date.now()): string | undefined {
  if (keys.length === 0) return undefined;
  const prefix = "SharedAccessSignature ";
  if (!token.startsWith(prefix)) return "InvalidSignature: The token has an invalid signature.";
  const fields = new Map<string, string>();
  for (const pair of token.slice(prefix.length).split("&")) {
    const separator = pair.indexOf("=");
    if (separator > 0) fields.set(pair.slice(0, separator), pair.slice(separator + 1));
  }
  const resource = fields.get("sr");
  const signature = fields.get("sig");
  const expiry = fields.get("se");
  const keyName = fields.get("skn");
  if (!resource || !signature || !expiry || !keyName) return "InvalidSignature: The token is missing sr, sig, se or skn.";
  const key = keys.find((candidate) => candidate.name === keyName);
  if (!key) return `Unauthorized: The SharedAccessKeyName '${keyName}' is not valid for this namespace.`;
  if (Number(expiry) * 1000 < now) return "ExpiredToken: The provided token has expired.";
  const expected = createHmac("sha256", key.key).update(`${resource}\n${expiry}`).digest();
  const given = Buffer.from(decodeURIComponent(signature), "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "InvalidSignature: The token has an invalid signature.";
  return undefined;
}
