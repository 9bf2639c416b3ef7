import { randomUUID } from "node:crypto";
import type { RegisteredFunction } from "../host/core-api";
import type { FunctionCatalog } from "../host/functions";
import { typedDataToJsonText } from "../host/invoke";
import { errorMessage, type HostLogger } from "../host/logger";
import { decide, episodeTime, outstandingWork, type OrchestratorOutcome, type OrchestratorStateLike } from "./decide";
import { answeredTaskId, event, EventType, TERMINAL_STATUSES, type HistoryEvent, type RuntimeStatus } from "./history";
import { readOpenTasks } from "./open-tasks";
import { InstanceExistsError, type ControlOperation, type DurableStore, type InboxMessage, type InstanceRecord } from "./store";

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

/** A message waiting for an episode: stored ones have their row key; answers produced in this process (activities, timers) have none. */
type PendingMessage = Omit<InboxMessage, "rowKey"> & { rowKey?: string };

/**
 * What this process knows of an unfinished instance, so that an episode reads nothing from storage:
 * the instance row and history as last committed, and the messages not yet taken. `instance` is
 * undefined while the state is being loaded from storage.
 */
interface LiveInstance {
  instance?: InstanceRecord;
  history: HistoryEvent[];
  inbox: PendingMessage[];
  /** A new instance whose first episode has not been committed: no row of it exists yet. */
  unsaved?: boolean;
}

/**
 * Runs orchestrations through the durable-functions library's own replay: each episode takes the
 * instance's messages, invokes the orchestrator function through the host, lets the pure `decide` step
 * turn the result into history events, commits them with the instance row in one transaction, then
 * dispatches the work those events describe (activities, timers, sub-orchestrations).
 *
 * A new instance's first episode runs when it is started and is committed with its creation. The
 * state of unfinished instances stays in memory between episodes; storage is read only when an
 * instance is not in memory (after a restart or a failed episode). Activity results and fired timers
 * go straight to the instance in memory, unstored: after a crash the recovery finds their work
 * unanswered in the history and runs it again (activities are at-least-once).
 */
export class DurableEngine {
  readonly #episodes = new Map<string, EpisodeSlot>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #live = new Map<string, LiveInstance>();
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
      this.schedule(instance.instanceId);
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
    const init = { instanceId: id, name: fn.metadata.name, input };
    // One round trip for an unused id; an id in use is read, and reused only when its instance has finished.
    if (!this.#live.has(id) && (await this.#create(init))) return id;
    const existing = this.#live.get(id)?.instance ?? (await this.store.getInstance(id));
    if (existing && !TERMINAL_STATUSES.has(existing.runtimeStatus)) throw new DurableOperationError(409, `An instance with ID '${id}' already exists.`);
    if (existing) await this.#deleteRows(id);
    if (!(await this.#create(init))) throw new DurableOperationError(409, `An instance with ID '${id}' already exists.`);
    return id;
  }

  async raiseEvent(instanceId: string, name: string, input: string | undefined): Promise<void> {
    const instance = await this.#running(instanceId);
    await this.#send(instanceId, { executionId: instance.executionId, event: event(EventType.EventRaised, new Date(), { Name: name, Input: input }) }, "stored");
  }

  async control(instanceId: string, operation: ControlOperation, reason: string): Promise<void> {
    const instance = await this.#running(instanceId);
    await this.#send(instanceId, { executionId: instance.executionId, control: { operation, reason } }, "stored");
  }

  async purge(instanceId: string): Promise<number> {
    const instance = await this.store.getInstance(instanceId);
    if (!instance) return 0;
    await this.#deleteRows(instanceId);
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

  async #running(instanceId: string): Promise<InstanceRecord> {
    const instance = await this.store.getInstance(instanceId);
    if (!instance) throw new DurableOperationError(404, `No instance with ID '${instanceId}' found.`);
    if (TERMINAL_STATUSES.has(instance.runtimeStatus)) throw new DurableOperationError(410, `The instance '${instanceId}' has already finished (${instance.runtimeStatus}).`);
    return instance;
  }

  /**
   * Creates an instance and runs its first episode at once: the instance row, its start and what the
   * orchestrator did first are written in one create-only transaction. Returns false, having written
   * nothing, when a row of the instance exists.
   */
  async #create(init: { instanceId: string; name: string; input?: string; parent?: { instanceId: string; executionId: string; taskId: number } }): Promise<boolean> {
    const now = new Date();
    const record: InstanceRecord = {
      instanceId: init.instanceId,
      name: init.name,
      runtimeStatus: "Pending",
      executionId: randomUUID(),
      input: init.input,
      createdTime: now.toISOString(),
      lastUpdatedTime: now.toISOString(),
      parentInstanceId: init.parent?.instanceId,
      parentExecutionId: init.parent?.executionId,
      parentTaskId: init.parent?.taskId,
    };
    const start: PendingMessage = { executionId: record.executionId, event: event(EventType.ExecutionStarted, now, { Name: init.name, Input: init.input, ParentInstanceId: init.parent?.instanceId }) };
    // Nothing else can address the instance before this commit: it is in neither memory nor storage.
    const live: LiveInstance = { instance: record, history: [], inbox: [start], unsaved: true };
    this.#live.set(record.instanceId, live);
    try {
      await this.#runEpisode(record.instanceId);
      return true;
    } catch (error) {
      if (this.#live.get(record.instanceId) === live) this.#live.delete(record.instanceId);
      if (error instanceof InstanceExistsError) return false;
      if (live.unsaved) throw error;
      // Committed, then dispatching its work failed: the instance goes on from storage, as after a failed episode.
      this.logger.host("error", `durable: dispatching the work of ${record.instanceId} failed, will retry: ${errorMessage(error)}`);
      this.schedule(record.instanceId);
      return true;
    }
  }

  async #deleteRows(instanceId: string, keepExecutionId?: string): Promise<void> {
    this.#live.delete(instanceId);
    await this.store.deleteRows(instanceId, keepExecutionId);
  }

  /**
   * Hands a message to the instance and schedules an episode. "stored" messages are written to its
   * inbox first (they must survive a crash); "in-memory" ones (answers whose work is redone on
   * recovery) are stored only when the instance is not in memory.
   */
  async #send(instanceId: string, message: Omit<InboxMessage, "rowKey">, durability: "stored" | "in-memory"): Promise<void> {
    let pending: PendingMessage = message;
    if (durability === "stored" || !this.#live.has(instanceId)) pending = await this.store.send(instanceId, message);
    const live = this.#live.get(instanceId);
    if (live && (pending.rowKey === undefined || !live.inbox.some((m) => m.rowKey === pending.rowKey))) live.inbox.push(pending);
    this.schedule(instanceId);
  }

  /**
   * The instance's state from storage (after a restart or a failed episode); dispatches the work its
   * history left unanswered. `carried`: answers produced here and not yet committed (kept unless the
   * history already has them, as when a commit succeeded but its answer was lost).
   */
  async #load(instanceId: string, carried: PendingMessage[] = []): Promise<LiveInstance | undefined> {
    // Registered before reading, so that messages sent meanwhile are kept (stored ones at most once).
    const live: LiveInstance = { history: [], inbox: [...carried] };
    this.#live.set(instanceId, live);
    const instance = await this.store.getInstance(instanceId);
    if (!instance) {
      this.#live.delete(instanceId);
      return undefined;
    }
    const [history, inbox] = await Promise.all([this.store.loadHistory(instanceId, instance.executionId), this.store.loadInbox(instanceId)]);
    const answered = new Set(history.map(answeredTaskId).filter((id) => id !== undefined));
    const inHistory = (m: PendingMessage) => {
      const id = m.event && answeredTaskId(m.event);
      return m.executionId === instance.executionId && id !== undefined && answered.has(id);
    };
    const isNew = (m: PendingMessage) => (m.rowKey === undefined ? !inHistory(m) : !inbox.some((stored) => stored.rowKey === m.rowKey));
    const arrived = live.inbox.filter(isNew);
    Object.assign(live, { instance, history, inbox: [...inbox, ...arrived] });
    if (!TERMINAL_STATUSES.has(instance.runtimeStatus)) {
      const pending = live.inbox.filter((m) => m.executionId === instance.executionId && m.event).map((m) => m.event as HistoryEvent);
      for (const work of outstandingWork(history, pending)) await this.#dispatch(instance, work);
    }
    return live;
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
          // What was in memory may no longer match storage (e.g. a commit whose answer was lost): start again
          // from storage, keeping the answers produced here (activity results, fired timers) so that their
          // work is not done again.
          const unstored = this.#live.get(instanceId)?.inbox.filter((m) => m.rowKey === undefined) ?? [];
          this.#live.delete(instanceId);
          if (unstored.length > 0) this.#live.set(instanceId, { history: [], inbox: unstored });
          this.logger.host("error", `durable: episode of ${instanceId} failed, will retry: ${errorMessage(error)}`);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          slot.again = true;
        }
      }
      this.#episodes.delete(instanceId);
    })();
  }

  async #runEpisode(instanceId: string): Promise<void> {
    const known = this.#live.get(instanceId);
    // Without an instance, what is known is answers carried over a failed episode: the state is reloaded.
    const live = known?.instance ? known : await this.#load(instanceId, known?.inbox);
    if (!live?.instance) return;
    const { instance, history } = live;
    const inbox = [...live.inbox];
    if (TERMINAL_STATUSES.has(instance.runtimeStatus)) {
      this.#live.delete(instanceId);
      await this.store.deleteMessages(instanceId, storedKeys(inbox));
      return;
    }
    if (inbox.length === 0) return;
    const intake = takeMessages(instance, inbox);
    const realNow = new Date();
    if (intake.terminateReason !== undefined) {
      const output = JSON.stringify(intake.terminateReason);
      const events = [event(EventType.OrchestratorStarted, realNow), ...intake.events, event(EventType.ExecutionTerminated, realNow, { Input: output }), event(EventType.OrchestratorCompleted, realNow)];
      await this.#finish(live, instance, events, intake.consumed, "Terminated", output);
      return;
    }
    // Messages held while suspended are taken by a later episode.
    if (intake.status !== "Suspended" && intake.consumed.length < inbox.length) this.schedule(instanceId);
    if (intake.events.length === 0 || intake.status === "Suspended") {
      if (intake.consumed.length === 0) return;
      const updated = { ...instance, runtimeStatus: intake.status, lastUpdatedTime: realNow.toISOString() };
      await this.#commit(live, updated, intake.events, intake.consumed);
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
      await this.#continueAsNew(live, updated, appended, intake.consumed, decision.continueAsNewInput);
      return;
    }
    if (decision.status !== "Running") {
      await this.#finish(live, updated, appended, intake.consumed, decision.status, decision.output);
      return;
    }
    await this.#commit(live, updated, appended, intake.consumed);
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

  /** Commits an episode (one transaction), then brings the instance in memory up to date. */
  async #commit(live: LiveInstance, updated: InstanceRecord, events: HistoryEvent[], consumed: PendingMessage[]): Promise<void> {
    await this.store.commitEpisode(updated, live.history.length, events, storedKeys(consumed), live.unsaved ? "create" : "replace");
    live.unsaved = false;
    live.instance = updated;
    live.history.push(...events);
    live.inbox = live.inbox.filter((m) => !consumed.includes(m));
  }

  async #finish(live: LiveInstance, instance: InstanceRecord, events: HistoryEvent[], consumed: PendingMessage[], status: RuntimeStatus, output: string | undefined): Promise<void> {
    const finished: InstanceRecord = { ...instance, runtimeStatus: status, output, lastUpdatedTime: new Date().toISOString() };
    await this.#commit(live, finished, events, consumed);
    // Messages that arrive later are dropped by an episode that finds the instance finished in storage.
    this.#live.delete(instance.instanceId);
    this.logger.host("information", `durable: ${instance.name} (${instance.instanceId}) ${status}`);
    await this.#notifyParent(finished);
  }

  async #continueAsNew(live: LiveInstance, instance: InstanceRecord, events: HistoryEvent[], consumed: PendingMessage[], input: string | undefined): Promise<void> {
    await this.#commit(live, instance, events, consumed);
    const next: InstanceRecord = { ...instance, executionId: randomUUID(), input, output: undefined, lastUpdatedTime: new Date().toISOString() };
    await this.store.saveInstance(next, { executionId: next.executionId, event: event(EventType.ExecutionStarted, new Date(), { Name: next.name, Input: input }) });
    // The next episode starts the new execution from storage (its start and any messages left for the old one).
    await this.#deleteRows(next.instanceId, next.executionId);
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
    await this.#send(child.parentInstanceId, { executionId: child.parentExecutionId, event: answer }, "stored");
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
      await this.#send(instance.instanceId, { executionId: instance.executionId, event: event(EventType.TimerFired, new Date(), { TimerId: timer.EventId, FireAt: timer.FireAt }) }, "in-memory");
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
    await this.#send(instance.instanceId, { executionId: instance.executionId, event: answer }, "in-memory");
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
      await this.#send(parent.instanceId, { executionId: parent.executionId, event: event(EventType.SubOrchestrationInstanceFailed, new Date(), { TaskScheduledId: created.EventId, Reason: reason, Details: reason }) }, "stored");
      return;
    }
    if (child) await this.#deleteRows(childId);
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
  consumed: PendingMessage[];
  status: RuntimeStatus;
  terminateReason?: string;
}

/** Turns inbox messages into history events in arrival order; while suspended, only control messages are taken. */
function takeMessages(instance: InstanceRecord, inbox: PendingMessage[]): Intake {
  const intake: Intake = { events: [], consumed: [], status: instance.runtimeStatus === "Pending" ? "Running" : instance.runtimeStatus };
  for (const message of inbox) {
    if (message.executionId !== undefined && message.executionId !== instance.executionId) {
      intake.consumed.push(message);
      continue;
    }
    const now = new Date();
    if (message.control) {
      intake.consumed.push(message);
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
    intake.consumed.push(message);
    if (!message.event) continue;
    intake.events.push({ ...message.event, IsPlayed: false });
  }
  return intake;
}

/** Row keys of the messages that are in the instance's stored inbox. */
function storedKeys(messages: readonly PendingMessage[]): string[] {
  return messages.flatMap((m) => (m.rowKey === undefined ? [] : [m.rowKey]));
}
