/**
 * A JSON value read without loss: numbers keep their literal text and objects keep member order and
 * duplicates. Used for members and values this model does not know, so they are written back as read.
 */
export type JsonNode = null | boolean | string | JsonNumberNode | JsonNode[] | JsonObjectNode;

export interface JsonNumberNode {
  readonly number: string;
}

export interface JsonObjectNode {
  readonly members: Array<[string, JsonNode]>;
}

/** A member of a data contract that this model does not know, kept where it was read. */
export interface UnknownMember {
  name: string;
  value: JsonNode;
  /** The known member it followed in the input (null: it came first). */
  after: string | null;
}

/** Objects that keep the members they did not recognise. */
export interface Extensible {
  unknownMembers?: UnknownMember[];
}

export function isJsonNumber(node: JsonNode): node is JsonNumberNode {
  return typeof node === "object" && node !== null && !Array.isArray(node) && "number" in node;
}
