import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifySasToken } from "./sas";

const keys = [{ name: "send", key: "secret" }];

function token(resource: string, keyName: string, key: string, expirySeconds: number): string {
  const encoded = encodeURIComponent(resource);
  const signature = createHmac("sha256", key).update(`${encoded}\n${expirySeconds}`).digest("base64");
  return `SharedAccessSignature sr=${encoded}&sig=${encodeURIComponent(signature)}&se=${expirySeconds}&skn=${keyName}`;
}

describe("SAS tokens", () => {
  const now = Date.UTC(2026, 0, 1);
  const later = now / 1000 + 3600;

  it("accepts a token signed with a configured key", () => {
    expect(verifySasToken(token("sb://127.0.0.1:5672/queue", "send", "secret", later), keys, now)).toBeUndefined();
  });

  it("refuses a wrong key, an unknown key name, an expired token and a malformed one", () => {
    expect(verifySasToken(token("sb://127.0.0.1:5672/queue", "send", "guess", later), keys, now)).toMatch(/InvalidSignature/);
    expect(verifySasToken(token("sb://127.0.0.1:5672/queue", "listen", "secret", later), keys, now)).toMatch(/SharedAccessKeyName 'listen'/);
    expect(verifySasToken(token("sb://127.0.0.1:5672/queue", "send", "secret", now / 1000 - 1), keys, now)).toMatch(/ExpiredToken/);
    expect(verifySasToken("Bearer abc", keys, now)).toMatch(/InvalidSignature/);
  });

  it("accepts anything when no keys are configured", () => {
    expect(verifySasToken("anything", [], now)).toBeUndefined();
  });
});
