/**
 * What every recorder does with its ffmpeg: start it (the one place that spawns ffmpeg, so every
 * child is recorded for the orphan reaper), keep the tail of its stderr, stop it without losing the
 * open segment, read its segment list.
 */
import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { FfmpegChildren } from "./ffmpeg-children.js";

/** Starts ffmpeg for the recorders; with `children`, each one is recorded in the spool until it exits. */
export class FfmpegLauncher {
  readonly path: string;
  readonly #children: FfmpegChildren | undefined;

  constructor(path: string, children?: FfmpegChildren) {
    this.path = path;
    this.#children = children;
  }

  spawn(args: string[], stdio: StdioOptions): ChildProcess {
    const child = spawn(this.path, args, { stdio });
    const { pid } = child;
    // No pid: the spawn failed (ENOENT, EAGAIN) and "error" / "exit" follow.
    if (pid !== undefined && this.#children) {
      const children = this.#children;
      children.add(pid);
      child.once("exit", () => children.remove(pid));
    }
    return child;
  }
}

/**
 * Keeps the tail of ffmpeg's stderr (enough to explain an exit, never unbounded) and answers it
 * on demand.
 */
export function stderrTail(child: ChildProcess, maxChars = 4000): () => string {
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-maxChars);
  });
  return () => tail;
}

/**
 * One SIGINT makes ffmpeg close the open segment (or stream) properly; a second would make it abort
 * mid-write, so callers keep the returned promise and never call this twice. SIGKILL after
 * `timeoutMs` if ffmpeg hangs. Resolves when the process has exited (`exited`).
 */
export async function stopGracefully(ffmpeg: ChildProcess, exited: Promise<unknown>, timeoutMs: number): Promise<void> {
  if (ffmpeg.exitCode === null && ffmpeg.signalCode === null) {
    ffmpeg.kill("SIGINT");
    const killer = setTimeout(() => ffmpeg.kill("SIGKILL"), timeoutMs);
    killer.unref();
    await exited;
    clearTimeout(killer);
  }
  await exited;
}

/** File names in the segment muxer's CSV list (`-segment_list_type csv`); none while it is missing. */
export async function readSegmentList(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return []; // not written yet (no segment closed so far), or removed with the recording
  }
  return text
    .split("\n")
    .map((line) => line.split(",")[0]?.trim() ?? "")
    .filter(Boolean)
    .map((name) => basename(name));
}
