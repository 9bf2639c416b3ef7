import { dataServiceSuite } from "./dataservice";
import { pipelineSuite } from "./pipeline";
import { serializationSuite } from "./serialization";
import type { BenchSuite } from "./suite";

/** Every suite `npm run bench` runs, in order. Each issue adds its own. */
export const suites: BenchSuite[] = [serializationSuite, dataServiceSuite, pipelineSuite];
