/**
 * Per-app recording settings and auto-record on the real stack (edge in workerd + a mediasoup
 * node): no start call anywhere; the app's NAS folder, composite canvas and autoRecord decide.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appApi, freePort, type Stack, startStack, waitFor } from "./stack.js";

let stack: Stack;
/** The failed-start test's webhook receiver, and a port where nothing answers (its unreadable watermark). */
let hookPort: number;
let deadPort: number;
beforeAll(async () => {
  hookPort = await freePort();
  deadPort = await freePort();
  stack = await startStack({ outboundAllow: [`127.0.0.1:${hookPort}`, `127.0.0.1:${deadPort}`] });
});
afterAll(async () => {
  await stack?.stop();
});

const api = <T>(method: string, urlPath: string, body?: unknown) => appApi<T>(stack, method, urlPath, body);

type Listed = { recordings: { id: string; status: string; mode: string }[] };
type Info = { id: string; status: string; files: { file: string; sha256: string; bytes: number }[] };
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("auto-record with the app's recording settings", () => {
  it("records a call by itself as a 320x240 composite into the app's NAS folder, and the next call gets a new recording", async () => {
    const settings = await api<{ version: number }>("PUT", "/v1/recording-settings", {
      storage: { kind: "nas", folder: "team-a/calls" },
      composite: { width: 320, height: 240, fps: 10 },
      autoRecord: { mode: "composite" },
    });
    expect(settings.status).toBe(200);
    expect(settings.json.version).toBe(1);

    // a chat-only call publishes nothing, so nothing is recorded
    const chatter = await stack.bot("auto-chat", "carol", { video: false, audio: false });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await api<Listed>("GET", "/v1/recordings?room=auto-chat")).json.recordings).toEqual([]);
    await chatter.stop();

    const alice = await stack.bot("auto", "alice");
    const announced = alice.room.waitFor("recordingState", (_id, status) => status === "recording", 30_000);
    const bob = await stack.bot("auto", "bob");
    const [recordingId] = await announced;
    const listed = (await api<Listed>("GET", "/v1/recordings?room=auto")).json.recordings;
    expect(listed.map((r) => [r.id, r.mode])).toEqual([[recordingId, "composite"]]);

    await new Promise((r) => setTimeout(r, 5000));
    // the room empties: the recording stops by itself
    await Promise.all([alice.stop(), bob.stop()]);
    let info: Info | null = null;
    await waitFor(
      async () => {
        info = (await api<Info>("GET", `/v1/recordings/${recordingId}`)).json;
        return info.status === "available";
      },
      "the auto recording to become available",
      60_000,
      500,
    );
    const done = info as unknown as Info;
    expect(done.files.length).toBeGreaterThan(0);

    // stored under NAS_PATH/<folder>/ with the recorded checksums; each link downloads the same bytes
    const links = await api<{ files: { file: string; url: string }[] }>("GET", `/v1/recordings/${recordingId}/url`);
    expect(links.status).toBe(200);
    expect(links.json.files.map((f) => f.file).sort()).toEqual(done.files.map((f) => f.file).sort());
    const folder = path.join(stack.dataDir, "recordings", "team-a/calls", `${stack.app.appKey}:auto`, recordingId as string);
    for (const f of done.files) {
      expect(sha(await readFile(path.join(folder, f.file)))).toBe(f.sha256);
      const link = links.json.files.find((l) => l.file === f.file)?.url as string;
      expect(sha(new Uint8Array(await (await fetch(link)).arrayBuffer()))).toBe(f.sha256);
    }

    // the canvas is the app's default (the longest segment: the layout restarts one when bob arrives)
    const mp4 = [...done.files].sort((a, b) => b.bytes - a.bytes)[0]?.file as string;
    const probe = JSON.parse(
      execFileSync("ffprobe", ["-v", "error", "-show_streams", "-show_format", "-of", "json", path.join(folder, mp4)], {
        encoding: "utf8",
      }),
    );
    const video = probe.streams.find((s: { codec_type: string }) => s.codec_type === "video");
    expect(video).toMatchObject({ codec_name: "h264", width: 320, height: 240 });
    expect(Number(probe.format.duration)).toBeGreaterThan(2);

    // the next call in the same room is a new recording; a room option of null turns it off elsewhere
    expect((await api("PUT", "/v1/rooms/auto-off/options", { autoRecord: null })).status).toBe(200);
    const off = await stack.bot("auto-off", "dave");
    const again = await stack.bot("auto", "alice");
    await waitFor(
      async () => (await api<Listed>("GET", "/v1/recordings?room=auto")).json.recordings.length === 2,
      "a second auto recording",
      30_000,
      500,
    );
    const second = (await api<Listed>("GET", "/v1/recordings?room=auto")).json.recordings[0];
    expect(second?.id).not.toBe(recordingId);
    expect((await api<Listed>("GET", "/v1/recordings?room=auto-off")).json.recordings).toEqual([]);
    await Promise.all([again.stop(), off.stop()]);
  });

  it("a failed auto-start leaves the member's publishing alone and is reported as recording.failed", async () => {
    const events: { type: string; data: { room: string; error: { code: string; message: string } } }[] = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c;
      });
      req.on("end", () => {
        events.push(JSON.parse(body));
        res.end("ok");
      });
    });
    const port = hookPort;
    await new Promise<void>((r) => receiver.listen(port, "127.0.0.1", r));
    try {
      expect((await api("POST", "/v1/webhooks", { url: `http://127.0.0.1:${port}/hook`, events: ["recording.failed"] })).status).toBe(201);
      // the node cannot fetch this watermark (nothing listens there), so the start fails on the node
      const unreadable = { kind: "image", url: `http://127.0.0.1:${deadPort}/logo.png`, x: 0, y: 0, width: 32, height: 32 };
      const option = { autoRecord: { mode: "composite", composite: { watermarks: [unreadable] } } };
      expect((await api("PUT", "/v1/rooms/auto-fail/options", option)).status).toBe(200);

      const erin = await stack.bot("auto-fail", "erin");
      // both produces were answered: the bot published camera and microphone
      expect(erin.room.localTracks.size).toBe(2);
      await waitFor(async () => events.some((e) => e.type === "recording.failed"), "the recording.failed webhook", 30_000, 200);
      const failed = events.find((e) => e.type === "recording.failed");
      expect(failed?.data).toMatchObject({ room: "auto-fail", error: { code: "WATERMARK_UNREADABLE" } });
      expect((await api<Listed>("GET", "/v1/recordings?room=auto-fail")).json.recordings).toEqual([]);
      // a retry cannot fix a bad watermark: the call's next producer does not start (and fail) again
      const frank = await stack.bot("auto-fail", "frank");
      expect(frank.room.localTracks.size).toBe(2);
      await new Promise((r) => setTimeout(r, 3000));
      expect(events.filter((e) => e.type === "recording.failed")).toHaveLength(1);
      await Promise.all([erin.stop(), frank.stop()]);
    } finally {
      receiver.close();
    }
  });
});
