import { BrokerError, Condition } from "./errors";
import type { Journal } from "./journal";
import { newLockToken, type LockToken } from "./lock-token";
import { MessageState, viewOf, withApplicationProperties, type StoredMessage } from "./message";
import { ReadyQueue } from "./ready-queue";
import { Sessions } from "./sessions";
import type { ReceivableProperties } from "./entity-properties";

/** A link (or management caller) that takes messages from a store. */
export interface Consumer {
  readonly peekLock: boolean;
  /** Set for a session receiver: only this session's messages go to it. */
  readonly sessionId?: string;
  credit(): number;
  deliver(message: StoredMessage, lock: LockToken | undefined, lockedUntilUtc: number | undefined): void;
}

export type Settlement =
  | { kind: "complete" }
  | { kind: "abandon"; propertiesToModify?: Record<string, unknown> }
  | { kind: "defer"; propertiesToModify?: Record<string, unknown> }
  | { kind: "deadLetter"; reason?: string; description?: string; propertiesToModify?: Record<string, unknown> };

interface Lock {
  token: string;
  sequenceNumber: number;
  lockedUntilUtc: number;
  owner?: Consumer;
}

/**
 * The messages of one queue, one subscription, or one of their dead-letter subqueues: availability,
 * peek-locks, settlement, deferral, scheduling, expiry and sessions.
 */
export class MessageStore {
  readonly deadLetter?: MessageStore;
  private readonly messages = new Map<number, StoredMessage>();
  private readonly ready = new ReadyQueue();
  private readonly locks = new Map<string, Lock>();
  private readonly lockedSequences = new Set<number>();
  private readonly sessions: Sessions;
  /** Lock tokens that ended because their session lock did: settling them reports the session lock lost. */
  private readonly lostWithSession = new Map<string, string>();
  private readonly consumers = new Set<Consumer>();
  private pumping = false;
  /** No active message expires before this time, so sweeps skip the expiry scan until then. */
  private nextExpiryUtc = Number.POSITIVE_INFINITY;

  constructor(
    readonly path: string,
    readonly properties: ReceivableProperties,
    private readonly journal: Journal,
    /** Auto-forwarding: hands a message to another queue or topic (absent for dead-letter subqueues). */
    private readonly forward?: (address: string, message: StoredMessage) => void,
  ) {
    this.sessions = new Sessions(
      path,
      properties.lockDurationInMs,
      (ready) => {
        for (const sequenceNumber of ready) if (this.isAvailable(sequenceNumber)) return true;
        return false;
      },
      (owner) => {
        for (const lock of this.locks.values()) {
          if (lock.owner !== owner) continue;
          this.lostWithSession.set(lock.token, (owner as Consumer).sessionId ?? "");
          this.expireLock(lock);
        }
        if (this.lostWithSession.size > 10_000) this.lostWithSession.clear();
        this.pump();
      },
    );
    if (forward) {
      this.deadLetter = new MessageStore(`${path}/$DeadLetterQueue`, { ...properties, requiresSession: false, forwardTo: undefined, forwardDeadLetteredMessagesTo: undefined }, journal);
    }
  }

  get activeMessageCount(): number {
    let count = 0;
    for (const message of this.messages.values()) if (message.state === MessageState.active) count++;
    return count;
  }

  /** Adds a message (already given its sequence number); `restore` skips journaling on recovery. */
  add(message: StoredMessage, restore = false): void {
    if (this.properties.forwardTo && this.forward && !restore) {
      this.forward(this.properties.forwardTo, message);
      return;
    }
    if (this.properties.requiresSession && viewOf(message).sessionId === undefined) {
      throw new BrokerError(Condition.invalidField, `The SessionId was not set on a message, and it cannot be sent to the entity '${this.path}'. Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.`);
    }
    if (message.expiresAtUtc === undefined) {
      const ttl = Math.min(message.header.ttl ?? Number.MAX_SAFE_INTEGER, this.properties.defaultMessageTimeToLiveInMs);
      message.expiresAtUtc = message.enqueuedTimeUtc + ttl;
    }
    this.messages.set(message.sequenceNumber, message);
    this.nextExpiryUtc = Math.min(this.nextExpiryUtc, message.expiresAtUtc ?? Number.POSITIVE_INFINITY);
    if (!restore) this.journal.putMessage(this.path, message);
    if (message.state === MessageState.active) this.makeReady(message);
    this.pump();
  }

  private makeReady(message: StoredMessage): void {
    const sessionId = this.properties.requiresSession ? viewOf(message).sessionId : undefined;
    if (sessionId === undefined) {
      this.ready.push(message.sequenceNumber);
      return;
    }
    this.sessions.push(sessionId, message.sequenceNumber);
  }

  private isAvailable(sequenceNumber: number): boolean {
    const message = this.messages.get(sequenceNumber);
    return message !== undefined && message.state === MessageState.active && !this.lockedSequences.has(sequenceNumber);
  }

  attach(consumer: Consumer): void {
    this.consumers.add(consumer);
  }

  detach(consumer: Consumer): void {
    this.consumers.delete(consumer);
    this.sessions.cancelWait(consumer);
    if (consumer.sessionId !== undefined) this.sessions.release(consumer.sessionId, consumer);
  }

  /** Hands available messages to consumers with credit. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (const consumer of this.consumers) {
        while (consumer.credit() > 0) {
          const message = this.nextFor(consumer);
          if (!message) break;
          this.handOut(message, consumer);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private nextFor(consumer: Consumer): StoredMessage | undefined {
    let queue: ReadyQueue | undefined = this.ready;
    if (consumer.sessionId !== undefined) queue = this.sessions.readyFor(consumer.sessionId, consumer);
    else if (this.properties.requiresSession) queue = undefined;
    if (!queue) return undefined;
    for (;;) {
      const sequenceNumber = queue.shift();
      if (sequenceNumber === undefined) return undefined;
      if (!this.isAvailable(sequenceNumber)) continue;
      const message = this.messages.get(sequenceNumber) as StoredMessage;
      if (this.expireIfDue(message)) continue;
      return message;
    }
  }

  private handOut(message: StoredMessage, consumer: Consumer): void {
    message.deliveryCount++;
    if (!consumer.peekLock) {
      this.remove(message.sequenceNumber);
      consumer.deliver(message, undefined, undefined);
      return;
    }
    const lock = this.lock(message, consumer);
    consumer.deliver(message, lock.handle, lock.lockedUntilUtc);
  }

  private lock(message: StoredMessage, owner: Consumer | undefined): { handle: LockToken; lockedUntilUtc: number } {
    const handle = newLockToken();
    const lockedUntilUtc = owner?.sessionId !== undefined ? this.sessions.lockedUntil(owner.sessionId) : Date.now() + this.properties.lockDurationInMs;
    this.locks.set(handle.token, { token: handle.token, sequenceNumber: message.sequenceNumber, lockedUntilUtc, owner });
    this.lockedSequences.add(message.sequenceNumber);
    return { handle, lockedUntilUtc };
  }

  private remove(sequenceNumber: number): void {
    this.messages.delete(sequenceNumber);
    this.lockedSequences.delete(sequenceNumber);
    this.journal.removeMessage(this.path, sequenceNumber);
  }

  private liveLock(token: string): Lock {
    const lostSession = this.lostWithSession.get(token);
    if (lostSession !== undefined) {
      this.lostWithSession.delete(token);
      throw new BrokerError(Condition.sessionLockLost, `The session lock has expired on the MessageSession. Session:${lostSession}, Entity:${this.path}`);
    }
    const lock = this.locks.get(token);
    if (!lock || lock.lockedUntilUtc < Date.now() || !this.messages.has(lock.sequenceNumber)) {
      if (lock) this.expireLock(lock);
      throw new BrokerError(Condition.messageLockLost, `The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue. Reference:${token}, Entity:${this.path}`);
    }
    if (lock.owner?.sessionId !== undefined && !this.sessions.isHeldBy(lock.owner.sessionId, lock.owner)) {
      throw new BrokerError(Condition.sessionLockLost, `The session lock has expired on the MessageSession. Session:${lock.owner.sessionId}, Entity:${this.path}`);
    }
    return lock;
  }

  settle(token: string, settlement: Settlement): void {
    const lock = this.liveLock(token);
    this.locks.delete(token);
    this.lockedSequences.delete(lock.sequenceNumber);
    const message = this.messages.get(lock.sequenceNumber) as StoredMessage;
    this.applySettlement(message, settlement);
    this.pump();
  }

  private applySettlement(message: StoredMessage, settlement: Settlement): void {
    switch (settlement.kind) {
      case "complete":
        this.remove(message.sequenceNumber);
        return;
      case "abandon": {
        const updated = settlement.propertiesToModify ? withApplicationProperties(message, settlement.propertiesToModify) : message;
        this.release(updated);
        return;
      }
      case "defer": {
        const updated = settlement.propertiesToModify ? withApplicationProperties(message, settlement.propertiesToModify) : message;
        updated.state = MessageState.deferred;
        this.replace(updated);
        return;
      }
      case "deadLetter": {
        const changes: Record<string, unknown> = { ...settlement.propertiesToModify };
        if (settlement.reason !== undefined) changes.DeadLetterReason = settlement.reason;
        if (settlement.description !== undefined) changes.DeadLetterErrorDescription = settlement.description;
        this.moveToDeadLetter(message, changes);
        return;
      }
    }
  }

  private replace(message: StoredMessage): void {
    this.messages.set(message.sequenceNumber, message);
    this.journal.putMessage(this.path, message);
  }

  /** Back to available after abandon or lock expiry, or to the dead-letter queue past max delivery count. */
  private release(message: StoredMessage): void {
    if (message.deliveryCount >= this.properties.maxDeliveryCount && this.deadLetter) {
      this.moveToDeadLetter(message, {
        DeadLetterReason: "MaxDeliveryCountExceeded",
        DeadLetterErrorDescription: `Message could not be consumed after ${this.properties.maxDeliveryCount} delivery attempts.`,
      });
      return;
    }
    if (message.state === MessageState.deferred) {
      this.replace(message);
      return;
    }
    this.replace(message);
    this.makeReady(message);
  }

  private moveToDeadLetter(message: StoredMessage, applicationProperties: Record<string, unknown>): void {
    this.remove(message.sequenceNumber);
    if (!this.deadLetter) return;
    const moved = withApplicationProperties(message, applicationProperties);
    if (this.properties.forwardDeadLetteredMessagesTo && this.forward) {
      this.forward(this.properties.forwardDeadLetteredMessagesTo, { ...moved, deliveryCount: 0, state: MessageState.active, expiresAtUtc: undefined, deadLetterSource: this.path });
      return;
    }
    moved.state = MessageState.active;
    moved.expiresAtUtc = Number.MAX_SAFE_INTEGER;
    this.deadLetter.add(moved);
  }

  private expireIfDue(message: StoredMessage, now = Date.now()): boolean {
    if (message.expiresAtUtc === undefined || message.expiresAtUtc > now) return false;
    if (this.properties.deadLetteringOnMessageExpiration && this.deadLetter) {
      this.moveToDeadLetter(message, { DeadLetterReason: "TTLExpiredException", DeadLetterErrorDescription: "The message expired and was dead lettered." });
    } else {
      this.remove(message.sequenceNumber);
    }
    return true;
  }

  private expireLock(lock: Lock): void {
    if (!this.locks.delete(lock.token)) return;
    this.lockedSequences.delete(lock.sequenceNumber);
    const message = this.messages.get(lock.sequenceNumber);
    if (message) this.release(message);
  }

  renewLock(token: string): number {
    const lock = this.liveLock(token);
    lock.lockedUntilUtc = Date.now() + this.properties.lockDurationInMs;
    return lock.lockedUntilUtc;
  }

  /** Periodic housekeeping: expired locks, due scheduled messages, expired messages, lost session locks. */
  sweep(now = Date.now()): void {
    for (const lock of this.locks.values()) if (lock.lockedUntilUtc < now && lock.owner?.sessionId === undefined) this.expireLock(lock);
    if (now >= this.nextExpiryUtc) {
      this.nextExpiryUtc = Number.POSITIVE_INFINITY;
      for (const message of [...this.messages.values()]) {
        const expired = message.state === MessageState.active && !this.lockedSequences.has(message.sequenceNumber) && this.expireIfDue(message, now);
        if (!expired && message.expiresAtUtc !== undefined) this.nextExpiryUtc = Math.min(this.nextExpiryUtc, message.expiresAtUtc ?? Number.POSITIVE_INFINITY);
      }
    }
    this.sessions.sweep(now);
    this.deadLetter?.sweep(now);
    this.pump();
  }

  // ---- peek, deferral, scheduling ----

  peek(fromSequenceNumber: number, count: number, sessionId?: string): StoredMessage[] {
    const result: StoredMessage[] = [];
    const ordered = [...this.messages.keys()].sort((a, b) => a - b);
    for (const sequenceNumber of ordered) {
      if (sequenceNumber < fromSequenceNumber) continue;
      const message = this.messages.get(sequenceNumber) as StoredMessage;
      if (sessionId !== undefined && viewOf(message).sessionId !== sessionId) continue;
      result.push(message);
      if (result.length >= count) break;
    }
    return result;
  }

  /** Locks (peekLock) or removes (receiveAndDelete) deferred messages by sequence number. */
  receiveDeferred(sequenceNumbers: number[], peekLock: boolean, sessionId?: string): { message: StoredMessage; lock?: LockToken; lockedUntilUtc?: number }[] {
    return sequenceNumbers.map((sequenceNumber) => {
      const message = this.messages.get(sequenceNumber);
      if (!message || message.state !== MessageState.deferred || (sessionId !== undefined && viewOf(message).sessionId !== sessionId)) {
        throw new BrokerError(Condition.messageNotFound, `Failed to retrieve the deferred message with sequence number ${sequenceNumber} from '${this.path}'.`);
      }
      message.deliveryCount++;
      if (!peekLock) {
        this.remove(sequenceNumber);
        return { message };
      }
      const owner = sessionId !== undefined ? (this.sessions.ownerOf(sessionId) as Consumer | undefined) : undefined;
      const { handle, lockedUntilUtc } = this.lock(message, owner);
      return { message, lock: handle, lockedUntilUtc };
    });
  }

  // ---- sessions ----

  acquireSession(owner: Consumer, requested: string | undefined): Promise<string> | string {
    return this.sessions.acquire(owner, requested);
  }

  cancelSessionWait(owner: Consumer): void {
    this.sessions.cancelWait(owner);
  }

  sessionLockedUntil(sessionId: string): number {
    return this.sessions.lockedUntil(sessionId);
  }

  renewSessionLock(sessionId: string): number {
    const { owner, lockedUntilUtc } = this.sessions.renew(sessionId);
    for (const lock of this.locks.values()) if (lock.owner === owner) lock.lockedUntilUtc = lockedUntilUtc;
    return lockedUntilUtc;
  }

  getSessionState(sessionId: string): Buffer | undefined {
    return this.sessions.getState(sessionId);
  }

  setSessionState(sessionId: string, state: Buffer | undefined, restore = false): void {
    this.sessions.setState(sessionId, state, restore);
    if (!restore) this.journal.putSessionState(this.path, sessionId, state);
  }

  sessionIds(): string[] {
    return this.sessions.ids();
  }
}
