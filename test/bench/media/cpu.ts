/** CPU meters: a mediasoup worker (its own rusage), this Node process, and the whole machine. */
import os from "node:os";
import type { types } from "mediasoup";

export interface CpuSample {
  at: number;
  workerMs: number;
  workerSystemMs: number;
  processMicros: number;
  machineBusyMs: number;
  machineTotalMs: number;
}

export interface CpuFigures {
  /** Worker user+system time over wall time, % of one core (the worker is single-threaded). */
  workerPercent: number;
  /**
   * The kernel's share of it. On 127.0.0.1 a send also runs the receiving socket's delivery in the
   * sender's context, so part of the sinks' kernel work is billed to the worker here.
   */
  workerSystemPercent: number;
  /** This Node process (sinks, publisher, wrtc bots), % of one core; may exceed 100 (threads). */
  benchProcessPercent: number;
  /** All cores busy, % of the machine's total. */
  machinePercent: number;
}

/** Busy and total CPU milliseconds over all cores since boot. */
export function machineTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

export async function sampleCpu(worker: types.Worker): Promise<CpuSample> {
  const usage = await worker.getResourceUsage();
  const { user, system } = process.cpuUsage();
  const machine = machineTimes();
  return {
    at: performance.now(),
    workerMs: usage.ru_utime + usage.ru_stime,
    workerSystemMs: usage.ru_stime,
    processMicros: user + system,
    machineBusyMs: machine.busy,
    machineTotalMs: machine.total,
  };
}

export function cpuBetween(a: CpuSample, b: CpuSample): CpuFigures {
  const wallMs = b.at - a.at;
  return {
    workerPercent: (100 * (b.workerMs - a.workerMs)) / wallMs,
    workerSystemPercent: (100 * (b.workerSystemMs - a.workerSystemMs)) / wallMs,
    benchProcessPercent: (100 * (b.processMicros - a.processMicros)) / 1000 / wallMs,
    machinePercent:
      b.machineTotalMs > a.machineTotalMs ? (100 * (b.machineBusyMs - a.machineBusyMs)) / (b.machineTotalMs - a.machineTotalMs) : 0,
  };
}
