import { localHostSuite } from "./local-host";
import type { BenchSuite } from "./suite";

/** Every suite `npm run bench` runs, in order. Each issue adds its own. */
export const suites: BenchSuite[] = [localHostSuite];
