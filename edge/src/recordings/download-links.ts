import { ParleyError, presignS3Get, recordingFileKey, signDownloadUrl } from "@parley/shared";
import { config } from "../config/index.js";
import type { Env } from "../env.js";
import { fleetStub } from "../fleet/fleet-do.js";
import { RecordingSettingsStore, type StoredRecordingSettings, s3Config } from "./recording-settings-store.js";
import type { StoredFile, StoredRecording } from "./recording-store.js";

export interface DownloadLink {
  file: string;
  kind: "audio" | "video";
  member: string | null;
  url: string;
}

/**
 * Time-limited links to a recording's uploaded files: presigned S3 GETs, or URLs signed for the
 * node that wrote a NAS file (it serves them with HTTP ranges; see media-fleet downloads). Storage
 * is the one the recording was written with: its app settings version, else the edge's own S3_*.
 */
export async function downloadLinks(
  env: Env,
  recording: Pick<StoredRecording, "id" | "room" | "node" | "storage" | "storedFiles" | "settingsVersion">,
  appKey: string,
  expiresInSeconds: number,
): Promise<{ expiresAt: string; files: DownloadLink[] }> {
  const files = recording.storedFiles.filter((f) => f.status === "uploaded");
  if (files.length === 0)
    throw new ParleyError("RECORDING_FILE_NOT_FOUND", "no file of this recording has been uploaded yet; try when it is available");
  const expiresAt = Math.floor(Date.now() / 1000) + expiresInSeconds;
  const settings =
    recording.settingsVersion === null ? null : await new RecordingSettingsStore(env).version(appKey, recording.settingsVersion);
  const link =
    recording.storage === "s3"
      ? s3Linker(env, settings, expiresInSeconds)
      : await nasLinker(env, recording, appKey, expiresAt, nasFolder(settings));
  const out: DownloadLink[] = [];
  for (const f of files) out.push({ file: f.file, kind: f.kind, member: f.member, url: await link(f) });
  return { expiresAt: new Date(expiresAt * 1000).toISOString(), files: out };
}

function nasFolder(settings: StoredRecordingSettings | null): string | undefined {
  const storage = settings?.settings.storage;
  return storage?.kind === "nas" ? storage.folder : undefined;
}

async function nasLinker(
  env: Env,
  recording: { id: string; room: string; node: string },
  appKey: string,
  expiresAt: number,
  folder: string | undefined,
) {
  const { fleetSecret, defaultRegion } = config(env);
  if (!fleetSecret) throw new ParleyError("NODE_UNAVAILABLE", "this edge has no FLEET_SECRET: it cannot sign NAS download links");
  const node = (await fleetStub(env, defaultRegion).nodes()).find((n) => n.node === recording.node);
  if (!node) throw new ParleyError("NODE_UNAVAILABLE", `node ${recording.node}, which holds this NAS recording, is not registered`);
  return (f: StoredFile) => {
    // the node serves its NAS_PATH; an app's folder is a sub-folder of it
    const key = recordingFileKey({ room: `${appKey}:${recording.room}`, recordingId: recording.id, file: f.file });
    return signDownloadUrl({ baseUrl: node.controlUrl, location: folder ? `${folder}/${key}` : key, expiresAt, secret: fleetSecret });
  };
}

function s3Linker(env: Env, settings: StoredRecordingSettings | null, expiresInSeconds: number) {
  const s3 = settings ? s3Config(settings) : config(env).s3;
  if (!s3)
    throw new ParleyError(
      "STORAGE_UNAVAILABLE",
      settings
        ? "the app's S3 settings this recording was written with cannot be read: it cannot be linked"
        : "this edge has no S3_* settings: it cannot presign links to S3 recordings",
    );
  return (f: StoredFile) => {
    const match = /^s3:\/\/[^/]+\/(.+)$/.exec(f.location ?? "");
    if (!match) throw new ParleyError("RECORDING_FILE_NOT_FOUND", `file ${f.file} has no S3 location`);
    return presignS3Get({ ...s3, key: match[1] as string, expiresInSeconds });
  };
}
