import { describe, expect, it } from "vitest";
import { createContext, EntityReference, ExecutionMode, postMessageId, Stage } from "./index";

const operationId = "5b0c9a9e-3c1d-4f8e-9d2a-7e6f5a4b3c2d";
const step = (id: string) => new EntityReference("sdkmessageprocessingstep", id, null);
const first = step("11111111-1111-4111-8111-111111111111");
const second = step("22222222-2222-4222-8222-222222222222");
const synchronous = (owningExtension: EntityReference, stage: number) => createContext({ operationId, owningExtension, stage, mode: ExecutionMode.Synchronous });

describe("postMessageId", () => {
  it("is the OperationId (the job's id) of an asynchronous post, so every attempt of a job is one message", () => {
    expect(postMessageId(createContext({ operationId, owningExtension: first, stage: Stage.PostOperation, mode: ExecutionMode.Asynchronous }))).toBe(operationId);
  });

  it("differs per step and stage of one synchronous operation, and is the same for the same post again", () => {
    const ids = [synchronous(first, Stage.PostOperation), synchronous(second, Stage.PostOperation), synchronous(first, Stage.PreOperation)].map(postMessageId);
    expect(new Set([...ids, operationId]).size).toBe(4);
    expect(postMessageId(synchronous(first, Stage.PostOperation))).toBe(ids[0]);
    // A version 5 (name-based) GUID in Dataverse's lower-case form.
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
