/**
 * `npm run bench:media`: join → first remote video frame on the local stack, and how many consumers
 * one mediasoup worker forwards to. Prints one JSON object on stdout, progress on stderr. The work
 * is in media/main.ts; launch.ts explains why it runs as a child.
 */
import { launchBenchmark } from "./launch.js";

launchBenchmark(new URL("./media/main.ts", import.meta.url));
