import { ParleyError, presignS3Get, recordingFileKey, signDownloadUrl } from "@parley/shared";
import { config } from "../config/index.js";
import type { Env } from "../env.js";
import { fleetStub } from "../fleet/fleet-do.js";
import type { StoredFile } from "./recording-store.js";

export interface DownloadLink {
  file: string;
  kind: "audio" | "video";
  member: string | null;
  url: string;
}

/**
 * Time-limited links to a recording's uploaded files: presigned S3 GETs, or URLs signed for the
 * node that wrote a NAS file (it serves them with HTTP ranges; see media-fleet downloads).
 */
export async function downloadLinks(
  env: Env,
  recording: { id: string; room: string; node: string; storage: string; storedFiles: StoredFile[] },
  appKey: string,
  expiresInSeconds: number,
): Promise<{ expiresAt: string; files: DownloadLink[] }> {
  const files = recording.storedFiles.filter((f) => f.status === "uploaded");
  if (files.length === 0)
    throw new ParleyError("RECORDING_FILE_NOT_FOUND", "no file of this recording has been uploaded yet; try when it is available");
  const expiresAt = Math.floor(Date.now() / 1000) + expiresInSeconds;
  const link = recording.storage === "s3" ? await s3Linker(env, expiresInSeconds) : await nasLinker(env, recording, appKey, expiresAt);
  const out: DownloadLink[] = [];
  for (const f of files) out.push({ file: f.file, kind: f.kind, member: f.member, url: await link(f) });
  return { expiresAt: new Date(expiresAt * 1000).toISOString(), files: out };
}

async function nasLinker(env: Env, recording: { id: string; room: string; node: string }, appKey: string, expiresAt: number) {
  const { fleetSecret, defaultRegion } = config(env);
  if (!fleetSecret) throw new ParleyError("NODE_UNAVAILABLE", "this edge has no FLEET_SECRET: it cannot sign NAS download links");
  const node = (await fleetStub(env, defaultRegion).nodes()).find((n) => n.node === recording.node);
  if (!node) throw new ParleyError("NODE_UNAVAILABLE", `node ${recording.node}, which holds this NAS recording, is not registered`);
  return (f: StoredFile) =>
    signDownloadUrl({
      baseUrl: node.controlUrl,
      location: recordingFileKey({ room: `${appKey}:${recording.room}`, recordingId: recording.id, file: f.file }),
      expiresAt,
      secret: fleetSecret,
    });
}

async function s3Linker(env: Env, expiresInSeconds: number) {
  const s3 = config(env).s3;
  if (!s3) throw new ParleyError("STORAGE_UNAVAILABLE", "this edge has no S3_* settings: it cannot presign links to S3 recordings");
  return (f: StoredFile) => {
    const match = /^s3:\/\/[^/]+\/(.+)$/.exec(f.location ?? "");
    if (!match) throw new ParleyError("RECORDING_FILE_NOT_FOUND", `file ${f.file} has no S3 location`);
    return presignS3Get({ ...s3, key: match[1] as string, expiresInSeconds });
  };
}
