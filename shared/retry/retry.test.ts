import { describe, expect, it } from "vitest";
import { SERVICE_ENDPOINT_RETRY_POLICY, compileRetryPolicy, nextRetry } from "./index";

const noJitter = () => 0;

describe("compileRetryPolicy", () => {
  it("fills missing members from the service-endpoint defaults", () => {
    expect(compileRetryPolicy({ maxRetries: 3 })).toEqual({ ...SERVICE_ENDPOINT_RETRY_POLICY, maxRetries: 3 });
  });

  it.each([
    [{ maxRetries: -1 }, RangeError, "maxRetries must be a whole number from 0 to 1000, got -1"],
    [{ maxRetries: 1.5 }, RangeError, "maxRetries must be a whole number from 0 to 1000, got 1.5"],
    [{ maxRetries: "3" }, TypeError, 'maxRetries must be a number, got "3"'],
    [{ retryDelayInMs: 0 }, RangeError, "retryDelayInMs must be a positive number of milliseconds, got 0"],
    [{ retryDelayInMs: 10, maxRetryDelayInMs: 5 }, RangeError, "maxRetryDelayInMs must be at least retryDelayInMs (10), got 5"],
    [{ mode: "linear" }, TypeError, 'mode must be one of "exponential", "fixed", got "linear"'],
    [{ jitter: 1.5 }, RangeError, "jitter must be from 0 to 1, got 1.5"],
    [{ jitter: null }, TypeError, "jitter must be a number, got null"],
  ])("refuses %j", (policy, type, message) => {
    const compile = () => compileRetryPolicy(policy as never);
    expect(compile).toThrow(type);
    expect(compile).toThrow(message);
  });
});

describe("nextRetry", () => {
  it("doubles from the first delay up to the cap, then stops after maxRetries", () => {
    const policy = compileRetryPolicy({ maxRetries: 5, retryDelayInMs: 100, maxRetryDelayInMs: 500, jitter: 0 });
    const delays = [0, 1, 2, 3, 4].map((retry) => nextRetry(policy, retry, noJitter));
    expect(delays).toEqual([100, 200, 400, 500, 500].map((delayInMs) => ({ stop: false, delayInMs })));
    expect(nextRetry(policy, 5, noJitter)).toEqual({ stop: true });
  });

  it("keeps the delay fixed in fixed mode", () => {
    const policy = compileRetryPolicy({ mode: "fixed", retryDelayInMs: 250, jitter: 0 });
    expect(nextRetry(policy, 7, noJitter)).toEqual({ stop: false, delayInMs: 250 });
  });

  it("takes jitter off the delay from the injected random source, never adding to it", () => {
    const policy = compileRetryPolicy({ retryDelayInMs: 1000, jitter: 0.5 });
    expect(nextRetry(policy, 0, () => 0.5)).toEqual({ stop: false, delayInMs: 750 });
    expect(nextRetry(policy, 0, () => 0)).toEqual({ stop: false, delayInMs: 1000 });
  });

  it("documents the service-endpoint schedule: 5 s doubling, capped at 1 h, 10 retries", () => {
    const policy = compileRetryPolicy({ jitter: 0 });
    const seconds = Array.from({ length: 11 }, (_, retry) => nextRetry(policy, retry, noJitter)).map((decision) =>
      decision.stop ? "stop" : decision.delayInMs / 1000,
    );
    expect(seconds).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, "stop"]);
  });
});
