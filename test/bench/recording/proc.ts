/**
 * What the recording benchmark reads from /proc: CPU time of given processes (the mediasoup worker
 * and the recorders' ffmpegs, which are children of this process) and datagrams the kernel dropped
 * on the recorders' UDP sockets because ffmpeg did not read them in time.
 */
import { readdirSync, readFileSync } from "node:fs";
import { machineTimes } from "../media/cpu.js";

/** Clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** user + system CPU seconds of `pid`, or 0 once it has exited. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at state; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * Memory of `pids` together, MiB, as PSS: shared library pages are split between the processes
 * that map them (RSS would count ffmpeg's ~40 MiB of libraries once per process). 0 for exited ones.
 */
export function pssMiB(pids: number[]): number {
  let kib = 0;
  for (const pid of pids) {
    try {
      kib += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
    } catch {
      // exited
    }
  }
  return kib / 1024;
}

/** Process ids of this process's live children named `comm` (e.g. "ffmpeg"). */
export function childrenNamed(comm: string, parent = process.pid): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (name === comm && ppid === parent) pids.push(Number(entry));
    } catch {
      // exited while listing
    }
  }
  return pids;
}

/** Datagrams dropped so far on IPv4 UDP sockets bound to ports in [min, max] (the `drops` column of /proc/net/udp). */
export function udpDrops(min: number, max: number): number {
  let drops = 0;
  for (const line of readFileSync("/proc/net/udp", "utf8").split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    const port = Number.parseInt(cols[1]?.split(":")[1] ?? "", 16);
    if (port >= min && port <= max) drops += Number(cols[12] ?? 0);
  }
  return drops;
}

/** CPU seconds of a set of processes between two moments: processes that exit in between are still counted up to their last sample. */
export class CpuMeter {
  readonly #last = new Map<number, number>();
  #startedAt = 0;
  #used = 0;

  start(pids: number[]): void {
    this.#last.clear();
    this.#used = 0;
    this.#startedAt = performance.now();
    for (const pid of pids) this.#last.set(pid, cpuSeconds(pid));
  }

  /** Adds the time used since the last sample; new pids count from their first sample. */
  sample(pids: number[]): void {
    for (const pid of pids) {
      const now = cpuSeconds(pid);
      const before = this.#last.get(pid);
      if (before !== undefined && now >= before) this.#used += now - before;
      if (now > 0) this.#last.set(pid, now);
    }
  }

  /** Busy time over wall time, % of one core. */
  percentOfOneCore(): number {
    const wall = (performance.now() - this.#startedAt) / 1000;
    return wall > 0 ? (100 * this.#used) / wall : 0;
  }
}

/** The whole machine's busy share between start() and percent(), % of all cores: a check on the per-process figures. */
export class MachineMeter {
  #busy = 0;
  #total = 0;

  start(): void {
    ({ busy: this.#busy, total: this.#total } = machineTimes());
  }

  percent(): number {
    const { busy, total } = machineTimes();
    return total > this.#total ? (100 * (busy - this.#busy)) / (total - this.#total) : 0;
  }
}
