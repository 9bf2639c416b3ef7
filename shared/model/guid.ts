import { PipelineError } from "../errors";

/** A GUID in Dataverse's canonical text form: 8-4-4-4-12 lower-case hex digits. */
export type Guid = string;

export const EMPTY_GUID: Guid = "00000000-0000-0000-0000-000000000000";

const GUID_PATTERN = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

export function isGuid(text: string): boolean {
  return GUID_PATTERN.test(text);
}

/** Lower-cases a GUID (braces dropped); throws InvalidFormat for anything else. */
export function normalizeGuid(text: string, path?: string): Guid {
  const match = GUID_PATTERN.exec(text);
  if (!match) throw new PipelineError("InvalidFormat", `"${text}" is not a GUID`, { path });
  return match[1].toLowerCase();
}

/** A random version-4 GUID. */
export function newGuid(): Guid {
  return crypto.randomUUID();
}
