import type { StoredMessage } from "./message";

/** Where the broker records state changes. In memory this does nothing; see persistence.ts for the file. */
export interface Journal {
  putMessage(path: string, message: StoredMessage): void;
  removeMessage(path: string, sequenceNumber: number): void;
  putSessionState(path: string, sessionId: string, state: Buffer | undefined): void;
  /** Runs `then` once everything recorded so far is durable (at once in memory). */
  whenDurable(then: () => void): void;
  close(): void;
}

export const memoryJournal: Journal = {
  putMessage() {},
  removeMessage() {},
  putSessionState() {},
  whenDurable(then) {
    then();
  },
  close() {},
};
