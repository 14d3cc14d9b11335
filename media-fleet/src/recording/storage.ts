/**
 * Where finished files go. `put` copies a spool file to its key and only resolves once the copy is
 * verified against the spool file's size and SHA-256; `verify` checks a copy made earlier (used when
 * a node restarts between upload and bookkeeping). Implementations throw on any failure; the upload
 * queue retries.
 */
import { constants } from "node:fs";
import { access, copyFile, mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { NasFolder, ParleyError, type ResolvedStorage, type StorageConfig } from "@parley/shared";
import { digestFile, type FileDigest } from "./checksum.js";
import { S3Store } from "./s3-storage.js";

export interface Storage {
  readonly kind: "nas" | "s3";
  /** Uploads and verifies; resolves with where the file now is. */
  put(spoolPath: string, key: string, digest: FileDigest): Promise<string>;
  /** True when `key` holds exactly this content. */
  verify(key: string, digest: FileDigest): Promise<boolean>;
  close(): void;
}

export function createStorage(config: ResolvedStorage): Storage {
  return config.kind === "nas" ? new NasStore(config.path) : new S3Store(config);
}

/**
 * The storage a request names, as this node uses it: none is the node's own (RECORDING_STORAGE);
 * a NAS `folder` is a sub-folder of NAS_PATH (where signed downloads are served from), and
 * `{kind: "nas"}` alone is NAS_PATH itself.
 */
export function resolveStorage(
  requested: StorageConfig | ResolvedStorage | undefined,
  node: { storage: ResolvedStorage; nasPath: string },
): ResolvedStorage {
  if (!requested) return node.storage;
  if (requested.kind === "s3") return requested;
  if (requested.path !== undefined) return { kind: "nas", path: requested.path };
  const folder = "folder" in requested ? requested.folder : undefined;
  if (folder === undefined) return { kind: "nas", path: node.nasPath };
  const path = resolve(node.nasPath, NasFolder.parse(folder));
  // NasFolder refuses `..` already; this keeps the rule even if that check is ever loosened.
  if (!path.startsWith(node.nasPath + sep))
    throw new ParleyError("INVALID_REQUEST", "storage.folder must stay inside the node's NAS folder");
  return { kind: "nas", path };
}

/** A mounted folder. The folder itself must exist: writing into an unmounted mount point would fill the local disk. */
export class NasStore implements Storage {
  readonly kind = "nas";
  readonly #root: string;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  async put(spoolPath: string, key: string, digest: FileDigest): Promise<string> {
    await access(this.#root, constants.W_OK);
    const target = join(this.#root, key);
    await mkdir(dirname(target), { recursive: true });
    // Copy under a temporary name, flush, check, then rename: a reader never sees a partial file.
    const temp = `${target}.part-${process.pid}`;
    try {
      await copyFile(spoolPath, temp);
      const handle = await open(temp, "r");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      const copied = await digestFile(temp);
      if (copied.bytes !== digest.bytes || copied.sha256 !== digest.sha256)
        throw new ParleyError(
          "STORAGE_UNAVAILABLE",
          `copy of ${key} does not match the spool file (${copied.bytes} vs ${digest.bytes} bytes)`,
        );
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return target;
  }

  async verify(key: string, digest: FileDigest): Promise<boolean> {
    try {
      const found = await digestFile(join(this.#root, key));
      return found.bytes === digest.bytes && found.sha256 === digest.sha256;
    } catch {
      return false; // missing or unreadable: not this file
    }
  }

  close(): void {}
}
