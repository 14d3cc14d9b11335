/**
 * An app's own S3 storage on the real stack: recordings go to its bucket on a real Ceph RGW
 * (media-fleet/test/rgw.setup.ts; PARLEY_S3 must not be off), and the edge — which has no S3_*
 * bindings of its own here — presigns download links with the app's sealed settings. Once the node
 * that recorded is replaced, the edge sends the export, with the app's storage, to the new node.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { appApi, type Stack, startStack, waitFor } from "./stack.js";

const rgw = inject("rgw");
const BUCKET = "parley-app-e2e";
let stack: Stack;
/** The recording the first test makes, exported by the second. */
let recordingId = "";

function rgwSettings() {
  if ("unavailable" in rgw) throw new Error(`this suite needs Ceph RGW: ${rgw.unavailable}`);
  return { endpoint: rgw.endpoint, accessKeyId: rgw.env.S3_KEY, secretAccessKey: rgw.env.S3_SECRET };
}

beforeAll(async () => {
  const { endpoint, accessKeyId, secretAccessKey } = rgwSettings();
  const s3 = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  await waitFor(
    () =>
      fetch(endpoint).then(
        (r) => r.ok,
        () => false,
      ),
    "Ceph RGW",
    90_000,
    500,
  );
  await waitFor(
    () =>
      s3.send(new CreateBucketCommand({ Bucket: BUCKET })).then(
        () => true,
        (e: Error) => e.name === "BucketAlreadyOwnedByYou",
      ),
    "the app's bucket",
    30_000,
    500,
  );
  s3.destroy();
  stack = await startStack({ outboundAllow: [new URL(endpoint).host] });
}, 150_000);
afterAll(async () => {
  await stack?.stop();
});

const api = <T>(method: string, urlPath: string, body?: unknown) => appApi<T>(stack, method, urlPath, body);
type Info = { status: string; storage: string; files: { file: string; sha256: string }[] };

describe("per-app S3 recording settings", () => {
  it("records into the app's bucket and presigns links that download the uploaded bytes", async () => {
    const { endpoint, accessKeyId, secretAccessKey } = rgwSettings();
    const storage = { kind: "s3", endpoint, bucket: BUCKET, prefix: "app-a/", accessKeyId, secretAccessKey, forcePathStyle: true };
    const stored = await api<{ storage: { secretAccessKeySet: boolean } }>("PUT", "/v1/recording-settings", { storage });
    expect(stored.status).toBe(200);
    expect(stored.json.storage.secretAccessKeySet).toBe(true);

    const alice = await stack.bot("s3-room", "alice");
    const started = await api<{ id: string }>("POST", "/v1/rooms/s3-room/recordings", { segmentSeconds: 2 });
    expect(started.status).toBe(201);
    await new Promise((r) => setTimeout(r, 4000));
    await api("POST", `/v1/recordings/${started.json.id}/stop`, {});
    let info: Info | null = null;
    await waitFor(
      async () => {
        info = (await api<Info>("GET", `/v1/recordings/${started.json.id}`)).json;
        return info.status === "available";
      },
      "the S3 recording to become available",
      60_000,
      500,
    );
    const done = info as unknown as Info;
    expect(done.storage).toBe("s3");
    expect(done.files.length).toBeGreaterThanOrEqual(2);

    const links = await api<{ files: { file: string; url: string }[] }>("GET", `/v1/recordings/${started.json.id}/url?expires=300`);
    expect(links.status).toBe(200);
    for (const f of done.files) {
      const url = links.json.files.find((l) => l.file === f.file)?.url as string;
      expect(url.startsWith(`${endpoint}/${BUCKET}/app-a/`)).toBe(true);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(
        createHash("sha256")
          .update(new Uint8Array(await res.arrayBuffer()))
          .digest("hex"),
      ).toBe(f.sha256);
    }
    // a link altered after signing is refused by S3 itself
    const first = links.json.files[0]?.url as string;
    expect((await fetch(first.replace("X-Amz-Expires=300", "X-Amz-Expires=301"))).status).toBe(403);
    await alice.stop();
    recordingId = started.json.id;
  });

  it("exports that recording after its node is gone: another node reads its manifest from the app's bucket", async () => {
    const before = stack.nodeId;
    await stack.replaceNode();
    const exported = await api<{ id: string }>("POST", `/v1/recordings/${recordingId}/exports`, { kind: "mixed-audio", format: "wav" });
    expect(exported.status, exported.text).toBe(201);
    let info: Info = { status: "", storage: "", files: [] };
    await waitFor(
      async () => {
        info = (await api<typeof info>("GET", `/v1/recordings/${exported.json.id}`)).json;
        return info.status === "available" || info.status === "failed";
      },
      "the export",
      60_000,
      500,
    );
    expect(info).toMatchObject({ status: "available", storage: "s3" });
    const links = await api<{ files: { file: string; url: string }[] }>("GET", `/v1/recordings/${exported.json.id}/url`);
    expect(links.json.files.map((f) => f.file)).toEqual(["mixed/room-audio-00000.wav"]);
    const file = path.join(os.tmpdir(), `parley-e2e-export-${exported.json.id}.wav`);
    await writeFile(file, Buffer.from(await (await fetch(links.json.files[0]?.url as string)).arrayBuffer()));
    const probe = JSON.parse(
      execFileSync("ffprobe", ["-v", "error", "-show_streams", "-show_format", "-of", "json", file], { encoding: "utf8" }),
    );
    await rm(file, { force: true });
    expect(probe.streams[0]).toMatchObject({ codec_name: "pcm_s16le", sample_rate: "48000", channels: 2 });
    expect(Number(probe.format.duration)).toBeGreaterThan(3);
    console.log("export after node replacement", JSON.stringify({ from: before, on: stack.nodeId, duration: probe.format.duration }));
  });
});
