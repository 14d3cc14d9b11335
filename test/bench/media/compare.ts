/**
 * Parley beside bare mediasoup: each side's capacity and Parley ÷ bare at every step, for the
 * forwarding and meeting ramps alike (main.ts prints these).
 */
import { round } from "../stats.js";
import type { RoomSide } from "./media-room.js";

/** What both ramps record per step and side. */
export interface LaneStep {
  consumers: number;
  workerPercent: number;
  workerMicrosPerForwardedPacket: number;
  withinLimits: boolean;
}

export interface Capacity {
  consumersPerCore: number;
  limitedBy: string;
  /** Linear projection from the best step: consumers at which the worker would reach the CPU limit. */
  projectedAtCpuLimit: number;
}

/** The largest step within the limits; consumers per core = consumers on this one (single-threaded) worker. */
export function capacity(steps: LaneStep[], maxCpuPercent: number, minConsumers = 2): Capacity {
  const best = steps.filter((s) => s.withinLimits && s.consumers >= minConsumers).at(-1);
  const firstOver = steps.find((s) => !s.withinLimits);
  return {
    consumersPerCore: best?.consumers ?? 0,
    limitedBy: firstOver
      ? firstOver.workerPercent > maxCpuPercent
        ? `worker CPU at ${firstOver.consumers} consumers`
        : `loss or delivery at ${firstOver.consumers} consumers`
      : "none reached (ramp ended)",
    projectedAtCpuLimit: best ? Math.floor((best.consumers * maxCpuPercent) / Math.max(best.workerPercent, 0.1)) : 0,
  };
}

export function ratio(parley: number, bare: number): number | null {
  return bare > 0 && Number.isFinite(parley) ? round(parley / bare, 3) : null;
}

export function compareLanes<S extends LaneStep>(
  lanes: { side: RoomSide; steps: S[] }[],
  limits: { maxCpuPercent: number; maxLossPercent: number; minDeliveryPercent: number },
) {
  const bare = lanes.find((l) => l.side === "bare")?.steps ?? [];
  const parley = lanes.find((l) => l.side === "parley")?.steps ?? [];
  const bareCapacity = capacity(bare, limits.maxCpuPercent);
  const parleyCapacity = capacity(parley, limits.maxCpuPercent);
  return {
    bare: { steps: bare, ...bareCapacity },
    parley: { steps: parley, ...parleyCapacity },
    /**
     * At every step both sides took: Parley's figure ÷ bare's. For µs per forwarded packet and worker
     * CPU, 1 means Parley costs what bare mediasoup costs and above 1 means more; `packetsPerCpuSecond`
     * is the inverse (Parley's forwarding per worker CPU-second ÷ bare's).
     */
    parleyOverBare: parley
      .map((p) => ({ p, b: bare.find((s) => s.consumers === p.consumers) }))
      .filter((x): x is { p: S; b: S } => x.b !== undefined)
      .map(({ p, b }) => ({
        consumers: p.consumers,
        workerMicrosPerForwardedPacket: ratio(p.workerMicrosPerForwardedPacket, b.workerMicrosPerForwardedPacket),
        packetsPerCpuSecond: ratio(b.workerMicrosPerForwardedPacket, p.workerMicrosPerForwardedPacket),
        workerPercent: ratio(p.workerPercent, b.workerPercent),
        bothWithinLimits: p.withinLimits && b.withinLimits,
      })),
    consumersPerCore: {
      criterion: `largest step with worker CPU ≤ ${limits.maxCpuPercent} %, loss ≤ ${limits.maxLossPercent} % and delivery ≥ ${limits.minDeliveryPercent} % of the first step's packets per consumer`,
      bare: bareCapacity.consumersPerCore,
      parley: parleyCapacity.consumersPerCore,
      parleyOverBare: ratio(parleyCapacity.consumersPerCore, bareCapacity.consumersPerCore),
      /** From each side's best step, where its worker would reach the CPU limit (when loss, not CPU, stopped it). */
      projectedAtCpuLimit: { bare: bareCapacity.projectedAtCpuLimit, parley: parleyCapacity.projectedAtCpuLimit },
    },
  };
}
