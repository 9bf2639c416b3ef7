import { dataServiceSuite } from "./dataservice";
import { deliverySuite } from "./delivery";
import { localHostSuite } from "./local-host";
import { pipelineSuite } from "./pipeline";
import { serializationSuite } from "./serialization";
import { serviceBusSuite } from "./servicebus";
import type { BenchSuite } from "./suite";
import { systemJobsSuite } from "./system-jobs";

/** Every suite `npm run bench` runs, in order. Each issue adds its own. */
export const suites: BenchSuite[] = [serializationSuite, serviceBusSuite, localHostSuite, dataServiceSuite, pipelineSuite, deliverySuite, systemJobsSuite];
