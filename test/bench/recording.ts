/**
 * `npm run bench:recording`: how many per-track recordings, and how many 640×480 composites in real
 * time, one core sustains. Prints one JSON object on stdout, progress on stderr; `--quick` for a
 * short run. The work is in recording/main.ts; launch.ts explains why it runs as a child.
 */
import { launchBenchmark } from "./launch.js";

launchBenchmark(new URL("./recording/main.ts", import.meta.url));
