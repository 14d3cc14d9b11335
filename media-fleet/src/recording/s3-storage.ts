/**
 * S3-compatible storage (AWS, Ceph RGW, MinIO) with @aws-sdk/client-s3.
 *
 * Verification without downloading: every PUT and part carries Content-MD5, so the server refuses a
 * body that changed on the way; afterwards a HEAD must show the expected size and the ETag the
 * server derives from those MD5s (md5 of the object, or md5 of the part MD5s + "-N" for multipart).
 * The spool file's SHA-256 goes into the object's metadata (`x-amz-meta-sha256`) for readers and for
 * `verify`. Flexible checksums (x-amz-checksum-*) are switched off: many S3-compatible servers
 * (RGW before Squid) reject them.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { S3StorageConfig } from "@parley/shared";
import { storageAgents } from "../outbound/storage-target.js";
import { digestFile, type FileDigest } from "./checksum.js";
import type { Storage } from "./storage.js";

/** Files up to this size go in one PUT; larger ones in parts of this size (S3's minimum is 5 MiB). */
export const PART_BYTES = 8 * 1024 * 1024;

export class S3Store implements Storage {
  readonly kind = "s3";
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(config: S3StorageConfig) {
    this.#bucket = config.bucket;
    this.#prefix = config.prefix === "" || config.prefix.endsWith("/") ? config.prefix : `${config.prefix}/`;
    this.#client = new S3Client({
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      // The upload queue retries with its own backoff; the SDK's retries would only hide an outage.
      maxAttempts: 1,
      // requestTimeout is socket inactivity: a server that stops answering mid-request (an RGW shutting
      // down) is an outage after 20 s, not after a minute of silence with the segment still pending.
      // Its sockets resolve the endpoint through the outbound policy (a tenant names it).
      requestHandler: { connectionTimeout: 3000, requestTimeout: 20_000, ...storageAgents(config.endpoint) },
    });
  }

  async put(spoolPath: string, key: string, digest: FileDigest): Promise<string> {
    const Key = this.#prefix + key;
    const metadata = { sha256: digest.sha256 };
    const file = await open(spoolPath, "r");
    let expectedEtag: string;
    try {
      if (digest.bytes <= PART_BYTES) {
        const body = await readPart(file, 0, digest.bytes);
        const md5 = createHash("md5").update(body).digest();
        await this.#client.send(
          new PutObjectCommand({ Bucket: this.#bucket, Key, Body: body, ContentMD5: md5.toString("base64"), Metadata: metadata }),
        );
        expectedEtag = md5.toString("hex");
      } else {
        expectedEtag = await this.#multipart(file, Key, digest, metadata);
      }
    } finally {
      await file.close();
    }
    const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key }));
    const etag = head.ETag?.replace(/"/g, "");
    if (head.ContentLength !== digest.bytes || etag !== expectedEtag || head.Metadata?.sha256 !== digest.sha256)
      throw new Error(
        `s3 object ${Key} does not match the spool file (size ${head.ContentLength}/${digest.bytes}, etag ${etag}/${expectedEtag})`,
      );
    return `s3://${this.#bucket}/${Key}`;
  }

  async verify(key: string, digest: FileDigest): Promise<boolean> {
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }));
      return head.ContentLength === digest.bytes && head.Metadata?.sha256 === digest.sha256;
    } catch {
      return false;
    }
  }

  /** Downloads `key` to `path` (under a temporary name until it matches `digest`); throws otherwise. */
  async download(key: string, path: string, digest: FileDigest): Promise<void> {
    const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }));
    if (!(object.Body instanceof Readable)) throw new Error(`s3 object ${this.#prefix + key} has no readable body`);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.part`;
    try {
      await pipeline(object.Body, createWriteStream(temp, { mode: 0o600 }));
      const got = await digestFile(temp);
      if (got.bytes !== digest.bytes || got.sha256 !== digest.sha256)
        throw new Error(`s3 object ${this.#prefix + key} does not match the recording's journal (${got.bytes} vs ${digest.bytes} bytes)`);
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /**
   * A small object in memory with the SHA-256 its writer put in its metadata; undefined when there is
   * no such key, "too-large" (unread) above `maxBytes`.
   */
  async readSmall(key: string, maxBytes: number): Promise<{ body: Buffer; sha256?: string } | "too-large" | undefined> {
    let object: GetObjectCommandOutput;
    try {
      object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }));
    } catch (error) {
      if ((error as Error).name === "NoSuchKey") return undefined;
      throw error;
    }
    if (!(object.Body instanceof Readable)) throw new Error(`s3 object ${this.#prefix + key} has no readable body`);
    if ((object.ContentLength ?? 0) > maxBytes) {
      object.Body.destroy();
      return "too-large";
    }
    const chunks: Buffer[] = [];
    for await (const chunk of object.Body) chunks.push(chunk as Buffer);
    const sha256 = object.Metadata?.sha256;
    return { body: Buffer.concat(chunks), ...(sha256 === undefined ? {} : { sha256 }) };
  }

  close(): void {
    this.#client.destroy();
  }

  async #multipart(file: import("node:fs/promises").FileHandle, Key: string, digest: FileDigest, metadata: Record<string, string>) {
    const created = await this.#client.send(new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key, Metadata: metadata }));
    const UploadId = created.UploadId;
    try {
      const parts: { ETag: string; PartNumber: number }[] = [];
      const md5s: Buffer[] = [];
      for (let offset = 0, n = 1; offset < digest.bytes; offset += PART_BYTES, n++) {
        const body = await readPart(file, offset, Math.min(PART_BYTES, digest.bytes - offset));
        const md5 = createHash("md5").update(body).digest();
        md5s.push(md5);
        const part = await this.#client.send(
          new UploadPartCommand({ Bucket: this.#bucket, Key, UploadId, PartNumber: n, Body: body, ContentMD5: md5.toString("base64") }),
        );
        parts.push({ ETag: part.ETag ?? "", PartNumber: n });
      }
      await this.#client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.#bucket, Key, UploadId, MultipartUpload: { Parts: parts } }),
      );
      return `${createHash("md5").update(Buffer.concat(md5s)).digest("hex")}-${md5s.length}`;
    } catch (error) {
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key, UploadId })).catch(() => undefined);
      throw error;
    }
  }
}

async function readPart(file: import("node:fs/promises").FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const { bytesRead } = await file.read(buffer, read, length - read, offset + read);
    if (bytesRead === 0) throw new Error("spool file shrank while uploading");
    read += bytesRead;
  }
  return buffer;
}
