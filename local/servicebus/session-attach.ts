import { types, type Sender } from "rhea";
import { BrokerError, Condition, toBrokerError } from "./errors";
import type { ReceiverLink } from "./receiver-link";
import { flush, linkState, setSource } from "./rhea-internals";

const sessionFilter = "com.microsoft:session-filter";
const defaultWaitInMs = 60_000;

/** .NET ticks (100 ns since 0001-01-01) as an AMQP long, the form of `com.microsoft:locked-until-utc`. */
function ticks(utcMs: number): unknown {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE((BigInt(utcMs) + 62_135_596_800_000n) * 10_000n);
  return types.wrap_long(bytes);
}

function requestedSession(filter: Record<string, unknown> | undefined): string | undefined {
  let value: unknown = filter?.[sessionFilter];
  if (value && typeof value === "object" && "value" in value) value = (value as { value: unknown }).value;
  return typeof value === "string" ? value : undefined;
}

/**
 * Answers a session receiver's attach (held back until now): with the named session, or the next one that
 * has messages once there is one; refused with session-cannot-be-locked, or with com.microsoft:timeout
 * when none turns up within the client's `com.microsoft:timeout`.
 */
export function acceptSessionFor(link: ReceiverLink, source: { address?: string; filter?: Record<string, unknown> }, sender: Sender): void {
  const address = source.address ?? "";
  const store = link.store;
  const properties = linkState(sender).remote.attach?.properties ?? {};
  const waitInMs = Number(properties["com.microsoft:timeout"] ?? defaultWaitInMs);

  const refuse = (error: BrokerError) => {
    setSource(sender, { address });
    sender.open();
    sender.close(error.toAmqp());
    flush(sender.connection);
  };
  const grant = (sessionId: string) => {
    if (sender.is_closed()) {
      store.detach(link);
      return;
    }
    link.sessionId = sessionId;
    setSource(sender, { address, filter: { [sessionFilter]: sessionId } });
    linkState(sender).local.attach.properties = { "com.microsoft:locked-until-utc": ticks(store.sessionLockedUntil(sessionId)) };
    sender.open();
    store.attach(link);
    flush(sender.connection);
    store.pump();
  };

  let acquired: string | Promise<string>;
  try {
    acquired = store.acquireSession(link, requestedSession(source.filter));
  } catch (error) {
    refuse(toBrokerError(error));
    return;
  }
  if (typeof acquired === "string") {
    grant(acquired);
    return;
  }
  // Answer a little before the client's own deadline, so it hears the service's timeout rather than its own.
  const timer = setTimeout(() => {
    store.cancelSessionWait(link);
    refuse(new BrokerError(Condition.timeout, `No unlocked sessions were available within ${waitInMs} ms on '${address}'.`));
  }, waitInMs * 0.9);
  void acquired.then((sessionId) => {
    clearTimeout(timer);
    grant(sessionId);
  });
}
