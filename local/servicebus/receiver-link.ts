import type { Delivery, Sender } from "rhea";
import { BrokerError, Condition } from "./errors";
import type { LockToken } from "./lock-token";
import { encodeForDelivery, type StoredMessage } from "./message";
import { flush, isDraining, linkState, markRemotelySettled, outcome as outcomes, queuedDeliveries } from "./rhea-internals";
import type { Consumer, MessageStore, Settlement } from "./store";

/**
 * The broker's side of a client's receiver link: a Consumer of one store. In peekLock each delivery's tag
 * is its lock token; the client's disposition settles the message and the broker answers with a settled
 * disposition (or message-lock-lost).
 */
export class ReceiverLink implements Consumer {
  private readonly lockTokens = new WeakMap<Delivery, string>();
  sessionId?: string;

  constructor(
    readonly sender: Sender,
    readonly store: MessageStore,
    readonly peekLock: boolean,
    /** The journal's: a settlement is confirmed once it is on disk. */
    private readonly whenDurable: (then: () => void) => void,
  ) {}

  credit(): number {
    if (!this.sender.is_open() || !this.sender.sendable()) return 0;
    return linkState(this.sender).credit - queuedDeliveries(this.sender);
  }

  deliver(message: StoredMessage, lock: LockToken | undefined, lockedUntilUtc: number | undefined): void {
    const encoded = encodeForDelivery(message, { lockedUntilUtc });
    const delivery = this.sender.send(encoded, lock?.tag ?? Buffer.alloc(16), 0);
    if (lock) this.lockTokens.set(delivery, lock.token);
  }

  /** The client granted credit, or asked to drain it. */
  onFlow(): void {
    this.store.pump();
    if (isDraining(this.sender)) this.finishDrain();
  }

  private finishDrain(): void {
    if (!this.sender.is_open()) return;
    if (queuedDeliveries(this.sender) > 0) {
      setImmediate(() => this.finishDrain());
      return;
    }
    this.sender.set_drained(true);
    flush(this.sender.connection);
  }

  /** The client settled a delivery (complete, abandon, defer or dead-letter). */
  onDisposition(delivery: Delivery, settlement: Settlement, outcome: unknown): void {
    const token = this.lockTokens.get(delivery);
    if (token === undefined) return;
    this.lockTokens.delete(delivery);
    const answer = (settled: unknown) => {
      delivery.update(true, settled);
      markRemotelySettled(delivery);
    };
    try {
      this.store.settle(token, settlement);
    } catch (error) {
      const brokerError = error instanceof BrokerError ? error : new BrokerError(Condition.internalError, String(error));
      answer(outcomes.rejected(brokerError.toAmqp()));
      return;
    }
    this.whenDurable(() => answer(outcome));
  }

  close(): void {
    this.store.detach(this);
  }
}
