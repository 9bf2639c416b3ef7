import type { ServiceBusReceivedMessage } from "@azure/service-bus";
import { describe, expect, it } from "vitest";
import { batchInput, bodyData, singleMessageInput, wantsBytes } from "./trigger-data";

const message = (fields: Partial<ServiceBusReceivedMessage>) => ({ deliveryCount: 0, applicationProperties: {}, ...fields }) as ServiceBusReceivedMessage;

describe("Service Bus trigger data", () => {
  it("passes UTF-8 bodies as text (the library parses JSON) and other bytes as bytes", () => {
    expect(bodyData(Buffer.from('{"a":1}'))).toEqual({ string: '{"a":1}' });
    expect(bodyData(Buffer.from([0xff, 0xfe]))).toHaveProperty("bytes");
    expect(bodyData({ a: 1 })).toEqual({ json: '{"a":1}' });
    expect(bodyData("plain")).toEqual({ string: "plain" });
  });

  it("with dataType binary (or stream) passes the body's bytes untouched, as the host binds the trigger to byte[]", () => {
    const body = Buffer.from('{"n":9007199254740993}');
    expect([wantsBytes("binary"), wantsBytes("Stream"), wantsBytes("string"), wantsBytes(undefined)]).toEqual([true, true, false, false]);
    expect(bodyData(body, true)).toEqual({ bytes: body });
    expect(bodyData("text", true)).toEqual({ bytes: Buffer.from("text") });
    expect(bodyData(body, wantsBytes("string"))).toEqual({ string: '{"n":9007199254740993}' });
    const { data } = singleMessageInput(message({ body, messageId: "m1" }), wantsBytes("binary"));
    expect(data).toEqual({ bytes: body });
  });

  it("names metadata as the extension does and counts deliveries from 1", () => {
    const enqueued = new Date("2026-01-01T00:00:00Z");
    const { metadata } = singleMessageInput(message({ body: "x", messageId: "m1", deliveryCount: 0, enqueuedTimeUtc: enqueued, applicationProperties: { a: "b" } }));
    expect(metadata.MessageId).toEqual({ string: "m1" });
    expect(metadata.DeliveryCount).toEqual({ int: 1 });
    expect(metadata.EnqueuedTimeUtc).toEqual({ string: "2026-01-01T00:00:00.000Z" });
    expect(metadata.ApplicationProperties).toEqual({ json: '{"a":"b"}' });
  });

  it("turns a batch into an array of bodies and <Name>Array metadata", () => {
    const { data, metadata } = batchInput([message({ body: Buffer.from('{"n":1}'), messageId: "a" }), message({ body: "two", messageId: "b", deliveryCount: 2 })]);
    expect(JSON.parse(String(data.json))).toEqual([{ n: 1 }, "two"]);
    expect(JSON.parse(String(metadata.MessageIdArray.json))).toEqual(["a", "b"]);
    expect(JSON.parse(String(metadata.DeliveryCountArray.json))).toEqual([1, 3]);
  });
});
