/**
 * Byte-level view of an encoded AMQP 1.0 message: where each section starts and ends, so that the broker
 * can forward the bare message (properties, application properties, body) exactly as the sender wrote it.
 */
export const SectionCode = {
  header: 0x70,
  deliveryAnnotations: 0x71,
  messageAnnotations: 0x72,
  properties: 0x73,
  applicationProperties: 0x74,
  data: 0x75,
  sequence: 0x76,
  value: 0x77,
  footer: 0x78,
} as const;

export interface RawSections {
  header?: Buffer;
  messageAnnotations?: Buffer;
  properties?: Buffer;
  applicationProperties?: Buffer;
  /** All body sections, concatenated as received. */
  body: Buffer;
}

/** Splits an encoded message into its sections without decoding their values. */
export function splitSections(encoded: Buffer): RawSections {
  const sections: RawSections = { body: Buffer.alloc(0) };
  let bodyStart = -1;
  let bodyEnd = -1;
  let position = 0;
  while (position < encoded.length) {
    const start = position;
    if (encoded[position] !== 0x00) throw new Error(`malformed message: expected a described section at byte ${position}`);
    const [code, afterDescriptor] = readDescriptorCode(encoded, position + 1);
    position = skipValue(encoded, afterDescriptor);
    const bytes = encoded.subarray(start, position);
    switch (code) {
      case SectionCode.header:
        sections.header = bytes;
        break;
      case SectionCode.messageAnnotations:
        sections.messageAnnotations = bytes;
        break;
      case SectionCode.properties:
        sections.properties = bytes;
        break;
      case SectionCode.applicationProperties:
        sections.applicationProperties = bytes;
        break;
      case SectionCode.data:
      case SectionCode.sequence:
      case SectionCode.value:
        if (bodyStart < 0) bodyStart = start;
        bodyEnd = position;
        break;
      default:
        // delivery annotations are hop-by-hop and the footer is not forwarded
        break;
    }
  }
  if (bodyStart >= 0) sections.body = encoded.subarray(bodyStart, bodyEnd);
  return sections;
}

/** The payloads of the data sections of a batch message (format 0x80013700): each one a whole encoded message. */
export function batchedMessages(encoded: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  let position = 0;
  while (position < encoded.length) {
    const [code, afterDescriptor] = readDescriptorCode(encoded, position + 1);
    const end = skipValue(encoded, afterDescriptor);
    if (code === SectionCode.data) messages.push(binaryPayload(encoded, afterDescriptor));
    position = end;
  }
  return messages;
}

function binaryPayload(buffer: Buffer, position: number): Buffer {
  const constructor = buffer[position];
  if (constructor === 0xa0) return buffer.subarray(position + 2, position + 2 + buffer[position + 1]);
  if (constructor === 0xb0) return buffer.subarray(position + 5, position + 5 + buffer.readUInt32BE(position + 1));
  throw new Error(`malformed batch: data section holds type 0x${constructor.toString(16)}`);
}

function readDescriptorCode(buffer: Buffer, position: number): [number, number] {
  const constructor = buffer[position];
  if (constructor === 0x53) return [buffer[position + 1], position + 2];
  if (constructor === 0x80) return [Number(buffer.readBigUInt64BE(position + 1)), position + 9];
  // symbolic descriptors (amqp:data:binary, ...) are legal but unused by the SDKs; skip them as unknown
  return [-1, skipValue(buffer, position)];
}

/** Returns the position just after the encoded value starting at `position`. */
export function skipValue(buffer: Buffer, position: number): number {
  const code = buffer[position];
  if (code === undefined) throw new Error("malformed message: truncated value");
  if (code === 0x00) {
    const afterDescriptor = skipValue(buffer, position + 1);
    return skipValue(buffer, afterDescriptor);
  }
  const category = code & 0xf0;
  switch (category) {
    case 0x40:
      return position + 1;
    case 0x50:
      return position + 2;
    case 0x60:
      return position + 3;
    case 0x70:
      return position + 5;
    case 0x80:
      return position + 9;
    case 0x90:
      return position + 17;
    case 0xa0:
    case 0xc0:
    case 0xe0:
      return position + 2 + buffer[position + 1];
    case 0xb0:
    case 0xd0:
    case 0xf0:
      return position + 5 + buffer.readUInt32BE(position + 1);
    default:
      throw new Error(`malformed message: unknown type code 0x${code.toString(16)}`);
  }
}
