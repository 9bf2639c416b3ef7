/**
 * Reads the durable-functions library's open tasks after a replay. Task ids come from a counter in
 * the order the library processes events, so they must be taken from the library, not counted by
 * the host (local-runtime-facts.md §3). This is the one place that knows the library's internals
 * (durable-functions 3.5.0, pinned; see test/host/contract.test.ts).
 */

export interface RetryPolicy {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export type OpenTask =
  | { id: number; kind: "activity"; name: string; input: unknown }
  | { id: number; kind: "subOrchestration"; name: string; input: unknown; instanceId?: string }
  | { id: number; kind: "timer"; fireAt: Date; canceled: boolean }
  /** The timer between a failed attempt and the next one; `failedAttempts` counts the failures so far. */
  | { id: number; kind: "retryTimer"; retry: RetryPolicy; failedAttempts: number }
  | { id: number; kind: "unsupported"; what: string };

const ACTION = { CallActivity: 0, CallActivityWithRetry: 1, CallSubOrchestrator: 2, CallSubOrchestratorWithRetry: 3, CreateTimer: 5, WaitForExternalEvent: 6 } as const;

interface LibraryAction {
  actionType?: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  fireAt?: Date;
  isCanceled?: boolean;
}

interface LibraryTask {
  id: number | string | false;
  action?: unknown;
  actionObj?: LibraryAction;
  parent?: LibraryRetryableTask;
}

interface LibraryRetryableTask {
  retryOptions?: RetryPolicy;
  attemptNumber?: number;
  isWaitingOnTimer?: boolean;
  children?: LibraryTask[];
  innerTask?: LibraryTask;
}

/** The executor the library attaches to `context.df` for the invocation that just ran. */
function executorOf(invocationContext: unknown): { openTasks?: Record<string, LibraryTask> } | undefined {
  const df = (invocationContext as { df?: { taskOrchestratorExecutor?: { openTasks?: Record<string, LibraryTask> } } } | undefined)?.df;
  return df?.taskOrchestratorExecutor;
}

export function readOpenTasks(invocationContext: unknown): OpenTask[] {
  const executor = executorOf(invocationContext);
  if (!executor?.openTasks) throw new Error("durable-functions internals changed: context.df.taskOrchestratorExecutor.openTasks not found");
  const tasks: OpenTask[] = [];
  for (const task of Object.values(executor.openTasks)) {
    if (typeof task.id !== "number") continue;
    tasks.push(describe(task, task.id));
  }
  return tasks.sort((a, b) => a.id - b.id);
}

function describe(task: LibraryTask, id: number): OpenTask {
  if (task.action === "noOp") {
    const retryable = task.parent;
    const retry = retryable?.retryOptions;
    if (!retryable || !retry) return { id, kind: "unsupported", what: "a no-op task outside a retry" };
    const children = retryable.children ?? [];
    if (retryable.isWaitingOnTimer && children[children.length - 1] === task) {
      return { id, kind: "retryTimer", retry, failedAttempts: (retryable.attemptNumber ?? 2) - 1 };
    }
    return describeAction(retryable.innerTask?.actionObj ?? {}, id);
  }
  return describeAction(task.actionObj ?? {}, id);
}

function describeAction(action: LibraryAction, id: number): OpenTask {
  switch (action.actionType) {
    case ACTION.CallActivity:
    case ACTION.CallActivityWithRetry:
      return { id, kind: "activity", name: String(action.functionName), input: action.input };
    case ACTION.CallSubOrchestrator:
    case ACTION.CallSubOrchestratorWithRetry:
      return { id, kind: "subOrchestration", name: String(action.functionName), input: action.input, instanceId: action.instanceId || undefined };
    case ACTION.CreateTimer:
      return { id, kind: "timer", fireAt: new Date(action.fireAt ?? Date.now()), canceled: action.isCanceled === true };
    default:
      return { id, kind: "unsupported", what: `action type ${String(action.actionType)} (entities and durable HTTP are not supported locally)` };
  }
}
