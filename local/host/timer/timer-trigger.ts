import { CronExpressionParser } from "cron-parser";
import type { RegisteredFunction } from "../core-api";
import { triggerOf, type FunctionCatalog } from "../functions";
import { resolveSetting } from "../settings";
import { AppConfigError } from "../app-config";

export interface TimerSchedule {
  /** The next occurrence strictly after `from`. */
  next(from: Date): Date;
}

/**
 * A timer trigger's schedule: a six-field NCRONTAB expression (`{second} {minute} {hour} {day}
 * {month} {day-of-week}`) in UTC (or WEBSITE_TIME_ZONE), or a `hh:mm:ss` interval. Errors name the function.
 */
function parseSchedule(functionName: string, expression: string, timeZone = process.env.WEBSITE_TIME_ZONE || "UTC"): TimerSchedule {
  const interval = /^(\d+\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(expression.trim());
  if (interval) {
    const [, days = "0", hours, minutes, seconds] = interval;
    const ms = (((Number.parseInt(days, 10) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
    if (ms <= 0) throw new AppConfigError(`${functionName}: timer interval "${expression}" must be positive`);
    return { next: (from) => new Date(from.getTime() + ms) };
  }
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) throw new AppConfigError(`${functionName}: timer schedule "${expression}" must have six fields (NCRONTAB: second minute hour day month day-of-week)`);
  try {
    CronExpressionParser.parse(expression, { tz: timeZone });
  } catch (error) {
    throw new AppConfigError(`${functionName}: timer schedule "${expression}" is invalid: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { next: (from) => CronExpressionParser.parse(expression, { currentDate: from, tz: timeZone }).next().toDate() };
}

interface TimerState {
  stopped: boolean;
  handle?: NodeJS.Timeout;
  running?: Promise<unknown>;
}

/** Runs every timer-triggered function on its schedule (and once at start with runOnStartup). */
export function startTimerTriggers(catalog: FunctionCatalog): { stop(): Promise<void> } {
  const states: TimerState[] = catalog.byTriggerType("timerTrigger").map((fn) => startTimer(catalog, fn));
  return {
    async stop() {
      for (const state of states) {
        state.stopped = true;
        clearTimeout(state.handle);
      }
      await Promise.all(states.map((state) => state.running));
    },
  };
}

function startTimer(catalog: FunctionCatalog, fn: RegisteredFunction): TimerState {
  const { binding } = triggerOf(fn);
  const expression = resolveSetting(binding.schedule);
  if (!expression) throw new AppConfigError(`${fn.metadata.name}: timer schedule "${String(binding.schedule)}" is not set`);
  const schedule = parseSchedule(fn.metadata.name, expression);
  const state: TimerState = { stopped: false };
  let last: Date | undefined;
  const fire = (due: Date) => {
    const now = new Date();
    const next = schedule.next(now);
    const timerInfo = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: { Last: (last ?? now).toISOString(), Next: next.toISOString(), LastUpdated: now.toISOString() },
      IsPastDue: now.getTime() - due.getTime() > 1000,
    };
    last = now;
    state.running = catalog.invoke(fn, { json: JSON.stringify(timerInfo) }).finally(() => {
      state.running = undefined;
      arm();
    });
  };
  const arm = () => {
    if (state.stopped) return;
    const due = schedule.next(new Date());
    const delay = due.getTime() - Date.now();
    state.handle = setTimeout(() => (Date.now() >= due.getTime() - 5 ? fire(due) : arm()), Math.min(Math.max(delay, 0), 2 ** 31 - 1));
  };
  if (binding.runOnStartup === true) fire(new Date());
  else arm();
  return state;
}
