import { describe, expect, test } from "vitest";
import { azureResources } from "./azure-resources";

const { serviceBus, eventHubs, tables, connections, appSettings } = azureResources;
const queues = Object.values(serviceBus.queues);
const topics = Object.values(serviceBus.topics);
const subscriptions = topics.flatMap((topic) => Object.values(topic.subscriptions));

// Limits Azure enforces when the deployment creates these (Service Bus and Table Storage naming and quotas).
describe("the shared names are ones Azure accepts", () => {
  test.each([...queues, ...topics].map((entity) => [entity.name]))("Service Bus entity %s", (name) => {
    expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,258}[A-Za-z0-9]$/);
  });

  test.each(Object.values(tables).map((name) => [name]))("table %s", (name) => {
    expect(name).toMatch(/^[A-Za-z][A-Za-z0-9]{2,62}$/);
  });

  test.each(subscriptions.map((subscription) => [subscription.name]))("subscription %s", (name) => {
    expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,48}[A-Za-z0-9]$/);
  });

  test.each(Object.values(eventHubs.hubs).map((hub) => [hub.name, hub.partitionCount]))("event hub %s with %i partitions", (name, partitions) => {
    expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/);
    expect(partitions).toBeGreaterThanOrEqual(1);
    expect(partitions).toBeLessThanOrEqual(32);
  });

  test("lock durations (5 s to 5 min), delivery counts and duplicate-detection windows (20 s to 7 days)", () => {
    for (const entity of [...queues, ...subscriptions]) {
      expect(entity.lockDurationInSeconds, entity.name).toBeGreaterThanOrEqual(5);
      expect(entity.lockDurationInSeconds, entity.name).toBeLessThanOrEqual(300);
      expect(entity.maxDeliveryCount, entity.name).toBeGreaterThanOrEqual(1);
      expect(entity.deadLetteringOnMessageExpiration, entity.name).toBe(true);
    }
    for (const entity of [...queues, ...topics]) {
      if (!entity.requiresDuplicateDetection) continue;
      expect(entity.duplicateDetectionWindowInSeconds, entity.name).toBeGreaterThanOrEqual(20);
      expect(entity.duplicateDetectionWindowInSeconds, entity.name).toBeLessThanOrEqual(7 * 24 * 3600);
    }
  });

  test("connection and app setting names are valid environment variable names on Linux", () => {
    for (const name of [...Object.values(connections), ...Object.values(appSettings)]) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });
});

test("the entities posts go to drop repeated posts (MessageId = OperationId)", () => {
  expect(serviceBus.queues.events.requiresDuplicateDetection).toBe(true);
  expect(serviceBus.topics.events.requiresDuplicateDetection).toBe(true);
  expect(serviceBus.queues.replies.requiresSession).toBe(true);
});
