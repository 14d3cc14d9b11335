/**
 * `npm run bench:media`: one mediasoup worker's forwarding (PlainTransport ramp), the meeting shape
 * (WebRTC subscribers receiving 10 streams each) and join → first remote video frame, each with its
 * anchor (bare mediasoup, a minimal mediasoup app) in the same run, and the ratios. Prints one JSON
 * object on stdout, progress on stderr; `--only=forwarding|meeting|join`. The work is in
 * media/main.ts; launch.ts explains why it runs as a child. Figures: docs/quality.md.
 */
import { launchBenchmark } from "./launch.js";

launchBenchmark(new URL("./media/main.ts", import.meta.url));
