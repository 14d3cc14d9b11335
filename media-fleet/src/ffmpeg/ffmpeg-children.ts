/**
 * The ffmpegs this node started, recorded in the spool (`ffmpeg-children.json`) so that a node
 * restarted after a SIGKILL can stop the ones the dead process orphaned: they would otherwise keep
 * their UDP ports and spool files forever. Each entry is a pid plus its start time from /proc, so a
 * pid the kernel has since given to another process is never killed. The file exists only while
 * ffmpegs run, so an idle spool holds nothing but recordings.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";

export const CHILDREN_FILE = "ffmpeg-children.json";
/** How long reaping waits for a killed orphan to be gone before reporting it as still there. */
const REAP_WAIT_MS = 3000;

const ChildEntry = z.object({ pid: z.number().int().positive(), startTicks: z.number().int().nonnegative() });
type ChildEntry = z.infer<typeof ChildEntry>;
const ChildrenFile = z.object({ version: z.literal(1), children: z.array(ChildEntry).max(100_000) });

export interface ReapResult {
  /** Orphans found alive and killed. */
  reaped: number;
  /** Entries whose pid is gone or now belongs to another process: left alone. */
  stale: number;
}

export class FfmpegChildren {
  readonly #file: string;
  readonly #live = new Map<number, ChildEntry>();
  readonly #onWriteError: (error: Error) => void;

  constructor(spoolDir: string, onWriteError: (error: Error) => void) {
    this.#file = join(spoolDir, CHILDREN_FILE);
    this.#onWriteError = onWriteError;
  }

  /** Records a just-spawned child; a child that already exited (no start time) is not recorded. */
  add(pid: number): void {
    const startTicks = processStartTicks(pid);
    if (startTicks === undefined) return;
    this.#live.set(pid, { pid, startTicks });
    this.#write();
  }

  remove(pid: number): void {
    if (this.#live.delete(pid)) this.#write();
  }

  /**
   * Kills (SIGKILL) every recorded child that is still alive and still the same ffmpeg, waits until
   * they are gone, and rewrites the file with this process's children only.
   */
  async reapOrphans(): Promise<ReapResult> {
    const killed: ChildEntry[] = [];
    let stale = 0;
    for (const entry of this.#read()) {
      if (this.#live.has(entry.pid) || !isSameFfmpeg(entry)) {
        if (!this.#live.has(entry.pid)) stale++;
        continue;
      }
      try {
        process.kill(entry.pid, "SIGKILL");
        killed.push(entry);
      } catch {
        stale++; // exited between the check and the kill
      }
    }
    const deadline = Date.now() + REAP_WAIT_MS;
    while (killed.some(isRunning) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.#write();
    return { reaped: killed.length, stale };
  }

  #read(): ChildEntry[] {
    let text: string;
    try {
      text = readFileSync(this.#file, "utf8");
    } catch {
      return []; // no file: no ffmpeg was running when the last run stopped
    }
    try {
      return ChildrenFile.parse(JSON.parse(text)).children;
    } catch {
      return []; // torn or foreign content: nothing we can trust to kill
    }
  }

  /** Synchronous so that the file always matches the spawns and exits in the order they happened. */
  #write(): void {
    const tmp = `${this.#file}.tmp`;
    try {
      if (this.#live.size === 0) {
        rmSync(this.#file, { force: true });
        return;
      }
      writeFileSync(tmp, JSON.stringify({ version: 1, children: [...this.#live.values()] }), { mode: 0o600 });
      renameSync(tmp, this.#file);
    } catch (error) {
      this.#onWriteError(error as Error);
    }
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
export function processStartTicks(pid: number): number | undefined {
  const fields = statFields(pid);
  const ticks = fields === undefined ? Number.NaN : Number(fields[19]);
  return Number.isInteger(ticks) ? ticks : undefined;
}

/** Alive (not a zombie), started when recorded, and its program is ffmpeg. */
function isSameFfmpeg(entry: ChildEntry): boolean {
  if (!isRunning(entry) || processStartTicks(entry.pid) !== entry.startTicks) return false;
  try {
    const argv0 = readFileSync(`/proc/${entry.pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    return basename(argv0).startsWith("ffmpeg");
  } catch {
    return false; // gone since the stat read: nothing to kill
  }
}

function isRunning(entry: ChildEntry): boolean {
  const state = statFields(entry.pid)?.[0];
  // A killed orphan can stay a zombie until its new parent reaps it; it holds no ports or files.
  return state !== undefined && state !== "Z" && state !== "X";
}

/** /proc/<pid>/stat after the command name (which may hold spaces and parentheses): state first. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat
      .slice(stat.lastIndexOf(")") + 2)
      .trim()
      .split(" ");
  } catch {
    return undefined; // no such process (any more)
  }
}
