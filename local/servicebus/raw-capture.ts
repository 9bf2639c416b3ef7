import { message as amqp } from "rhea";

const rawBytes = Symbol.for("local-servicebus.raw-message-bytes");
let installed = false;

/**
 * rhea decodes every incoming message and drops its bytes; the broker forwards the sender's bytes
 * unchanged, so it keeps them: rhea's decoder is wrapped once to remember the buffer it decoded.
 */
export function captureRawMessageBytes(): void {
  if (installed) return;
  installed = true;
  const decode = amqp.decode;
  amqp.decode = (buffer: Buffer) => {
    const decoded = decode(buffer);
    Object.defineProperty(decoded, rawBytes, { value: buffer, enumerable: false });
    return decoded;
  };
}

export function rawBytesOf(decoded: object): Buffer | undefined {
  return (decoded as { [rawBytes]?: Buffer })[rawBytes];
}
