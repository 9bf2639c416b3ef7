import { randomUUID } from "node:crypto";
import type { RegisteredFunction } from "../host/core-api";
import type { FunctionCatalog } from "../host/functions";
import { typedDataToJsonText } from "../host/invoke";
import { errorMessage, type HostLogger } from "../host/logger";
import { decide, episodeTime, outstandingWork, type OrchestratorOutcome, type OrchestratorStateLike } from "./decide";
import { event, EventType, TERMINAL_STATUSES, type HistoryEvent, type RuntimeStatus } from "./history";
import { readOpenTasks } from "./open-tasks";
import type { ControlOperation, DurableStore, InboxMessage, InstanceRecord } from "./store";

const OUT_OF_PROC_DATA = "\n\n$OutOfProcData$:";
const ORCHESTRATION_TRIGGER = "orchestrationTrigger";
const ACTIVITY_TRIGGER = "activityTrigger";

export class DurableOperationError extends Error {
  override readonly name = "DurableOperationError";
  constructor(
    readonly status: 400 | 404 | 409 | 410,
    message: string,
  ) {
    super(message);
  }
}

interface EpisodeSlot {
  again: boolean;
  done: Promise<void>;
}

/**
 * Runs orchestrations through the durable-functions library's own replay: each episode loads the
 * history and inbox from Table Storage, invokes the orchestrator function through the host, lets the
 * pure `decide` step turn the result into history events, commits them, then dispatches the work
 * those events describe (activities, timers, sub-orchestrations).
 */
export class DurableEngine {
  readonly #episodes = new Map<string, EpisodeSlot>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #activitySlots: ConcurrencyLimit;
  #stopped = false;

  constructor(
    private readonly store: DurableStore,
    private readonly catalog: FunctionCatalog,
    private readonly logger: HostLogger,
    private readonly timeScale: number,
    maxConcurrentActivityFunctions = 10,
  ) {
    this.#activitySlots = new ConcurrencyLimit(maxConcurrentActivityFunctions);
  }

  /** Picks up every unfinished instance: pending messages, due and future timers, unfinished work. */
  async recover(): Promise<number> {
    let resumed = 0;
    for (const instance of await this.store.listInstances()) {
      if (TERMINAL_STATUSES.has(instance.runtimeStatus)) continue;
      resumed++;
      const [history, inbox] = await Promise.all([this.store.loadHistory(instance.instanceId, instance.executionId), this.store.loadInbox(instance.instanceId)]);
      const pending = inbox.filter((m) => m.executionId === instance.executionId && m.event).map((m) => m.event as HistoryEvent);
      for (const work of outstandingWork(history, pending)) await this.#dispatch(instance, work);
      if (inbox.length > 0) this.schedule(instance.instanceId);
    }
    return resumed;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#episodes.values()].map((slot) => slot.done));
  }

  // ---- client operations (the management API and df.getClient) ----

  async startNew(name: string, instanceId: string | undefined, input: string | undefined): Promise<string> {
    const fn = this.#function(name, ORCHESTRATION_TRIGGER);
    if (!fn) throw new DurableOperationError(400, `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    const id = instanceId ?? randomUUID().replace(/-/g, "");
    const existing = await this.store.getInstance(id);
    if (existing && !TERMINAL_STATUSES.has(existing.runtimeStatus)) throw new DurableOperationError(409, `An instance with ID '${id}' already exists.`);
    if (existing) await this.store.deleteRows(id);
    await this.#create({ instanceId: id, name: fn.metadata.name, input });
    return id;
  }

  async raiseEvent(instanceId: string, name: string, input: string | undefined): Promise<void> {
    const instance = await this.#live(instanceId);
    await this.store.send(instanceId, { executionId: instance.executionId, event: event(EventType.EventRaised, new Date(), { Name: name, Input: input }) });
    this.schedule(instanceId);
  }

  async control(instanceId: string, operation: ControlOperation, reason: string): Promise<void> {
    const instance = await this.#live(instanceId);
    await this.store.send(instanceId, { executionId: instance.executionId, control: { operation, reason } });
    this.schedule(instanceId);
  }

  async purge(instanceId: string): Promise<number> {
    const instance = await this.store.getInstance(instanceId);
    if (!instance) return 0;
    await this.store.deleteRows(instanceId);
    return 1;
  }

  status(instanceId: string): Promise<InstanceRecord | undefined> {
    return this.store.getInstance(instanceId);
  }

  history(instance: InstanceRecord): Promise<HistoryEvent[]> {
    return this.store.loadHistory(instance.instanceId, instance.executionId);
  }

  list(): Promise<InstanceRecord[]> {
    return this.store.listInstances();
  }

  async #live(instanceId: string): Promise<InstanceRecord> {
    const instance = await this.store.getInstance(instanceId);
    if (!instance) throw new DurableOperationError(404, `No instance with ID '${instanceId}' found.`);
    if (TERMINAL_STATUSES.has(instance.runtimeStatus)) throw new DurableOperationError(410, `The instance '${instanceId}' has already finished (${instance.runtimeStatus}).`);
    return instance;
  }

  async #create(init: { instanceId: string; name: string; input?: string; parent?: { instanceId: string; executionId: string; taskId: number } }): Promise<void> {
    const now = new Date().toISOString();
    const record: InstanceRecord = {
      instanceId: init.instanceId,
      name: init.name,
      runtimeStatus: "Pending",
      executionId: randomUUID(),
      input: init.input,
      createdTime: now,
      lastUpdatedTime: now,
      parentInstanceId: init.parent?.instanceId,
      parentExecutionId: init.parent?.executionId,
      parentTaskId: init.parent?.taskId,
    };
    await this.store.saveInstance(record, { executionId: record.executionId, event: event(EventType.ExecutionStarted, new Date(), { Name: init.name, Input: init.input, ParentInstanceId: init.parent?.instanceId }) });
    this.schedule(record.instanceId);
  }

  // ---- episodes ----

  /** Runs an episode for the instance soon; episodes of one instance never overlap. */
  schedule(instanceId: string): void {
    if (this.#stopped) return;
    const current = this.#episodes.get(instanceId);
    if (current) {
      current.again = true;
      return;
    }
    const slot: EpisodeSlot = { again: true, done: Promise.resolve() };
    this.#episodes.set(instanceId, slot);
    slot.done = (async () => {
      while (slot.again && !this.#stopped) {
        slot.again = false;
        try {
          await this.#runEpisode(instanceId);
        } catch (error) {
          this.logger.host("error", `durable: episode of ${instanceId} failed, will retry: ${errorMessage(error)}`);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          slot.again = true;
        }
      }
      this.#episodes.delete(instanceId);
    })();
  }

  async #runEpisode(instanceId: string): Promise<void> {
    const instance = await this.store.getInstance(instanceId);
    if (!instance) return;
    const inbox = await this.store.loadInbox(instanceId);
    if (inbox.length === 0) return;
    if (TERMINAL_STATUSES.has(instance.runtimeStatus)) {
      await this.store.deleteMessages(instanceId, inbox.map((m) => m.rowKey));
      return;
    }
    const history = await this.store.loadHistory(instanceId, instance.executionId);
    const intake = takeMessages(instance, inbox);
    const realNow = new Date();
    if (intake.terminateReason !== undefined) {
      const output = JSON.stringify(intake.terminateReason);
      const events = [event(EventType.OrchestratorStarted, realNow), ...intake.events, event(EventType.ExecutionTerminated, realNow, { Input: output }), event(EventType.OrchestratorCompleted, realNow)];
      await this.#finish(instance, history.length, events, intake.consumed, "Terminated", output);
      return;
    }
    // Messages held while suspended are taken by a later episode.
    if (intake.status !== "Suspended" && intake.consumed.length < inbox.length) this.schedule(instanceId);
    if (intake.events.length === 0 || intake.status === "Suspended") {
      if (intake.consumed.length === 0) return;
      const updated = { ...instance, runtimeStatus: intake.status, lastUpdatedTime: realNow.toISOString() };
      await this.store.commitEpisode(updated, history.length, intake.events, intake.consumed);
      return;
    }
    const now = episodeTime(history, intake.events, realNow);
    const replay = [...history.map((e) => ({ ...e, IsPlayed: true })), event(EventType.OrchestratorStarted, now), ...intake.events];
    const outcome = await this.#invokeOrchestrator(instance, replay);
    const decision = decide(instanceId, replay, outcome, { now, realNow, timeScale: this.timeScale });
    const appended = [...replay.slice(history.length), ...decision.events];
    const updated: InstanceRecord = {
      ...instance,
      runtimeStatus: decision.status === "ContinuedAsNew" ? "Running" : decision.status,
      output: decision.output,
      customStatus: decision.customStatus === undefined ? instance.customStatus : JSON.stringify(decision.customStatus),
      lastUpdatedTime: new Date().toISOString(),
    };
    if (decision.status === "ContinuedAsNew") {
      await this.#continueAsNew(updated, history.length, appended, intake.consumed, decision.continueAsNewInput);
      return;
    }
    if (decision.status !== "Running") {
      await this.#finish(updated, history.length, appended, intake.consumed, decision.status, decision.output);
      return;
    }
    await this.store.commitEpisode(updated, history.length, appended, intake.consumed);
    for (const work of decision.events) await this.#dispatch(updated, work);
  }

  async #invokeOrchestrator(instance: InstanceRecord, history: HistoryEvent[]): Promise<OrchestratorOutcome> {
    const fn = this.#function(instance.name, ORCHESTRATION_TRIGGER);
    if (!fn) return { kind: "failed", reason: `The orchestrator function '${instance.name}' doesn't exist.`, details: "" };
    const trigger = {
      history,
      input: instance.input === undefined ? undefined : JSON.parse(instance.input),
      instanceId: instance.instanceId,
      isReplaying: history.some((e) => e.IsPlayed),
      parentInstanceId: instance.parentInstanceId,
      upperSchemaVersion: 3,
      upperSchemaVersionNew: 3,
      maximumShortTimerDuration: "6.00:00:00",
      longRunningTimerIntervalDuration: "3.00:00:00",
      defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
    };
    const result = await this.catalog.invoke(fn, { string: JSON.stringify(trigger) });
    if (result.ok) {
      const state = JSON.parse(typedDataToJsonText(result.response.returnValue)) as OrchestratorStateLike;
      return { kind: "state", state, openTasks: readOpenTasks(result.context) };
    }
    const message = errorMessage(result.error);
    // The library appends its state to the message; the state's `error` is the orchestrator's own error.
    const [prefix, stateJson] = message.split(OUT_OF_PROC_DATA);
    const state = stateJson ? (JSON.parse(stateJson) as OrchestratorStateLike & { error?: string }) : undefined;
    const reason = state?.error ?? prefix;
    return { kind: "failed", reason: `Orchestrator function '${instance.name}' failed: ${reason}`, details: (result.error as Error)?.stack ?? reason, customStatus: state?.customStatus };
  }

  async #finish(instance: InstanceRecord, firstSequence: number, events: HistoryEvent[], consumed: string[], status: RuntimeStatus, output: string | undefined): Promise<void> {
    const finished: InstanceRecord = { ...instance, runtimeStatus: status, output, lastUpdatedTime: new Date().toISOString() };
    await this.store.commitEpisode(finished, firstSequence, events, consumed);
    this.logger.host("information", `durable: ${instance.name} (${instance.instanceId}) ${status}`);
    await this.#notifyParent(finished);
  }

  async #continueAsNew(instance: InstanceRecord, firstSequence: number, events: HistoryEvent[], consumed: string[], input: string | undefined): Promise<void> {
    await this.store.commitEpisode(instance, firstSequence, events, consumed);
    const next: InstanceRecord = { ...instance, executionId: randomUUID(), input, output: undefined, lastUpdatedTime: new Date().toISOString() };
    await this.store.saveInstance(next, { executionId: next.executionId, event: event(EventType.ExecutionStarted, new Date(), { Name: next.name, Input: input }) });
    await this.store.deleteRows(next.instanceId, next.executionId);
    this.schedule(next.instanceId);
  }

  async #notifyParent(child: InstanceRecord): Promise<void> {
    if (!child.parentInstanceId || child.parentTaskId === undefined) return;
    const now = new Date();
    const answer =
      child.runtimeStatus === "Completed"
        ? event(EventType.SubOrchestrationInstanceCompleted, now, { TaskScheduledId: child.parentTaskId, Result: child.output ?? "null" })
        : event(EventType.SubOrchestrationInstanceFailed, now, {
            TaskScheduledId: child.parentTaskId,
            Reason: `Sub-orchestration '${child.name}' (${child.instanceId}) ${child.runtimeStatus.toLowerCase()}: ${child.output ? String(JSON.parse(child.output)) : ""}`,
            Details: "",
          });
    await this.store.send(child.parentInstanceId, { executionId: child.parentExecutionId, event: answer });
    this.schedule(child.parentInstanceId);
  }

  // ---- work ----

  async #dispatch(instance: InstanceRecord, work: HistoryEvent): Promise<void> {
    const key = `${instance.instanceId}|${instance.executionId}|${work.EventId}`;
    switch (work.EventType) {
      case EventType.TaskScheduled:
        if (!this.#inFlight.has(key)) this.#inFlight.set(key, this.#activitySlots.run(() => this.#runActivity(instance, work)).finally(() => this.#inFlight.delete(key)));
        return;
      case EventType.TimerCreated:
        this.#arm(key, instance, work);
        return;
      case EventType.SubOrchestrationInstanceCreated:
        await this.#ensureChild(instance, work);
        return;
    }
  }

  #arm(key: string, instance: InstanceRecord, timer: HistoryEvent): void {
    if (this.#timers.has(key) || this.#stopped) return;
    const delay = Math.max(Date.parse(timer.DueAt ?? timer.FireAt ?? "") - Date.now(), 0);
    const fire = async () => {
      this.#timers.delete(key);
      await this.store.send(instance.instanceId, { executionId: instance.executionId, event: event(EventType.TimerFired, new Date(), { TimerId: timer.EventId, FireAt: timer.FireAt }) });
      this.schedule(instance.instanceId);
    };
    this.#timers.set(
      key,
      setTimeout(() => void fire().catch((error: unknown) => this.logger.host("error", `durable: timer of ${instance.instanceId}: ${errorMessage(error)}`)), Math.min(delay, 2 ** 31 - 1)),
    );
  }

  async #runActivity(instance: InstanceRecord, scheduled: HistoryEvent): Promise<void> {
    const name = scheduled.Name ?? "";
    const fn = this.#function(name, ACTIVITY_TRIGGER);
    let answer: HistoryEvent;
    if (!fn) {
      const reason = `The activity function '${name}' doesn't exist.`;
      answer = event(EventType.TaskFailed, new Date(), { TaskScheduledId: scheduled.EventId, Reason: reason, Details: reason });
    } else {
      const result = await this.catalog.invoke(fn, scheduled.Input === undefined ? undefined : { string: scheduled.Input });
      answer = result.ok
        ? event(EventType.TaskCompleted, new Date(), { TaskScheduledId: scheduled.EventId, Result: typedDataToJsonText(result.response.returnValue) })
        : event(EventType.TaskFailed, new Date(), {
            TaskScheduledId: scheduled.EventId,
            Reason: `Activity function '${name}' failed: ${errorMessage(result.error)}`,
            Details: (result.error as Error)?.stack ?? "",
          });
    }
    if (this.#stopped) return;
    await this.store.send(instance.instanceId, { executionId: instance.executionId, event: answer });
    this.schedule(instance.instanceId);
  }

  async #ensureChild(parent: InstanceRecord, created: HistoryEvent): Promise<void> {
    const childId = created.InstanceId ?? `${parent.instanceId}:${created.EventId}`;
    const child = await this.store.getInstance(childId);
    const isOurs = child?.parentInstanceId === parent.instanceId && child.parentExecutionId === parent.executionId && child.parentTaskId === created.EventId;
    if (child && isOurs) {
      if (TERMINAL_STATUSES.has(child.runtimeStatus)) await this.#notifyParent(child);
      return;
    }
    if (child && !TERMINAL_STATUSES.has(child.runtimeStatus)) {
      const reason = `An instance with ID '${childId}' already exists.`;
      await this.store.send(parent.instanceId, { executionId: parent.executionId, event: event(EventType.SubOrchestrationInstanceFailed, new Date(), { TaskScheduledId: created.EventId, Reason: reason, Details: reason }) });
      this.schedule(parent.instanceId);
      return;
    }
    if (child) await this.store.deleteRows(childId);
    await this.#create({ instanceId: childId, name: created.Name ?? "", input: created.Input, parent: { instanceId: parent.instanceId, executionId: parent.executionId, taskId: created.EventId } });
  }

  #function(name: string, triggerType: string): RegisteredFunction | undefined {
    const fn = this.catalog.find(name);
    if (!fn) return undefined;
    return Object.values(fn.metadata.bindings).some((b) => String(b.type).toLowerCase() === triggerType.toLowerCase()) ? fn : undefined;
  }
}

/** At most `limit` tasks at a time (maxConcurrentActivityFunctions); the rest wait in order. */
class ConcurrencyLimit {
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}

interface Intake {
  events: HistoryEvent[];
  consumed: string[];
  status: RuntimeStatus;
  terminateReason?: string;
}

/** Turns inbox messages into history events in arrival order; while suspended, only control messages are taken. */
function takeMessages(instance: InstanceRecord, inbox: InboxMessage[]): Intake {
  const intake: Intake = { events: [], consumed: [], status: instance.runtimeStatus === "Pending" ? "Running" : instance.runtimeStatus };
  for (const message of inbox) {
    if (message.executionId !== undefined && message.executionId !== instance.executionId) {
      intake.consumed.push(message.rowKey);
      continue;
    }
    const now = new Date();
    if (message.control) {
      intake.consumed.push(message.rowKey);
      const { operation, reason } = message.control;
      if (operation === "terminate") {
        intake.terminateReason = reason;
        return intake;
      }
      if (operation === "suspend" && intake.status !== "Suspended") {
        intake.status = "Suspended";
        intake.events.push(event(EventType.ExecutionSuspended, now, { Reason: reason }));
      } else if (operation === "resume" && intake.status === "Suspended") {
        intake.status = "Running";
        intake.events.push(event(EventType.ExecutionResumed, now, { Reason: reason }));
      }
      continue;
    }
    if (intake.status === "Suspended") continue;
    intake.consumed.push(message.rowKey);
    if (!message.event) continue;
    intake.events.push({ ...message.event, IsPlayed: false });
  }
  return intake;
}
