/**
 * An encoded context kept as its root members, so the size of each member is known from the one
 * encoding (the size rules need that) and the body is those pieces joined.
 */
export interface EncodedContext {
  open: string;
  separator: string;
  close: string;
  members: Array<{ name: string; text: string }>;
}

export function joinEncoded(encoded: EncodedContext): string {
  return encoded.open + encoded.members.map((member) => member.text).join(encoded.separator) + encoded.close;
}
