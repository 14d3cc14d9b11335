/**
 * `npm run bench:network`: audio and video quality through the network lab (infra/netlab) for a
 * matrix of lossy, delayed links, with today's Parley as the baseline column. Prints one JSON
 * object on stdout, progress and the markdown table on stderr. The work is in network/main.ts;
 * launch.ts explains why it runs as a child. Flags: see network/main.ts.
 */
import { launchBenchmark } from "./launch.js";

launchBenchmark(new URL("./network/main.ts", import.meta.url));
