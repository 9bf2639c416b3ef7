import { randomUUID } from "node:crypto";
import { stampSystemColumns, type RowWriter, type TableDefinition, type UnitOfWork } from "../dataservice";
import { DateTimeValue, type RemoteExecutionContext } from "../model";
import type { JobContextStore } from "./job-context-store";
import type { Operation, OperationOrigin } from "./operation";
import type { StepRegistration } from "./registrations";
import { dateTimeText } from "../dataservice/metadata/edm";
import { recordRowKey } from "../dataservice/store/row-codec";
import type { CommittedJob } from "./ports";

/**
 * The system jobs of asynchronous steps: one asyncoperation row (state Ready, operationtype 1 System
 * Event) per step and the context its job delivers, staged in the operation's unit of work so both
 * commit with it or not at all.
 */
export class SystemJobs {
  constructor(private readonly contexts: JobContextStore) {}

  /** Stages the job of `step` for `operation` in `uow`; returns the job's id. */
  stage(uow: UnitOfWork, execution: OperationOrigin, operation: Operation, step: StepRegistration): string {
    const jobId = randomUUID();
    // Whole seconds: the job's createdon as stored and OperationCreatedOn must be the same instant.
    const createdOn = new Date(Math.floor(Date.now() / 1000) * 1000);
    // Asynchronous contexts carry an offset on OperationCreatedOn (§A.2: "/Date(…+0000)/"), synchronous ones none.
    const context: RemoteExecutionContext = operation.asyncContext(step, jobId, new DateTimeValue(createdOn.getTime(), "+0000"));
    const table = execution.organization.catalog.table("asyncoperation") as TableDefinition;
    const now = dateTimeText(createdOn);
    const writer: RowWriter = { userId: execution.caller.userId, at: now, users: execution.organization.users };
    const job = {
      name: step.name,
      operationtype: 1,
      statecode: 0,
      statuscode: 0,
      messagename: operation.message,
      primaryentitytype: operation.table.logicalName,
      regardingobjectid: { id: operation.primaryEntityId, logicalName: operation.table.logicalName },
      correlationid: execution.correlationId,
      correlationupdatedtime: now,
      depth: execution.depth,
      owningextensionid: { id: step.id, logicalName: "sdkmessageprocessingstep" },
      requestid: operation.requestId,
      retrycount: 0,
    };
    uow.create(table, jobId, stampSystemColumns(table, job, writer, { kind: "create" }));
    this.contexts.stage(uow, jobId, context);
    return jobId;
  }

  /** The jobs `uow` committed (`etags`: what its commit answered): each job's row as written, with its version. */
  committedJobs(uow: UnitOfWork, execution: OperationOrigin, jobIds: readonly string[], etags: ReadonlyMap<string, string>): CommittedJob[] {
    const table = execution.organization.catalog.table("asyncoperation") as TableDefinition;
    const writtenOn = new Date().toISOString();
    return jobIds.map((id) => {
      const staged = uow.stagedRecord(table, id);
      const etag = etags.get(recordRowKey(table.logicalName, id));
      return staged && !staged.deleted && etag ? { id, row: { ...staged.record, etag, writtenOn } } : { id };
    });
  }
}
