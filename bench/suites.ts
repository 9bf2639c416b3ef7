import { localHostSuite } from "./local-host";
import { serviceBusSuite } from "./servicebus";
import type { BenchSuite } from "./suite";

/** Every suite `npm run bench` runs, in order. Each issue adds its own. */
export const suites: BenchSuite[] = [serviceBusSuite, localHostSuite];
