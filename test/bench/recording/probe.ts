/** ffprobe for the benchmark: the media duration of every file a recorder wrote. */
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Seconds of media in `file` (0 when ffprobe cannot read it: an empty or missing output). */
export async function mediaSeconds(file: string): Promise<number> {
  try {
    const { stdout } = await run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file]);
    const seconds = Number.parseFloat(stdout.trim());
    return Number.isFinite(seconds) ? seconds : 0;
  } catch {
    return 0;
  }
}

/** Total media seconds in the segments under `dir` whose names match `pattern`. */
export async function folderSeconds(dir: string, pattern: RegExp): Promise<number> {
  let names: string[] = [];
  try {
    names = (await readdir(dir)).filter((n) => pattern.test(n));
  } catch {
    return 0;
  }
  let total = 0;
  for (const n of names) total += await mediaSeconds(join(dir, n));
  return total;
}
