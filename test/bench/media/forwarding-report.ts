/** The forwarding figures main.ts prints: each side's capacity and Parley ÷ bare at every step. */
import { round } from "../stats.js";
import type { ForwardingLaneResult, ForwardingSettings, ForwardingStep } from "./forwarding.js";

export interface Capacity {
  consumersPerCore: number;
  limitedBy: string;
  /** Linear projection from the best step: consumers at which the worker would reach the CPU limit. */
  projectedAtCpuLimit: number;
}

/** The largest step within both limits; consumers per core = consumers on this one (single-threaded) worker. */
export function capacity(steps: ForwardingStep[], maxCpuPercent: number, minConsumers = 2): Capacity {
  const best = steps.filter((s) => s.withinLimits && s.consumers >= minConsumers).at(-1);
  const firstOver = steps.find((s) => !s.withinLimits);
  return {
    consumersPerCore: best?.consumers ?? 0,
    limitedBy: firstOver
      ? firstOver.workerPercent > maxCpuPercent
        ? `worker CPU at ${firstOver.consumers} consumers`
        : `loss at ${firstOver.consumers} consumers`
      : "none reached (ramp ended)",
    projectedAtCpuLimit: best ? Math.floor((best.consumers * maxCpuPercent) / Math.max(best.workerPercent, 0.1)) : 0,
  };
}

export function ratio(parley: number, bare: number): number | null {
  return bare > 0 && Number.isFinite(parley) ? round(parley / bare, 3) : null;
}

export function forwardingReport(settings: ForwardingSettings, lanes: ForwardingLaneResult[], goal: number) {
  const bare = lanes.find((l) => l.side === "bare")?.steps ?? [];
  const parley = lanes.find((l) => l.side === "parley")?.steps ?? [];
  const bareCapacity = capacity(bare, settings.maxCpuPercent);
  const parleyCapacity = capacity(parley, settings.maxCpuPercent);
  const capacityRatio = ratio(parleyCapacity.consumersPerCore, bareCapacity.consumersPerCore);
  return {
    bare: { steps: bare, ...bareCapacity },
    parley: { steps: parley, ...parleyCapacity },
    /**
     * At every step both sides took: Parley's figure ÷ bare's. For µs per forwarded packet and worker
     * CPU, 1 means Parley costs what bare mediasoup costs and above 1 means more; `packetsPerCpuSecond`
     * is the inverse (Parley's forwarding per worker CPU-second ÷ bare's, the goal being ≥ 0.9).
     */
    parleyOverBare: parley
      .map((p) => ({ p, b: bare.find((s) => s.consumers === p.consumers) }))
      .filter((x): x is { p: ForwardingStep; b: ForwardingStep } => x.b !== undefined)
      .map(({ p, b }) => ({
        consumers: p.consumers,
        workerMicrosPerForwardedPacket: ratio(p.workerMicrosPerForwardedPacket, b.workerMicrosPerForwardedPacket),
        packetsPerCpuSecond: ratio(b.workerMicrosPerForwardedPacket, p.workerMicrosPerForwardedPacket),
        workerPercent: ratio(p.workerPercent, b.workerPercent),
        bothWithinLimits: p.withinLimits && b.withinLimits,
      })),
    result: {
      criterion: `largest step with worker CPU ≤ ${settings.maxCpuPercent} % and loss ≤ ${settings.maxLossPercent} %`,
      consumersPerCore: { bare: bareCapacity.consumersPerCore, parley: parleyCapacity.consumersPerCore, parleyOverBare: capacityRatio },
      goal: `Parley ÷ bare ≥ ${goal}`,
      meetsGoal: capacityRatio !== null && capacityRatio >= goal,
    },
  };
}
