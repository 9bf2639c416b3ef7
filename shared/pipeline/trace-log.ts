import { stampSystemColumns, type OrganizationContext, type RecordStore, type RowWriter, type TableDefinition } from "../dataservice";
import { randomUUID } from "node:crypto";
import { MAX_OPERATIONS_PER_COMMIT } from "../dataservice/store/unit-of-work";
import { dateTimeText } from "../dataservice/metadata/edm";
import { fitText } from "../dataservice/store/row-codec";
import { formatWithOptions } from "node:util";

const COMPOSITE_ITEM = /\{\{|\}\}|\{(\d+)(?:,-?\d+)?(?::[^{}]*)?\}/g;

/**
 * One line a plug-in traces. ITracingService.Trace takes .NET composite formatting, as Dataverse samples write
 * it (`trace("FollowUpPlugin: {0}", error)`, `{{`/`}}` for braces; alignment and format strings are not
 * applied); a format with no `{n}` item is Node's (`trace("%s at %d", name, stage)`).
 */
export function traceLine(format: string, args: unknown[]): string {
  const text = (value: unknown) => formatWithOptions({ colors: false }, "%s", value);
  if (args.length > 0 && /\{\d+(?:,-?\d+)?(?::[^{}]*)?\}/.test(format)) {
    return format.replace(COMPOSITE_ITEM, (item, index?: string) => (index === undefined ? item[0] : Number(index) < args.length ? text(args[Number(index)]) : item));
  }
  return formatWithOptions({ colors: false }, format, ...args);
}

/**
 * How much of one step execution's trace Dataverse keeps: "Only 10 kb of text can be written. Older trace lines
 * are removed to meet this limit so that only the most recent lines are saved" (Tracing and logging).
 */
export const MAX_TRACE_LENGTH = 10 * 1024;

/**
 * The lines one step execution traced, as much as Dataverse keeps: their text (the lines joined by a newline)
 * stays within MAX_TRACE_LENGTH characters, a new line dropping the oldest ones that no longer fit. A single
 * line longer than the limit keeps its end (the most recent text), never half a surrogate pair. Nothing marks
 * the cut: Dataverse documents none.
 */
export class TraceBuffer {
  private kept: string[] = [];
  private first = 0;
  /** Length of the kept lines joined by "\n". */
  private length = 0;

  add(line: string): void {
    if (line.length >= MAX_TRACE_LENGTH) {
      const start = line.length - MAX_TRACE_LENGTH;
      this.kept = [line.slice(/[\uDC00-\uDFFF]/.test(line[start]) ? start + 1 : start)];
      this.first = 0;
      this.length = this.kept[0].length;
      return;
    }
    this.length += (this.first < this.kept.length ? 1 : 0) + line.length;
    this.kept.push(line);
    while (this.length > MAX_TRACE_LENGTH) this.length -= this.kept[this.first++].length + 1;
    // Drops the removed lines now and then, not on every line: a plug-in may trace in a long loop.
    if (this.first > 1024 && this.first * 2 > this.kept.length) {
      this.kept = this.kept.slice(this.first);
      this.first = 0;
    }
  }

  get lines(): string[] {
    return this.kept.slice(this.first);
  }
}

/** organization.plugintracelogsetting */
export const TraceLogSetting = { Off: 0, Exception: 1, All: 2 } as const;

/** One step execution as the plug-in trace log keeps it. */
export interface TraceEntry {
  typeName: string;
  stepId: string;
  messageName: string;
  primaryEntity: string;
  mode: number;
  depth: number;
  correlationId: string;
  requestId: string;
  startedAt: Date;
  durationMs: number;
  /** What the step traced, as much as Dataverse keeps (a TraceBuffer's lines). */
  lines: string[];
  exception?: string;
}

/**
 * The trace entries of one top-level request, written as plugintracelog rows after the request ends,
 * in their own commit: they survive the rollback of a failed operation. Nothing is kept when the
 * organization's setting is Off, and only failed executions under Exception.
 */
export class TraceLog {
  private readonly entries: TraceEntry[] = [];

  constructor(private readonly setting: number) {}

  get enabled(): boolean {
    return this.setting !== TraceLogSetting.Off;
  }

  add(entry: TraceEntry): void {
    if (this.setting === TraceLogSetting.All || (this.setting === TraceLogSetting.Exception && entry.exception !== undefined)) this.entries.push(entry);
  }

  async write(store: RecordStore, organization: OrganizationContext): Promise<void> {
    if (this.entries.length === 0) return;
    const table = organization.catalog.table("plugintracelog") as TableDefinition;
    const system: RowWriter = { userId: organization.administratorId, at: dateTimeText() };
    for (let start = 0; start < this.entries.length; start += MAX_OPERATIONS_PER_COMMIT) {
      const uow = store.beginUnitOfWork(organization.name);
      for (const entry of this.entries.slice(start, start + MAX_OPERATIONS_PER_COMMIT)) {
        uow.create(table, randomUUID(), stampSystemColumns(table, {
          typename: entry.typeName,
          messagename: entry.messageName,
          primaryentity: entry.primaryEntity,
          messageblock: fitText(table, "messageblock", entry.lines.join("\n")) || null,
          exceptiondetails: entry.exception === undefined ? null : fitText(table, "exceptiondetails", entry.exception),
          mode: entry.mode,
          operationtype: 1,
          depth: entry.depth,
          correlationid: entry.correlationId,
          requestid: entry.requestId,
          pluginstepid: entry.stepId,
          performanceexecutionstarttime: dateTimeText(entry.startedAt),
          performanceexecutionduration: Math.round(entry.durationMs),
        }, system, { kind: "create" }));
      }
      await uow.commit();
    }
  }
}
