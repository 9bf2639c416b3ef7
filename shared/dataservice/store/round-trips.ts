import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/** Counts the requests a TableClient sends to storage (one per HTTP call, retries included). */
export class RoundTripCounter {
  private count = 0;

  get total(): number {
    return this.count;
  }

  /** The number of round trips `work` made (meaningful when nothing else uses the client meanwhile). */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; roundTrips: number }> {
    const before = this.count;
    const result = await work();
    return { result, roundTrips: this.count - before };
  }

  /** A per-retry pipeline policy to pass in the client's `additionalPolicies`. */
  policy(): PipelinePolicy {
    return {
      name: "roundTripCounter",
      sendRequest: (request, next) => {
        this.count++;
        return next(request);
      },
    };
  }
}
