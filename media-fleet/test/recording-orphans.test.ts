/**
 * A media node SIGKILLed alone (as the OOM killer picks one process) leaves its ffmpegs running:
 * they keep their RTP ports and spool files. Restarted over the same spool, the node kills them
 * (from the pid file every spawn writes, ffmpeg-children.ts) before recovering the journals: the
 * recording still recovers, and a new one gets the ports back (the range here fits one recording).
 */
import { join } from "node:path";
import type { RecordingStatus } from "@parley/shared";
import { afterAll, describe, expect, it } from "vitest";
import { type ChildNode, isRunning, startChildNode } from "./child-node.js";
import { type FakeEdge, fakeEdge } from "./fake-edge.js";
import { TEST_PORT_OFFSET, waitFor } from "./helpers.js";
import { byTrack, ffprobe, sha256, sleep, tempDir } from "./recording-helpers.js";
import { type Publisher, publish } from "./recording-peer.js";

const ROOM = "ak_test:orphans-room";
const R = `/rooms/${encodeURIComponent(ROOM)}`;
const children: ChildNode[] = [];
const publishers: Publisher[] = [];
let edge: FakeEdge | undefined;
let orphans: number[] = [];

afterAll(async () => {
  for (const p of publishers) p.close();
  for (const c of children) await c.stop();
  // Whatever the test left alive must not outlive it.
  for (const pid of orphans) if (isRunning(pid)) process.kill(pid, "SIGKILL");
  edge?.server.close();
});

async function finished(node: ChildNode, id: string): Promise<RecordingStatus> {
  return waitFor(
    async () => {
      const s = await node.call("GET", `${R}/recordings/${id}`, ROOM);
      return s.json.state === "available" || s.json.state === "failed" ? (s.json as RecordingStatus) : undefined;
    },
    `recording ${id} to finish`,
    30_000,
  );
}

describe("ffmpegs orphaned by a node killed alone", () => {
  it("are stopped when the node restarts; the recording recovers and a new one gets their ports", { timeout: 120_000 }, async () => {
    edge = await fakeEdge();
    const spool = await tempDir("spool-orphans");
    const nas = await tempDir("nas-orphans");
    const options = {
      nodeId: "orphans",
      controlPort: 22195 + TEST_PORT_OFFSET,
      rtcPort: 22170 + TEST_PORT_OFFSET,
      edge,
      env: {
        SPOOL_DIR: spool,
        NAS_PATH: nas,
        SPOOL_MIN_FREE_BYTES: "0",
        SEGMENT_SECONDS: "2",
        UPLOAD_MAX_BACKOFF_MS: "500",
        // Two RTP port pairs: exactly one audio + video recording, so a port an orphan kept is a refused recording.
        RECORDING_MIN_PORT: String(41960 + TEST_PORT_OFFSET),
        RECORDING_MAX_PORT: String(41963 + TEST_PORT_OFFSET),
      },
    };
    const first = await startChildNode(options);
    children.push(first);
    const alice = await publish(first, ROOM, "m_alice", ["audio", "video"]);
    publishers.push(alice);
    expect((await first.call("POST", `${R}/recordings`, ROOM, { recordingId: "rec-before" })).status).toBe(200);
    await sleep(5000);

    orphans = await first.kill9NodeOnly();
    children.splice(children.indexOf(first), 1);
    alice.close();
    expect(orphans.length, "one ffmpeg per recorded track").toBe(2);
    await sleep(1000);
    // The problem: nothing stops them once their node is gone.
    expect(orphans.filter(isRunning), "ffmpegs alive 1 s after their node died").toEqual(orphans);

    const restartedAt = Date.now();
    const second = await startChildNode(options);
    children.push(second);
    await waitFor(() => (orphans.some(isRunning) ? undefined : true), "the orphaned ffmpegs to be gone", 5000);
    const goneAfterMs = Date.now() - restartedAt;
    const reapLine = second
      .log()
      .split("\n")
      .find((l) => l.includes("left behind"));
    expect(reapLine && JSON.parse(reapLine)).toMatchObject({ reaped: 2 });

    const recovered = await finished(second, "rec-before");
    expect(recovered.state).toBe("available");
    expect(recovered.error?.code).toBe("NODE_RESTARTED");
    const tracks = byTrack(recovered);
    expect(tracks.size).toBe(2);
    for (const files of tracks.values()) {
      // ~5 s in 2 s segments: at least 2 closed ones, each stored whole.
      expect(files.length).toBeGreaterThanOrEqual(2);
      for (const f of files) {
        expect(f.status).toBe("uploaded");
        expect(await sha256(join(nas, ROOM, "rec-before", f.file))).toBe(f.sha256);
      }
    }

    const bob = await publish(second, ROOM, "m_bob", ["audio", "video"]);
    publishers.push(bob);
    const started = await second.call("POST", `${R}/recordings`, ROOM, { recordingId: "rec-after" });
    expect(started.status, JSON.stringify(started.json)).toBe(200);
    await sleep(4500);
    expect((await second.call("POST", `${R}/recordings/rec-after/stop`, ROOM, {})).status).toBe(200);
    const after = await finished(second, "rec-after");
    expect(after.state).toBe("available");
    const newTracks = byTrack(after);
    expect(newTracks.size).toBe(2);
    for (const files of newTracks.values()) {
      const probe = await ffprobe(join(nas, ROOM, "rec-after", files[0]!.file));
      expect(probe.codec).toBe(files[0]!.kind === "audio" ? "opus" : "vp8");
      expect(probe.duration).toBeGreaterThan(1);
    }
    console.log("orphan figures", JSON.stringify({ orphans: orphans.length, goneAfterRestartMs: goneAfterMs }));
  });
});
