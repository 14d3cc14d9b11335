/**
 * A full spool is an error and an event, not a crash: starting is refused with SPOOL_FULL (507),
 * and a spool filling up during a recording stops capture with a SPOOL_FULL event while what was
 * already written is still uploaded. The spool is a real 8 MiB tmpfs (the tests run as root).
 */
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RecordingStatus } from "@parley/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNode, type TestNode, waitFor } from "./helpers.js";
import { isEvent, recordingEvents, sleep, tempDir } from "./recording-helpers.js";
import { type Publisher, publish } from "./recording-peer.js";

const ROOM = "ak_test:spool-room";
const R = `/rooms/${encodeURIComponent(ROOM)}`;
const MiB = 1024 * 1024;
let node: TestNode;
let spool: string;
let nas: string;
const publishers: Publisher[] = [];

beforeAll(async () => {
  spool = await tempDir("spool-tmpfs");
  nas = await tempDir("nas-spool");
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", spool]);
  node = await startTestNode({
    rtcBasePort: 21600,
    env: {
      SPOOL_DIR: spool,
      NAS_PATH: nas,
      SPOOL_MIN_FREE_BYTES: String(4 * MiB),
      RECORDING_MIN_PORT: "41300",
      RECORDING_MAX_PORT: "41399",
    },
  });
});
afterAll(async () => {
  for (const p of publishers) p.close();
  await node?.stop();
  execFileSync("umount", ["-l", spool]);
});

describe("spool disk-full", () => {
  it("refuses to start when the spool has too little space, and stops capture when it fills up", async () => {
    const rec = recordingEvents(node);
    const alice = await publish(node, ROOM, "m_alice", ["audio", "video"]);
    publishers.push(alice);

    const filler = join(spool, "filler.bin");
    await writeFile(filler, Buffer.alloc(5 * MiB));
    const refused = await node.call("POST", `${R}/recordings`, ROOM, { recordingId: "rec-full-0" });
    expect(refused.status).toBe(507);
    expect(refused.json.error.code).toBe("SPOOL_FULL");
    await writeFile(filler, Buffer.alloc(0));

    expect((await node.call("POST", `${R}/recordings`, ROOM, { recordingId: "rec-full-1", segmentSeconds: 1 })).status).toBe(200);
    await sleep(2500);
    // Something else fills the disk while we record.
    await writeFile(filler, Buffer.alloc(5 * MiB));
    const full = await rec.wait(isEvent("recording.failed", "rec-full-1"), "SPOOL_FULL event", 10_000);
    expect(full).toMatchObject({ code: "SPOOL_FULL", fatal: false });
    const done = await waitFor(async () => {
      const s = (await node.call("GET", `${R}/recordings/rec-full-1`, ROOM)).json as RecordingStatus;
      return s.state === "available" ? s : undefined;
    }, "recording available after SPOOL_FULL");
    expect(done.error?.code).toBe("SPOOL_FULL");
    expect(done.files.length).toBeGreaterThanOrEqual(2);
    expect(done.files.every((f) => f.status === "uploaded")).toBe(true);
    // The node is fine: it still answers.
    expect((await fetch(`${node.baseUrl}/healthz`)).status).toBe(200);
  });
});
