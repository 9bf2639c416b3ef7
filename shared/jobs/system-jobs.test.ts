import { describe, expect, it } from "vitest";
import { tableClientFor } from "../config/table-client";
import { RecordStore } from "../dataservice";
import { SystemJobStore } from "./system-jobs";

describe("SystemJobStore", () => {
  it("finds no open jobs before the records table exists (the sweep on a fresh storage account)", async () => {
    const jobs = new SystemJobStore(new RecordStore(tableClientFor(`NoRecords${Date.now()}`)));
    expect(await jobs.listOpen("contoso")).toEqual([]);
    expect(await jobs.read({ organization: "contoso", jobId: "00000000-0000-0000-0000-000000000001" })).toBeUndefined();
  });
});
