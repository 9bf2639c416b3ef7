import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readObservations, SAMPLE_KEYS, startSampleHost, eventually, type HostUnderTest } from "./run-host";

describe("local host: HTTP and timer triggers of the sample app", () => {
  let host: HostUnderTest;
  beforeAll(async () => {
    host = await startSampleHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it("routes with parameters, constraints, optional and catch-all segments under the route prefix", async () => {
    expect(await (await fetch(`${host.baseUrl}/api/hello/ada`)).json()).toEqual({ message: "Hello, ada!" });
    expect(await (await fetch(`${host.baseUrl}/api/hello`)).json()).toEqual({ message: "Hello, world!" });
    expect((await fetch(`${host.baseUrl}/api/hello/ada1`)).status).toBe(404);
    expect(await (await fetch(`${host.baseUrl}/api/files/a/b/c.txt`)).json()).toEqual({ path: "a/b/c.txt" });
    expect((await fetch(`${host.baseUrl}/hello/ada`)).status).toBe(404);
  });

  it("honours methods and the library's response conversion, cookies and hooks", async () => {
    expect((await fetch(`${host.baseUrl}/api/hello`, { method: "POST" })).status).toBe(404);
    const echo = await fetch(`${host.baseUrl}/api/echo?q=find`, { method: "POST", body: "payload", headers: { "x-sample": "yes" } });
    expect(echo.status).toBe(201);
    expect(await echo.json()).toEqual({ body: "payload", query: "find", header: "yes" });
    expect(echo.headers.get("set-cookie")).toContain("session=abc");
    expect((await fetch(`${host.baseUrl}/api/hello`)).headers.get("x-hooked")).toBe("post");
  });

  it("hands each invocation a W3C trace context: a span of the caller's trace when the request brings a traceparent, else a new trace", async () => {
    const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const continued = (await (await fetch(`${host.baseUrl}/api/trace`, { headers: { traceparent: caller, tracestate: "congo=t61rcWkgMzE" } })).json()) as { traceParent: string; traceState: string };
    expect(continued.traceParent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(continued.traceParent).not.toBe(caller);
    expect(continued.traceState).toBe("congo=t61rcWkgMzE");
    const first = (await (await fetch(`${host.baseUrl}/api/trace`)).json()) as { traceParent: string };
    const second = (await (await fetch(`${host.baseUrl}/api/trace`, { headers: { traceparent: "not a traceparent" } })).json()) as { traceParent: string };
    expect(first.traceParent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(second.traceParent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(second.traceParent.split("-")[1]).not.toBe(first.traceParent.split("-")[1]);
  });

  it("enforces function and admin keys from the code query or the x-functions-key header", async () => {
    expect((await fetch(`${host.baseUrl}/api/items/7`)).status).toBe(401);
    expect((await fetch(`${host.baseUrl}/api/items/7?code=wrong`)).status).toBe(401);
    expect(await (await fetch(`${host.baseUrl}/api/items/7?code=${SAMPLE_KEYS.function}`)).json()).toEqual({ id: 7, method: "GET" });
    const deleted = await fetch(`${host.baseUrl}/api/items/7`, { method: "DELETE", headers: { "x-functions-key": SAMPLE_KEYS.master } });
    expect(await deleted.json()).toEqual({ id: 7, method: "DELETE" });
    expect((await fetch(`${host.baseUrl}/api/admin/ping?code=${SAMPLE_KEYS.function}`)).status).toBe(401);
    expect(await (await fetch(`${host.baseUrl}/api/admin/ping?code=${SAMPLE_KEYS.master}`)).text()).toBe("pong");
  });

  it("answers 500 for a failing function and logs one line per invocation with levels", async () => {
    expect((await fetch(`${host.baseUrl}/api/broken`)).status).toBe(500);
    const failed = await eventually(() => host.output.find((line) => line.includes("Executed 'Functions.broken' (Failed")));
    expect(failed).toMatch(/Id=[0-9a-f-]{36}, Duration=\d+ms\): this function always fails/);
    expect(host.output.some((line) => /warning\s+echo \([0-9a-f-]+\): echo warning/.test(line))).toBe(true);
  });

  it("runs a non-HTTP function on demand through the admin API (master key only)", async () => {
    const url = `${host.baseUrl}/admin/functions/onStartup`;
    expect((await fetch(url, { method: "POST", body: "{}" })).status).toBe(401);
    expect((await fetch(`${url}?code=${SAMPLE_KEYS.master}`, { method: "POST", body: JSON.stringify({ input: "" }) })).status).toBe(202);
    await eventually(() => readObservations(host.observationsFile, "timer").filter((entry) => entry.name === "onStartup").length === 2, 10_000, "the manual run");
  });

  it("runs timers on their six-field schedule and on startup", async () => {
    await eventually(() => readObservations(host.observationsFile, "timer").filter((entry) => entry.name === "everySecond").length >= 2, 10_000, "two timer ticks");
    expect(readObservations(host.observationsFile, "timer").filter((entry) => entry.name === "onStartup").length).toBeGreaterThanOrEqual(1);
  });
});
