import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appApi, type Stack, startStack, waitFor } from "./stack.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const api = <T>(method: string, urlPath: string, body?: unknown) => appApi<T>(stack, method, urlPath, body);

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

type Info = {
  id: string;
  status: string;
  members: string[];
  formats: string[];
  sizeBytes: number;
  durationSeconds: number | null;
  files: { file: string; kind: string; codec: string; bytes: number; sha256: string; status: string }[];
};

describe("recording a live call through the public API", () => {
  it("records each member's tracks to the NAS folder, verified, and the index shows them available", async () => {
    const alice = await stack.bot("rec", "alice");
    const bob = await stack.bot("rec", "bob");
    const announced = alice.room.waitFor("recordingState", (_id, status) => status === "recording", 30_000);

    const started = await api<{ id: string; status: string }>("POST", "/v1/rooms/rec/recordings", { segmentSeconds: 2 });
    expect(started.status).toBe(201);
    expect(started.json.status).toBe("recording");
    const [announcedId] = await announced;
    expect(announcedId).toBe(started.json.id);

    await new Promise((r) => setTimeout(r, 5000));
    const stopped = await api<{ status: string }>("POST", `/v1/recordings/${started.json.id}/stop`, {});
    expect(stopped.status).toBe(200);

    let info: Info | null = null;
    await waitFor(
      async () => {
        info = (await api<Info>("GET", `/v1/recordings/${started.json.id}`)).json;
        return info.status === "available";
      },
      "the recording to become available",
      60_000,
      500,
    );
    const done = info as unknown as Info;
    expect(done.members.sort()).toEqual(["alice", "bob"]);
    expect(done.formats.sort()).toEqual(["ogg", "webm"]);
    expect(done.sizeBytes).toBeGreaterThan(10_000);
    expect(done.durationSeconds).toBeGreaterThanOrEqual(4);
    const kinds = done.files.map((f) => `${f.kind}:${f.codec.toLowerCase()}`);
    expect(kinds.filter((k) => k === "video:vp8").length).toBeGreaterThanOrEqual(2);
    expect(kinds.filter((k) => k === "audio:opus").length).toBeGreaterThanOrEqual(2);
    expect(done.files.every((f) => f.status === "uploaded")).toBe(true);

    // every indexed file is in the NAS folder with the recorded checksum, and decodes
    const onDisk = new Map<string, string>();
    for (const file of await filesUnder(path.join(stack.dataDir, "recordings"))) {
      onDisk.set(
        createHash("sha256")
          .update(await readFile(file))
          .digest("hex"),
        file,
      );
    }
    for (const f of done.files) expect(onDisk.has(f.sha256)).toBe(true);
    const video = onDisk.get(done.files.find((f) => f.kind === "video")?.sha256 ?? "") as string;
    const probe = JSON.parse(execFileSync("ffprobe", ["-v", "error", "-show_streams", "-of", "json", video], { encoding: "utf8" }));
    expect(probe.streams[0].codec_name).toBe("vp8");
    expect(probe.streams[0].width).toBe(320);

    // time-limited links: each downloads the recorded bytes; ranges work; a tampered link is refused
    const links = await api<{ expiresAt: string; files: { file: string; url: string }[] }>(
      "GET",
      `/v1/recordings/${started.json.id}/url?expires=600`,
    );
    expect(links.status).toBe(200);
    expect(links.json.files).toHaveLength(done.files.length);
    for (const link of links.json.files) {
      const bytes = Buffer.from(await (await fetch(link.url)).arrayBuffer());
      const sha = createHash("sha256").update(bytes).digest("hex");
      expect(sha).toBe(done.files.find((f) => f.file === link.file)?.sha256);
    }
    const first = links.json.files[0]?.url as string;
    const partial = await fetch(first, { headers: { range: "bytes=0-99" } });
    expect(partial.status).toBe(206);
    expect((await partial.arrayBuffer()).byteLength).toBe(100);
    const tampered = await fetch(first.replace(/sig=([A-Za-z0-9_-])/, (_m, c: string) => `sig=${c === "A" ? "B" : "A"}`));
    expect(tampered.status).toBe(401);

    // quality-check export: one 8 kHz mono A-law file per member, from the finished recording
    const exported = await api<{ id: string }>("POST", `/v1/recordings/${started.json.id}/exports`, {
      kind: "quality-split",
      format: "pcma",
    });
    expect(exported.status).toBe(201);
    await waitFor(
      async () => (await api<Info>("GET", `/v1/recordings/${exported.json.id}`)).json.status === "available",
      "the export",
      60_000,
      500,
    );
    const exportLinks = await api<{ files: { file: string; url: string }[] }>("GET", `/v1/recordings/${exported.json.id}/url`);
    expect(exportLinks.json.files).toHaveLength(2);
    for (const link of exportLinks.json.files) {
      const file = path.join(stack.dataDir, `export-${path.basename(link.file)}-${Math.random()}`);
      await writeFile(file, Buffer.from(await (await fetch(link.url)).arrayBuffer()));
      const audio = JSON.parse(execFileSync("ffprobe", ["-v", "error", "-show_streams", "-of", "json", file], { encoding: "utf8" }))
        .streams[0];
      expect(audio).toMatchObject({ codec_name: "pcm_alaw", sample_rate: "8000", channels: 1 });
    }

    const list = await api<{ recordings: { id: string }[] }>("GET", "/v1/recordings?room=rec");
    expect(list.json.recordings.map((r) => r.id)).toContain(started.json.id);
    await Promise.all([alice.stop(), bob.stop()]);
  });

  it("takes a snapshot of a member's camera and records a composite of the room", async () => {
    const alice = await stack.bot("mix", "alice");
    const bob = await stack.bot("mix", "bob");
    const untilAvailable = async (id: string) => {
      let info: Info | null = null;
      await waitFor(
        async () => {
          info = (await api<Info>("GET", `/v1/recordings/${id}`)).json;
          return info.status === "available";
        },
        `${id} to become available`,
        60_000,
        500,
      );
      return info as unknown as Info;
    };
    const download = async (id: string) => {
      const links = await api<{ files: { file: string; url: string }[] }>("GET", `/v1/recordings/${id}/url`);
      const file = path.join(stack.dataDir, `${id}-${path.basename(links.json.files[0]?.file ?? "x")}`);
      await writeFile(file, Buffer.from(await (await fetch(links.json.files[0]?.url as string)).arrayBuffer()));
      return file;
    };
    const probe = (file: string) =>
      JSON.parse(execFileSync("ffprobe", ["-v", "error", "-show_streams", "-show_format", "-of", "json", file], { encoding: "utf8" }));

    const snap = await api<{ id: string }>("POST", "/v1/rooms/mix/snapshots", { member: alice.room.localMember.id });
    expect(snap.status).toBe(201);
    await untilAvailable(snap.json.id);
    const jpeg = probe(await download(snap.json.id));
    expect(jpeg.streams[0]).toMatchObject({ codec_name: "mjpeg", width: 320, height: 240 });

    const composite = await api<{ id: string }>("POST", "/v1/rooms/mix/recordings", {
      mode: "composite",
      composite: { layout: "grid", width: 640, height: 360, fps: 15, watermarks: [{ kind: "timestamp", x: 10, y: 10, size: 18 }] },
    });
    expect(composite.status).toBe(201);
    await new Promise((r) => setTimeout(r, 5000));
    await api("POST", `/v1/recordings/${composite.json.id}/stop`, {});
    expect((await untilAvailable(composite.json.id)).formats).toEqual(["mp4"]);
    const mixed = probe(await download(composite.json.id));
    const video = mixed.streams.find((x: { codec_type: string }) => x.codec_type === "video");
    expect(video).toMatchObject({ codec_name: "h264", width: 640, height: 360 });
    expect(mixed.streams.some((x: { codec_name: string }) => x.codec_name === "aac")).toBe(true);
    expect(Number(mixed.format.duration)).toBeGreaterThan(3);

    const tooBig = await api<{ error: { code: string; message: string } }>("POST", "/v1/rooms/mix/recordings", {
      mode: "composite",
      composite: { width: 4000, height: 3000 },
    });
    expect(tooBig.json.error.message).toMatch(/larger than 1920x1080/);
    await Promise.all([alice.stop(), bob.stop()]);
  });

  it("refuses bad input and unknown recordings with typed errors", async () => {
    const empty = await api<{ error: { code: string } }>("POST", "/v1/rooms/nobody-here/recordings", {});
    expect(empty.json.error.code).toBe("NOT_IN_ROOM");
    const bad = await api<{ error: { code: string } }>("POST", "/v1/rooms/rec/recordings", { segmentSeconds: 0 });
    expect(bad.json.error.code).toBe("INVALID_REQUEST");
    const unknown = await api<{ error: { code: string } }>("GET", "/v1/recordings/rec_doesnotexist0000");
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("RECORDING_NOT_FOUND");
  });

  it("members need the record grant to start a recording over signalling", async () => {
    const member = await stack.bot("rec-grant", "carol", { video: false, audio: false });
    await expect(member.room.startRecording()).rejects.toMatchObject({ code: "GRANT_MISSING" });
    await member.stop();
  });
});
