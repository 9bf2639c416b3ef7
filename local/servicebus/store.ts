import { BrokerError, Condition } from "./errors";
import type { Journal } from "./journal";
import { newLockToken, type LockToken } from "./lock-token";
import { MessageState, viewOf, withApplicationProperties, type StoredMessage } from "./message";
import { ReadyQueue } from "./ready-queue";
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

interface SessionSlot {
  ready: ReadyQueue;
  owner?: Consumer;
  lockedUntilUtc: number;
  state?: Buffer;
  updatedUtc: number;
}

interface SessionWaiter {
  owner: Consumer;
  resolve(sessionId: string): void;
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
  private readonly sessions = new Map<string, SessionSlot>();
  private readonly sessionWaiters: SessionWaiter[] = [];
  private readonly consumers = new Set<Consumer>();
  private pumping = false;

  constructor(
    readonly path: string,
    readonly properties: ReceivableProperties,
    private readonly journal: Journal,
    withDeadLetter = true,
  ) {
    if (withDeadLetter) {
      this.deadLetter = new MessageStore(`${path}/$DeadLetterQueue`, { ...properties, requiresSession: false }, journal, false);
    }
  }

  get activeMessageCount(): number {
    let count = 0;
    for (const message of this.messages.values()) if (message.state === MessageState.active) count++;
    return count;
  }

  /** Adds a message (already given its sequence number); `restore` skips journaling on recovery. */
  add(message: StoredMessage, restore = false): void {
    if (this.properties.requiresSession && viewOf(message).sessionId === undefined && message.state !== MessageState.scheduled) {
      throw new BrokerError(Condition.invalidField, `The SessionId was not set on a message, and it cannot be sent to the entity '${this.path}'. Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.`);
    }
    if (message.expiresAtUtc === undefined) {
      const ttl = Math.min(message.header.ttl ?? Number.MAX_SAFE_INTEGER, this.properties.defaultMessageTimeToLiveInMs);
      message.expiresAtUtc = message.enqueuedTimeUtc + ttl;
    }
    this.messages.set(message.sequenceNumber, message);
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
    this.session(sessionId).ready.push(message.sequenceNumber);
    this.serveSessionWaiters();
  }

  private session(sessionId: string): SessionSlot {
    let slot = this.sessions.get(sessionId);
    if (!slot) {
      slot = { ready: new ReadyQueue(), lockedUntilUtc: 0, updatedUtc: Date.now() };
      this.sessions.set(sessionId, slot);
    }
    return slot;
  }

  attach(consumer: Consumer): void {
    this.consumers.add(consumer);
  }

  detach(consumer: Consumer): void {
    this.consumers.delete(consumer);
    const waiter = this.sessionWaiters.findIndex((entry) => entry.owner === consumer);
    if (waiter >= 0) this.sessionWaiters.splice(waiter, 1);
    if (consumer.sessionId !== undefined) this.releaseSession(consumer.sessionId, consumer);
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
    let queue = this.ready;
    if (consumer.sessionId !== undefined) {
      const slot = this.sessions.get(consumer.sessionId);
      if (!slot || slot.owner !== consumer) return undefined;
      queue = slot.ready;
    } else if (this.properties.requiresSession) {
      return undefined;
    }
    for (;;) {
      const sequenceNumber = queue.shift();
      if (sequenceNumber === undefined) return undefined;
      const message = this.messages.get(sequenceNumber);
      if (!message || message.state !== MessageState.active || this.lockedSequences.has(sequenceNumber)) continue;
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
    const sessionSlot = owner?.sessionId !== undefined ? this.sessions.get(owner.sessionId) : undefined;
    const lockedUntilUtc = sessionSlot ? sessionSlot.lockedUntilUtc : Date.now() + this.properties.lockDurationInMs;
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
    const lock = this.locks.get(token);
    if (!lock || lock.lockedUntilUtc < Date.now() || !this.messages.has(lock.sequenceNumber)) {
      if (lock) this.expireLock(lock);
      throw new BrokerError(Condition.messageLockLost, `The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue. Reference:${token}, Entity:${this.path}`);
    }
    if (lock.owner?.sessionId !== undefined && this.sessions.get(lock.owner.sessionId)?.owner !== lock.owner) {
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
    for (const lock of [...this.locks.values()]) if (lock.lockedUntilUtc < now && lock.owner?.sessionId === undefined) this.expireLock(lock);
    for (const message of [...this.messages.values()]) {
      if (message.state === MessageState.scheduled && (message.scheduledEnqueueTimeUtc ?? 0) <= now) {
        message.state = MessageState.active;
        this.replace(message);
        this.makeReady(message);
      } else if (message.state === MessageState.active && !this.lockedSequences.has(message.sequenceNumber)) {
        this.expireIfDue(message, now);
      }
    }
    for (const [sessionId, slot] of this.sessions) {
      if (slot.owner && slot.lockedUntilUtc < now) this.releaseSession(sessionId, slot.owner);
    }
    this.deadLetter?.sweep(now);
    this.pump();
  }

  /** Releases every lock (used on recovery: locks do not survive a restart). */
  releaseAllLocks(): void {
    for (const lock of [...this.locks.values()]) this.expireLock(lock);
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
      const owner = sessionId !== undefined ? this.sessions.get(sessionId)?.owner : undefined;
      const { handle, lockedUntilUtc } = this.lock(message, owner);
      return { message, lock: handle, lockedUntilUtc };
    });
  }

  cancelScheduled(sequenceNumbers: number[]): void {
    for (const sequenceNumber of sequenceNumbers) {
      const message = this.messages.get(sequenceNumber);
      if (message?.state === MessageState.scheduled) this.remove(sequenceNumber);
    }
  }

  // ---- sessions ----

  /** Locks a named session, or the next one with messages; resolves when one is free (caller handles timeout). */
  acquireSession(owner: Consumer, requested: string | undefined): Promise<string> | string {
    if (requested !== undefined) {
      const slot = this.session(requested);
      if (slot.owner && slot.owner !== owner && slot.lockedUntilUtc >= Date.now()) {
        throw new BrokerError(Condition.sessionCannotBeLocked, `The requested session '${requested}' cannot be accepted. It may be locked by another receiver.`);
      }
      this.lockSession(requested, slot, owner);
      return requested;
    }
    const free = this.freeSessionWithMessages();
    if (free !== undefined) {
      this.lockSession(free, this.session(free), owner);
      return free;
    }
    return new Promise((resolve) => this.sessionWaiters.push({ owner, resolve }));
  }

  cancelSessionWait(owner: Consumer): void {
    const index = this.sessionWaiters.findIndex((entry) => entry.owner === owner);
    if (index >= 0) this.sessionWaiters.splice(index, 1);
  }

  private freeSessionWithMessages(): string | undefined {
    const now = Date.now();
    for (const [sessionId, slot] of this.sessions) {
      if ((slot.owner && slot.lockedUntilUtc >= now) || slot.ready.size === 0) continue;
      for (const sequenceNumber of slot.ready) {
        const message = this.messages.get(sequenceNumber);
        if (message && message.state === MessageState.active && !this.lockedSequences.has(sequenceNumber)) return sessionId;
      }
    }
    return undefined;
  }

  private serveSessionWaiters(): void {
    while (this.sessionWaiters.length) {
      const free = this.freeSessionWithMessages();
      if (free === undefined) return;
      const waiter = this.sessionWaiters.shift() as SessionWaiter;
      this.lockSession(free, this.session(free), waiter.owner);
      waiter.resolve(free);
    }
  }

  private lockSession(sessionId: string, slot: SessionSlot, owner: Consumer): void {
    if (slot.owner && slot.owner !== owner) this.releaseSession(sessionId, slot.owner);
    slot.owner = owner;
    slot.lockedUntilUtc = Date.now() + this.properties.lockDurationInMs;
  }

  sessionLockedUntil(sessionId: string): number {
    return this.sessions.get(sessionId)?.lockedUntilUtc ?? 0;
  }

  private releaseSession(sessionId: string, owner: Consumer): void {
    const slot = this.sessions.get(sessionId);
    if (!slot || slot.owner !== owner) return;
    slot.owner = undefined;
    slot.lockedUntilUtc = 0;
    for (const lock of [...this.locks.values()]) if (lock.owner === owner) this.expireLock(lock);
    this.serveSessionWaiters();
    this.pump();
  }

  private ownedSession(sessionId: string): SessionSlot {
    const slot = this.sessions.get(sessionId);
    if (!slot?.owner || slot.lockedUntilUtc < Date.now()) {
      throw new BrokerError(Condition.sessionLockLost, `The session lock has expired on the MessageSession. Session:${sessionId}, Entity:${this.path}`);
    }
    return slot;
  }

  renewSessionLock(sessionId: string): number {
    const slot = this.ownedSession(sessionId);
    slot.lockedUntilUtc = Date.now() + this.properties.lockDurationInMs;
    for (const lock of this.locks.values()) if (lock.owner === slot.owner) lock.lockedUntilUtc = slot.lockedUntilUtc;
    return slot.lockedUntilUtc;
  }

  getSessionState(sessionId: string): Buffer | undefined {
    return this.ownedSession(sessionId).state;
  }

  setSessionState(sessionId: string, state: Buffer | undefined, restore = false): void {
    const slot = restore ? this.session(sessionId) : this.ownedSession(sessionId);
    slot.state = state;
    slot.updatedUtc = Date.now();
    if (!restore) this.journal.putSessionState(this.path, sessionId, state);
  }

  sessionIds(): string[] {
    const ids: string[] = [];
    for (const [sessionId, slot] of this.sessions) {
      if (slot.state !== undefined || slot.ready.size > 0) ids.push(sessionId);
    }
    return ids;
  }

  /** Everything stored, for persistence compaction. */
  snapshot(): { messages: StoredMessage[]; sessionStates: [string, Buffer][] } {
    const sessionStates: [string, Buffer][] = [];
    for (const [sessionId, slot] of this.sessions) if (slot.state) sessionStates.push([sessionId, slot.state]);
    return { messages: [...this.messages.values()], sessionStates };
  }
}
