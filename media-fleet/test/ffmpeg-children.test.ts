/**
 * The orphan reaper (ffmpeg-children.ts) on real processes: it kills a recorded ffmpeg that is
 * still running, and never a pid that now belongs to another process (other start time, or not
 * ffmpeg). Children remove themselves from the file when they exit.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CHILDREN_FILE, FfmpegChildren, processStartTicks } from "../src/ffmpeg/ffmpeg-children.js";
import { FfmpegLauncher } from "../src/ffmpeg/ffmpeg-process.js";
import { isRunning } from "./child-node.js";
import { waitFor } from "./helpers.js";
import { tempDir } from "./recording-helpers.js";

/** Runs until killed, at real-time speed so it costs next to no CPU. */
const FOREVER = ["-nostdin", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "anullsrc=r=8000", "-f", "null", "-"];
const started: ChildProcess[] = [];
const noWriteErrors = (error: Error) => {
  throw error;
};

afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

function launch(launcher: FfmpegLauncher, args = FOREVER): ChildProcess {
  const child = launcher.spawn(args, "ignore");
  started.push(child);
  return child;
}

/** The children listed in the spool; none when the file is absent (it is removed when the last one exits). */
async function recorded(spool: string): Promise<{ pid: number; startTicks: number }[]> {
  const text = await readFile(join(spool, CHILDREN_FILE), "utf8").catch(() => undefined);
  return text === undefined ? [] : JSON.parse(text).children;
}

describe("ffmpeg orphan reaper", () => {
  it("kills a recorded ffmpeg that outlived the process that started it", async () => {
    const spool = await tempDir("reaper-kill");
    const child = launch(new FfmpegLauncher("ffmpeg", new FfmpegChildren(spool, noWriteErrors)));
    const pid = child.pid!;
    expect(await recorded(spool)).toEqual([{ pid, startTicks: processStartTicks(pid) }]);
    // A new FfmpegChildren over the same spool is what a restarted node sees.
    const result = await new FfmpegChildren(spool, noWriteErrors).reapOrphans();
    expect(result).toEqual({ reaped: 1, stale: 0 });
    expect(isRunning(pid)).toBe(false);
    expect(await recorded(spool)).toEqual([]);
  });

  it("leaves alone a pid whose start time differs (the kernel reused it)", async () => {
    const spool = await tempDir("reaper-reused");
    const child = launch(new FfmpegLauncher("ffmpeg"));
    const pid = child.pid!;
    await waitFor(() => (isRunning(pid) ? true : undefined), "ffmpeg to run");
    const ticks = processStartTicks(pid)!;
    await writeFile(join(spool, CHILDREN_FILE), JSON.stringify({ version: 1, children: [{ pid, startTicks: ticks - 1 }] }));
    expect(await new FfmpegChildren(spool, noWriteErrors).reapOrphans()).toEqual({ reaped: 0, stale: 1 });
    expect(isRunning(pid)).toBe(true);
    expect(await recorded(spool)).toEqual([]);
  });

  it("leaves alone a recorded pid that is not ffmpeg", async () => {
    const spool = await tempDir("reaper-other");
    const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
    started.push(sleeper);
    const pid = sleeper.pid!;
    await waitFor(() => (isRunning(pid) ? true : undefined), "sleep to run");
    await writeFile(join(spool, CHILDREN_FILE), JSON.stringify({ version: 1, children: [{ pid, startTicks: processStartTicks(pid) }] }));
    expect(await new FfmpegChildren(spool, noWriteErrors).reapOrphans()).toEqual({ reaped: 0, stale: 1 });
    expect(isRunning(pid)).toBe(true);
  });

  it("forgets a child once it exits (no file left), and ignores a torn file", async () => {
    const spool = await tempDir("reaper-exit");
    const child = launch(new FfmpegLauncher("ffmpeg", new FfmpegChildren(spool, noWriteErrors)), [
      ...["-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "anullsrc=r=8000", "-t", "0.2", "-f", "null", "-"],
    ]);
    expect((await recorded(spool)).map((c) => c.pid)).toEqual([child.pid]);
    await new Promise((r) => child.once("exit", r));
    expect(await readdir(spool), "the file goes with the last child").toEqual([]);
    await writeFile(join(spool, CHILDREN_FILE), '{"version":1,"children":[{"pid":');
    expect(await new FfmpegChildren(spool, noWriteErrors).reapOrphans()).toEqual({ reaped: 0, stale: 0 });
  });
});
