/**
 * A media node killed with SIGKILL mid-recording (with its workers and ffmpeg, as a crashing
 * container would be) loses at most the open segment's tail: restarted over the same spool, it
 * uploads every closed segment, verified and decodable, plus whatever the cut segment holds, and
 * the recording ends "available" with a NODE_RESTARTED note; the edge hears of both. Run with the
 * journal in the spool and in Redis (REDIS_URL).
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { RecordingEvent, RecordingStatus } from "@parley/shared";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type ChildNode, startChildNode } from "./child-node.js";
import { type FakeEdge, fakeEdge } from "./fake-edge.js";
import { TEST_PORT_OFFSET, waitFor } from "./helpers.js";
import { byTrack, ffprobe, playableSeconds, sha256, sleep, tempDir } from "./recording-helpers.js";
import { type Publisher, publish } from "./recording-peer.js";

const ROOM = "ak_test:sigkill-room";
const R = `/rooms/${encodeURIComponent(ROOM)}`;
const ID = "rec-sigkill";
const SEGMENT_SECONDS = 2;
const children: ChildNode[] = [];
const publishers: Publisher[] = [];
let edge: FakeEdge | undefined;

afterAll(async () => {
  for (const p of publishers) p.close();
  for (const c of children) await c.stop();
  edge?.server.close();
});

const recordingEvent = (type: RecordingEvent["type"]) => (e: { type: string; recordingId?: string }) =>
  e.type === type && e.recordingId === ID;

describe("a media node killed mid-recording", () => {
  it.each(["spool", "redis"] as const)(
    "uploads every closed segment after a restart and says what was cut (journal in the %s)",
    {
      timeout: 120_000,
    },
    async (store) => {
      edge?.server.close();
      edge = await fakeEdge();
      const redis = inject("redis");
      if (store === "redis" && "unavailable" in redis) throw new Error(redis.unavailable);
      const spool = await tempDir("spool-sigkill");
      const nas = await tempDir("nas-sigkill");
      const options = {
        nodeId: `sigkill-${store}`,
        controlPort: 22190 + TEST_PORT_OFFSET,
        rtcPort: 22180 + TEST_PORT_OFFSET,
        edge,
        env: {
          ...(store === "redis" && "url" in redis ? { REDIS_URL: redis.url } : {}),
          SPOOL_DIR: spool,
          NAS_PATH: nas,
          SPOOL_MIN_FREE_BYTES: "0",
          SEGMENT_SECONDS: String(SEGMENT_SECONDS),
          UPLOAD_MAX_BACKOFF_MS: "500",
          RECORDING_MIN_PORT: String(41900 + TEST_PORT_OFFSET),
          RECORDING_MAX_PORT: String(41999 + TEST_PORT_OFFSET),
        },
      };
      const first = await startChildNode(options);
      children.push(first);
      const alice = await publish(first, ROOM, "m_alice", ["audio", "video"]).catch((error: Error) => {
        throw new Error(`${error.message}; edge got ${JSON.stringify(edge?.received.map((r) => r.path))}\n${first.log().slice(-3000)}`);
      });
      publishers.push(alice);
      const start = await first.call("POST", `${R}/recordings`, ROOM, { recordingId: ID });
      expect(start.status).toBe(200);
      await sleep(7000);
      const before = (await first.call("GET", `${R}/recordings/${ID}`, ROOM)).json as RecordingStatus;
      expect(before.state).toBe("recording");
      const spoolFiles = await readdir(spool, { recursive: true });
      expect(spoolFiles.some((f) => f.endsWith("recording.json"))).toBe(store === "spool");
      const killedAt = Date.now();
      await first.kill9();
      children.splice(children.indexOf(first), 1);
      alice.close();

      // Same id, same spool: the journal says "recording", so capture died with the old process.
      const second = await startChildNode(options);
      children.push(second);
      const done = await waitFor(
        async () => {
          const s = await second.call("GET", `${R}/recordings/${ID}`, ROOM);
          return s.json.state === "available" || s.json.state === "failed" ? (s.json as RecordingStatus) : undefined;
        },
        "the recovered recording to finish",
        30_000,
      );
      expect(done.state).toBe("available");
      expect(done.error?.code).toBe("NODE_RESTARTED");
      const note = await second.waitForEvent((e): e is never => recordingEvent("recording.failed")(e));
      expect(note).toMatchObject({ code: "NODE_RESTARTED", fatal: false });
      await second.waitForEvent((e): e is never => recordingEvent("recording.available")(e));

      const figures: Record<string, unknown>[] = [];
      const tracks = byTrack(done);
      expect(tracks.size).toBe(2);
      for (const files of tracks.values()) {
        // ~7 s in 2 s segments: at least 3 closed ones, plus the one the kill cut if it holds anything.
        expect(files.length).toBeGreaterThanOrEqual(3);
        expect(files.map((f) => f.segment)).toEqual(files.map((_, i) => i));
        let saved = 0;
        let cut: { bytes: number; decodable: boolean; seconds: number } | undefined;
        for (const [i, f] of files.entries()) {
          expect(f.status).toBe("uploaded");
          expect(f.bytes).toBeGreaterThan(0);
          const stored = join(nas, ROOM, ID, f.file);
          expect(await sha256(stored)).toBe(f.sha256);
          const probe = await ffprobe(stored).catch(() => undefined);
          const closed = i < files.length - 1 || (probe !== undefined && probe.duration > SEGMENT_SECONDS * 0.9);
          if (closed) {
            // A closed segment is whole: decodable, about SEGMENT_SECONDS long (video cuts on keyframes).
            expect(probe?.codec).toBe(f.kind === "audio" ? "opus" : "vp8");
            expect(probe!.duration).toBeGreaterThan(SEGMENT_SECONDS * 0.5);
            expect(probe!.duration).toBeLessThan(SEGMENT_SECONDS * 2);
            saved += probe!.duration;
          } else {
            // no duration in its header (the muxer never closed it): count what its packets hold
            const seconds = await playableSeconds(stored);
            cut = { bytes: f.bytes ?? 0, decodable: seconds > 0, seconds: Number(seconds.toFixed(2)) };
            saved += seconds;
          }
        }
        const recorded = (killedAt - done.startedAt) / 1000;
        figures.push({
          kind: files[0]!.kind,
          files: files.length,
          recordedSeconds: Number(recorded.toFixed(2)),
          savedSeconds: Number(saved.toFixed(2)),
          lostSeconds: Number((recorded - saved).toFixed(2)),
          cutSegment: cut ?? "empty, not kept",
        });
        // Only the open segment's tail is lost: the muxer wrote it through every FLUSH_MS (container.ts),
        // so the segment the kill cut still plays (it held nothing before that, ~1 s lost per track).
        expect(cut?.seconds ?? 0, "the segment the kill cut plays up to near the kill").toBeGreaterThan(0.2);
        expect(recorded - saved).toBeLessThan(1.2);
      }
      console.log("sigkill figures", store, JSON.stringify(figures));
      await second.stop();
      children.splice(children.indexOf(second), 1);
    },
  );
});
