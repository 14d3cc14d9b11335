/**
 * Recording manifests (shared/src/recording-manifest.ts): written next to a per-track recording's
 * files once they are all uploaded, and read back by an export on a node that no longer holds the
 * recording in memory. Stored through the recording's own Storage, so it is verified like a segment.
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MANIFEST_FILE, MANIFEST_LIMITS, ParleyError, type RecordingFile, RecordingManifest, type ResolvedStorage } from "@parley/shared";
import { digestFile, type FileDigest, sha256Hex } from "./checksum.js";
import type { JournalData } from "./journal.js";
import { S3Store } from "./s3-storage.js";
import type { Storage } from "./storage.js";

/** Where the manifest went, kept in the journal so a restarted node does not store it twice. */
export interface StoredManifest extends FileDigest {
  location: string;
}

/** The manifest of a per-track recording whose files are all uploaded. */
export function manifestOf(d: JournalData): RecordingManifest {
  return RecordingManifest.parse({
    version: 1,
    recordingId: d.recordingId,
    room: d.room,
    mode: "tracks",
    segmentSeconds: d.segmentSeconds,
    startedAt: Math.round(d.startedAt),
    ...(d.stoppedAt === undefined ? {} : { stoppedAt: Math.round(d.stoppedAt) }),
    tracks: d.tracks.map((t) => ({
      producerId: t.producerId,
      ...(t.member === undefined ? {} : { member: t.member }),
      kind: t.kind,
      codec: t.codec,
      ...(t.startedAt === undefined ? {} : { startedAt: Math.round(t.startedAt) }),
    })),
    files: d.files.map((f) => ({
      file: f.file,
      producerId: f.producerId,
      segment: f.segment,
      bytes: f.bytes ?? 0,
      sha256: f.sha256 ?? "",
      location: f.location ?? "",
    })),
  });
}

/** Writes the manifest into the recording's spool folder and stores it (put verifies size and SHA-256). */
export async function storeManifest(storage: Storage, spoolDir: string, d: JournalData): Promise<StoredManifest> {
  const path = join(spoolDir, MANIFEST_FILE);
  await mkdir(spoolDir, { recursive: true });
  await writeFile(path, `${JSON.stringify(manifestOf(d), null, 1)}\n`, { mode: 0o600 });
  const digest = await digestFile(path);
  const location = await storage.put(path, `${d.room}/${d.recordingId}/${MANIFEST_FILE}`, digest);
  return { location, ...digest };
}

/** What an export needs of a recording, read from its manifest in `storage`. */
export interface StoredSource {
  tracks: RecordingManifest["tracks"];
  files: RecordingFile[];
}

/**
 * Reads and checks the manifest of recording `id` of `room` from `storage`. NAS file locations are
 * re-based on `storage.path` (this node may mount the NAS elsewhere than the node that recorded).
 */
export async function readManifest(storage: ResolvedStorage, room: string, id: string): Promise<StoredSource> {
  const key = `${room}/${id}/${MANIFEST_FILE}`;
  const raw = storage.kind === "nas" ? await readNas(join(storage.path, key)) : await readS3(storage, key);
  if (raw === undefined)
    throw new ParleyError(
      "RECORDING_MANIFEST_NOT_FOUND",
      `recording ${id} is not on this node and its storage has no ${MANIFEST_FILE} (recordings made before manifests existed, or never finished, cannot be exported here)`,
    );
  let parsed: RecordingManifest;
  try {
    parsed = RecordingManifest.parse(JSON.parse(raw.toString("utf8")));
  } catch (error) {
    throw new ParleyError(
      "RECORDING_MANIFEST_INVALID",
      `the manifest of recording ${id} cannot be read: ${(error as Error).message.slice(0, 300)}`,
      { cause: error },
    );
  }
  if (parsed.recordingId !== id || parsed.room !== room)
    throw new ParleyError(
      "RECORDING_MANIFEST_INVALID",
      `the manifest at ${key} describes recording ${parsed.recordingId} of ${parsed.room}`,
    );
  const byProducer = new Map(parsed.tracks.map((t) => [t.producerId, t]));
  const files = parsed.files.map((f): RecordingFile => {
    const track = byProducer.get(f.producerId);
    return {
      file: f.file,
      producerId: f.producerId,
      ...(track?.member === undefined ? {} : { member: track.member }),
      kind: track?.kind ?? "audio",
      codec: track?.codec ?? "",
      segment: f.segment,
      bytes: f.bytes,
      sha256: f.sha256,
      status: "uploaded",
      location: storage.kind === "nas" ? join(storage.path, room, id, f.file) : f.location,
    };
  });
  return { tracks: parsed.tracks, files };
}

async function readNas(path: string): Promise<Buffer | undefined> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ParleyError("STORAGE_UNAVAILABLE", `the NAS folder cannot be read: ${(error as Error).message}`, { cause: error });
  }
  tooLarge(size);
  return readFile(path);
}

async function readS3(storage: Extract<ResolvedStorage, { kind: "s3" }>, key: string): Promise<Buffer | undefined> {
  const store = new S3Store(storage);
  try {
    const object = await store.readSmall(key, MANIFEST_LIMITS.maxBytes);
    if (object === "too-large") return tooLarge(Number.POSITIVE_INFINITY);
    if (object === undefined) return undefined;
    // Stored with the SHA-256 of what was written: a changed or truncated object is refused.
    if (object.sha256 !== sha256Hex(object.body))
      throw new ParleyError("RECORDING_MANIFEST_INVALID", `the manifest at ${key} does not match the SHA-256 it was stored with`);
    return object.body;
  } catch (error) {
    if (error instanceof ParleyError) throw error;
    throw new ParleyError(
      "STORAGE_UNAVAILABLE",
      `S3 cannot be read for the recording's manifest: ${(error as Error).message.slice(0, 300)}`,
      { cause: error },
    );
  } finally {
    store.close();
  }
}

function tooLarge(bytes: number): undefined {
  if (bytes > MANIFEST_LIMITS.maxBytes)
    throw new ParleyError("RECORDING_MANIFEST_INVALID", `the recording's manifest is larger than ${MANIFEST_LIMITS.maxBytes} bytes`);
  return undefined;
}
