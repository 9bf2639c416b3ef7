import { closeSync, existsSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { Journal } from "./journal";
import type { MessageStateCode, StoredMessage } from "./message";
import { eventHubsJournalPrefix, type EventHubs } from "./event-hubs";
import { entityOf, type Namespace } from "./namespace";

interface StoredRecord {
  seq: number;
  enq: number;
  dc: number;
  st: MessageStateCode;
  sch?: number;
  exp?: number;
  dls?: string;
  h: StoredMessage["header"];
  ma?: string;
  p?: string;
  ap?: string;
  b: string;
}

type LogLine =
  | { op: "put"; path: string; m: StoredRecord }
  | { op: "del"; path: string; seq: number }
  | { op: "state"; path: string; session: string; state: string | null }
  /** The highest sequence number a queue or topic has given (written on compaction, where its messages' lines may go). */
  | { op: "seq"; path: string; seq: number };

const b64 = (buffer: Buffer | undefined) => buffer?.toString("base64");
const unb64 = (text: string | undefined) => (text === undefined ? undefined : Buffer.from(text, "base64"));

function toRecord(message: StoredMessage): StoredRecord {
  const { sections } = message;
  return {
    seq: message.sequenceNumber,
    enq: message.enqueuedTimeUtc,
    dc: message.deliveryCount,
    st: message.state,
    sch: message.scheduledEnqueueTimeUtc,
    exp: message.expiresAtUtc,
    dls: message.deadLetterSource,
    h: message.header,
    ma: b64(sections.messageAnnotations),
    p: b64(sections.properties),
    ap: b64(sections.applicationProperties),
    b: b64(sections.body) ?? "",
  };
}

function fromRecord(record: StoredRecord): StoredMessage {
  return {
    sequenceNumber: record.seq,
    enqueuedTimeUtc: record.enq,
    deliveryCount: record.dc,
    state: record.st,
    scheduledEnqueueTimeUtc: record.sch,
    expiresAtUtc: record.exp,
    deadLetterSource: record.dls,
    header: record.h,
    sections: { messageAnnotations: unb64(record.ma), properties: unb64(record.p), applicationProperties: unb64(record.ap), body: unb64(record.b) ?? Buffer.alloc(0) },
  };
}

export interface FileJournal extends Journal {
  /** Loads the log into the namespace (locks are not kept: locked messages become available again), then compacts it. */
  recover(namespace: Namespace, eventHubs: EventHubs): void;
}

/**
 * An append-only log in `<dir>/messages.log` (Service Bus messages, session states and Event Hubs events). Records are grouped and written with one fdatasync before
 * the senders' transfers are acknowledged (group commit), so an acknowledged message survives a crash.
 */
export function openFileJournal(dir: string): FileJournal {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "messages.log");
  let fd = openSync(file, "a");
  let pending: string[] = [];
  let waiting: (() => void)[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    if (pending.length) {
      writeSync(fd, pending.join(""));
      fdatasyncSync(fd);
      pending = [];
    }
    const callbacks = waiting;
    waiting = [];
    for (const callback of callbacks) callback();
  };
  const record = (line: LogLine) => {
    pending.push(`${JSON.stringify(line)}\n`);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  return {
    putMessage: (path, message) => record({ op: "put", path, m: toRecord(message) }),
    removeMessage: (path, seq) => record({ op: "del", path, seq }),
    putSessionState: (path, session, state) => record({ op: "state", path, session, state: b64(state) ?? null }),
    whenDurable(then) {
      if (!scheduled && pending.length === 0) {
        then();
        return;
      }
      waiting.push(then);
    },
    close() {
      if (fd < 0) return;
      flush();
      closeSync(fd);
      fd = -1;
    },
    recover(namespace, eventHubs) {
      const messages = new Map<string, Map<number, StoredRecord>>();
      const states = new Map<string, Map<string, string | null>>();
      const highestSequenceNumbers = new Map<string, number>();
      const numbered = (path: string, seq: number) => {
        if (path.startsWith(eventHubsJournalPrefix)) return;
        const entity = entityOf(path);
        highestSequenceNumbers.set(entity, Math.max(highestSequenceNumbers.get(entity) ?? 0, seq));
      };
      const text = existsSync(file) ? readFileSync(file, "utf8") : "";
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        let entry: LogLine;
        try {
          entry = JSON.parse(line) as LogLine;
        } catch {
          continue; // a torn last line from a crash mid-write: its transfer was never acknowledged
        }
        if (entry.op === "put") {
          if (!messages.has(entry.path)) messages.set(entry.path, new Map());
          messages.get(entry.path)?.set(entry.m.seq, entry.m);
          numbered(entry.path, entry.m.seq);
        } else if (entry.op === "seq") {
          numbered(entry.path, entry.seq);
        } else if (entry.op === "del") {
          messages.get(entry.path)?.delete(entry.seq);
        } else {
          if (!states.has(entry.path)) states.set(entry.path, new Map());
          states.get(entry.path)?.set(entry.session, entry.state);
        }
      }
      const compacted: string[] = [];
      for (const [entity, seq] of highestSequenceNumbers) {
        try {
          namespace.restoreSequenceNumber(entity, seq);
          compacted.push(`${JSON.stringify({ op: "seq", path: entity, seq })}\n`);
        } catch {
          // an entity no longer configured: nothing of it is kept
        }
      }
      for (const [path, byNumber] of messages) {
        for (const record of [...byNumber.values()].sort((a, b) => a.seq - b.seq)) {
          try {
            if (path.startsWith(eventHubsJournalPrefix)) eventHubs.restore(path, fromRecord(record));
            else namespace.restore(path, fromRecord(record));
            compacted.push(`${JSON.stringify({ op: "put", path, m: record })}\n`);
          } catch (error) {
            console.warn(`[servicebus] dropping a stored message of '${path}': ${(error as Error).message}`);
          }
        }
      }
      for (const [path, sessions] of states) {
        for (const [session, state] of sessions) {
          if (state === null) continue;
          namespace.store(path).setSessionState(session, Buffer.from(state, "base64"), true);
          compacted.push(`${JSON.stringify({ op: "state", path, session, state })}\n`);
        }
      }
      closeSync(fd);
      const temporary = `${file}.compact`;
      const out = openSync(temporary, "w");
      writeSync(out, compacted.join(""));
      fsyncSync(out);
      closeSync(out);
      renameSync(temporary, file);
      fd = openSync(file, "a");
    },
  };
}
