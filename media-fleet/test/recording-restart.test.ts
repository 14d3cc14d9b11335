/**
 * Nothing is lost when storage is unreachable or the node restarts: files wait in the spool (state
 * "uploading", retried with backoff), and a new service over the same spool finishes the uploads.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { RecordingManifest, type RecordingStatus } from "@parley/shared";
import { afterAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode, waitFor } from "./helpers.js";
import { isEvent, recordingEvents, sha256, sleep, tempDir } from "./recording-helpers.js";
import { type Publisher, publish } from "./recording-peer.js";

const ROOM = "ak_test:restart-room";
const R = `/rooms/${encodeURIComponent(ROOM)}`;
const nodes: TestNode[] = [];
const publishers: Publisher[] = [];

afterAll(async () => {
  for (const p of publishers) p.close();
  for (const n of nodes) await n.stop();
});

function env(spool: string, base: number): Record<string, string> {
  return {
    SPOOL_DIR: spool,
    NAS_PATH: join(spool, "..", "unused-nas"),
    SPOOL_MIN_FREE_BYTES: "0",
    UPLOAD_MAX_BACKOFF_MS: "500",
    RECORDING_MIN_PORT: String(base),
    RECORDING_MAX_PORT: String(base + 99),
  };
}

describe("uploads survive storage outages and node restarts", () => {
  it("keeps files in the spool while storage is down, and a restarted node uploads them", async () => {
    const spool = await tempDir("spool-restart");
    const target = join(await tempDir("nas-later"), "mount");
    const first = await startTestNode({ rtcBasePort: 21500, env: env(spool, 41100) });
    nodes.push(first);
    const rec = recordingEvents(first);
    const alice = await publish(first, ROOM, "m_alice", ["audio", "video"]);
    publishers.push(alice);
    // The NAS folder is not mounted yet: every upload fails and is retried.
    const start = await first.call("POST", `${R}/recordings`, ROOM, {
      recordingId: "rec-restart",
      segmentSeconds: 2,
      storage: { kind: "nas", path: target },
    });
    expect(start.status).toBe(200);
    await sleep(4500);
    const stopped = (await first.call("POST", `${R}/recordings/rec-restart/stop`, ROOM, {})).json as RecordingStatus;
    expect(stopped.state).toBe("uploading");
    const outage = await rec.wait(isEvent("recording.failed", "rec-restart"), "storage outage event");
    expect(outage).toMatchObject({ code: "STORAGE_UNAVAILABLE", fatal: false });
    await sleep(1200); // a few more retries
    const waiting = (await first.call("GET", `${R}/recordings/rec-restart`, ROOM)).json as RecordingStatus;
    expect(waiting.state).toBe("uploading");
    expect(waiting.error?.code).toBe("STORAGE_UNAVAILABLE");
    expect(waiting.files.length).toBeGreaterThanOrEqual(4);
    for (const f of waiting.files) {
      expect(f.status).toBe("pending");
      expect(await sha256(join(spool, "rec-restart", f.file))).toBe(f.sha256);
    }
    expect(Math.max(...waiting.files.map((f) => f.uploadAttempts ?? 0))).toBeGreaterThanOrEqual(2);

    // The node goes away with uploads pending; storage comes back; a new node starts over the same spool.
    alice.close();
    await first.stop();
    nodes.splice(nodes.indexOf(first), 1);
    await mkdir(target, { recursive: true });
    const restartedAt = Date.now();
    const second = await startTestNode({ rtcBasePort: 21510, env: env(spool, 41200) });
    nodes.push(second);
    const done = await waitFor(async () => {
      const s = await second.call("GET", `${R}/recordings/rec-restart`, ROOM);
      return s.json.state === "available" ? (s.json as RecordingStatus) : undefined;
    }, "resumed uploads");
    console.log(
      "resume figures",
      JSON.stringify({ files: done.files.length, bytes: done.files.reduce((n, f) => n + (f.bytes ?? 0), 0), ms: Date.now() - restartedAt }),
    );
    expect(done.files.map((f) => f.file).sort()).toEqual(waiting.files.map((f) => f.file).sort());
    for (const f of done.files) {
      expect(f.status).toBe("uploaded");
      expect(await sha256(join(target, ROOM, "rec-restart", f.file))).toBe(f.sha256);
    }
    // The restarted node also stored the manifest (made from the journal) before saying "available".
    const manifest = RecordingManifest.parse(JSON.parse(await readFile(join(target, ROOM, "rec-restart", "manifest.json"), "utf8")));
    expect(manifest.files.map((f) => [f.file, f.sha256])).toEqual(done.files.map((f) => [f.file, f.sha256]));
    expect(existsSync(join(spool, "rec-restart"))).toBe(false);
  });
});
