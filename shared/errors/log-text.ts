import { causeChain } from "./cause-chain";

/** Values that look like credentials in a message (`AccountKey=…` of a connection string, `?code=…`, a bearer token). */
const SECRET_VALUE = /\b(AccountKey|SharedAccessKey|SharedAccessSignature|sig|code|client_secret|password|pwd)=[^;&\s'"]+/gi;
const BEARER = /\bBearer\s+[\w.~+/-]+=*/gi;

/**
 * An error as an operator reads it in the log: the stack of the error and of each cause, with any value
 * that looks like a credential masked, since a library's message may quote its connection string.
 */
export function errorLogText(error: unknown): string {
  const links = typeof error === "object" && error !== null ? [...causeChain(error)] : [error];
  const parts = links.map((link) => (link instanceof Error ? (link.stack ?? `${link.name}: ${link.message}`) : String(link)));
  return maskSecrets(parts.join("\nCaused by: "));
}

/** `text` with every value that looks like a credential masked. */
export function maskSecrets(text: string): string {
  return text.replace(SECRET_VALUE, "$1=***").replace(BEARER, "Bearer ***");
}
