import { inject } from "vitest";

process.env.MEDIASOUP_WORKER_BIN = inject("mediasoupWorkerBin");
