import { BrokerError, Condition } from "./errors";
import { ReadyQueue } from "./ready-queue";

/** What a session lock is held by (a session receiver link); compared by identity. */
export type SessionOwner = object;

interface SessionSlot {
  ready: ReadyQueue;
  owner?: SessionOwner;
  lockedUntilUtc: number;
  state?: Buffer;
}

interface SessionWaiter {
  owner: SessionOwner;
  resolve(sessionId: string): void;
}

/**
 * The sessions of one session-enabled store: each session's available messages, its lock and its state,
 * and receivers waiting for the next session that has messages.
 */
export class Sessions {
  private readonly slots = new Map<string, SessionSlot>();
  private readonly waiters: SessionWaiter[] = [];

  constructor(
    private readonly path: string,
    private readonly lockDurationInMs: number,
    /** Whether a queue holds a message that can be delivered now. */
    private readonly hasAvailable: (ready: ReadyQueue) => boolean,
    /** Called when an owner loses its session: its message locks end. */
    private readonly onReleased: (owner: SessionOwner) => void,
  ) {}

  private slot(sessionId: string): SessionSlot {
    let slot = this.slots.get(sessionId);
    if (!slot) {
      slot = { ready: new ReadyQueue(), lockedUntilUtc: 0 };
      this.slots.set(sessionId, slot);
    }
    return slot;
  }

  /** Makes a message available in its session and hands the session to a waiting receiver if it can. */
  push(sessionId: string, sequenceNumber: number): void {
    this.slot(sessionId).ready.push(sequenceNumber);
    this.serveWaiters();
  }

  /** The session's queue when `owner` holds its lock. */
  readyFor(sessionId: string, owner: SessionOwner): ReadyQueue | undefined {
    const slot = this.slots.get(sessionId);
    return slot?.owner === owner ? slot.ready : undefined;
  }

  isHeldBy(sessionId: string, owner: SessionOwner): boolean {
    return this.slots.get(sessionId)?.owner === owner;
  }

  ownerOf(sessionId: string): SessionOwner | undefined {
    return this.slots.get(sessionId)?.owner;
  }

  lockedUntil(sessionId: string): number {
    return this.slots.get(sessionId)?.lockedUntilUtc ?? 0;
  }

  /** Locks a named session, or the next one with messages; a promise when the caller must wait (it handles the timeout). */
  acquire(owner: SessionOwner, requested: string | undefined): Promise<string> | string {
    if (requested !== undefined) {
      const slot = this.slot(requested);
      if (slot.owner && slot.owner !== owner && slot.lockedUntilUtc >= Date.now()) {
        throw new BrokerError(Condition.sessionCannotBeLocked, `The requested session '${requested}' cannot be accepted. It may be locked by another receiver.`);
      }
      this.lock(requested, owner);
      return requested;
    }
    const free = this.freeWithMessages();
    if (free !== undefined) {
      this.lock(free, owner);
      return free;
    }
    return new Promise((resolve) => this.waiters.push({ owner, resolve }));
  }

  cancelWait(owner: SessionOwner): void {
    const index = this.waiters.findIndex((entry) => entry.owner === owner);
    if (index >= 0) this.waiters.splice(index, 1);
  }

  private freeWithMessages(): string | undefined {
    const now = Date.now();
    for (const [sessionId, slot] of this.slots) {
      if (slot.owner && slot.lockedUntilUtc >= now) continue;
      if (slot.ready.size > 0 && this.hasAvailable(slot.ready)) return sessionId;
    }
    return undefined;
  }

  private serveWaiters(): void {
    while (this.waiters.length) {
      const free = this.freeWithMessages();
      if (free === undefined) return;
      const waiter = this.waiters.shift() as SessionWaiter;
      this.lock(free, waiter.owner);
      waiter.resolve(free);
    }
  }

  private lock(sessionId: string, owner: SessionOwner): void {
    const slot = this.slot(sessionId);
    if (slot.owner && slot.owner !== owner) this.release(sessionId, slot.owner);
    slot.owner = owner;
    slot.lockedUntilUtc = Date.now() + this.lockDurationInMs;
  }

  release(sessionId: string, owner: SessionOwner): void {
    const slot = this.slots.get(sessionId);
    if (!slot || slot.owner !== owner) return;
    slot.owner = undefined;
    slot.lockedUntilUtc = 0;
    this.onReleased(owner);
    this.serveWaiters();
  }

  /** Releases the sessions whose lock ran out. */
  sweep(now: number): void {
    for (const [sessionId, slot] of this.slots) if (slot.owner && slot.lockedUntilUtc < now) this.release(sessionId, slot.owner);
  }

  private owned(sessionId: string): SessionSlot {
    const slot = this.slots.get(sessionId);
    if (!slot?.owner || slot.lockedUntilUtc < Date.now()) {
      throw new BrokerError(Condition.sessionLockLost, `The session lock has expired on the MessageSession. Session:${sessionId}, Entity:${this.path}`);
    }
    return slot;
  }

  /** Extends the session lock; returns the new expiry. */
  renew(sessionId: string): { owner: SessionOwner; lockedUntilUtc: number } {
    const slot = this.owned(sessionId);
    slot.lockedUntilUtc = Date.now() + this.lockDurationInMs;
    return { owner: slot.owner as SessionOwner, lockedUntilUtc: slot.lockedUntilUtc };
  }

  getState(sessionId: string): Buffer | undefined {
    return this.owned(sessionId).state;
  }

  /** Sets the state (only under the session lock, unless restoring from disk). */
  setState(sessionId: string, state: Buffer | undefined, restore: boolean): void {
    const slot = restore ? this.slot(sessionId) : this.owned(sessionId);
    slot.state = state;
  }

  ids(): string[] {
    const ids: string[] = [];
    for (const [sessionId, slot] of this.slots) if (slot.state !== undefined || slot.ready.size > 0) ids.push(sessionId);
    return ids;
  }
}
