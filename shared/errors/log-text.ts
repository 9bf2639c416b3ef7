/** Values that look like credentials in a message (`AccountKey=…` of a connection string, `?code=…`, a bearer token). */
const SECRET_VALUE = /\b(AccountKey|SharedAccessKey|SharedAccessSignature|sig|code|client_secret|password|pwd)=[^;&\s'"]+/gi;
const BEARER = /\bBearer\s+[\w.~+/-]+=*/gi;

/**
 * An error as an operator reads it in the log: the stack of the error and of each cause, with any value
 * that looks like a credential masked, since a library's message may quote its connection string.
 */
export function errorLogText(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  for (let current: unknown = error; current !== undefined && !seen.has(current); current = current instanceof Error ? current.cause : undefined) {
    seen.add(current);
    parts.push(current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current));
  }
  return maskSecrets(parts.join("\nCaused by: "));
}

/** `text` with every value that looks like a credential masked. */
export function maskSecrets(text: string): string {
  return text.replace(SECRET_VALUE, "$1=***").replace(BEARER, "Bearer ***");
}
