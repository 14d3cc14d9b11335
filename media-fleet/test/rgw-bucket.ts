/**
 * A bucket on the run's Ceph RGW (rgw.setup.ts) for the tests that record to S3: the storage a
 * start request names, and a client to read back what a node stored.
 */
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { inject } from "vitest";
import { waitFor } from "./helpers.js";

export class RgwBucket {
  readonly name: string;
  readonly client: S3Client;
  readonly #endpoint: string;
  readonly #credentials: { accessKeyId: string; secretAccessKey: string };

  private constructor(name: string, endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }) {
    this.name = name;
    this.#endpoint = endpoint;
    this.#credentials = credentials;
    // A copy: the SDK marks the credentials object it is given (`$source`).
    this.client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { ...credentials } });
  }

  /** Waits for RGW (it starts in the background with the run) and creates the bucket. */
  static async open(name: string): Promise<RgwBucket> {
    const rgw = inject("rgw");
    if ("unavailable" in rgw) throw new Error(rgw.unavailable);
    const bucket = new RgwBucket(name, rgw.endpoint, { accessKeyId: rgw.env.S3_KEY, secretAccessKey: rgw.env.S3_SECRET });
    await waitFor(
      () =>
        fetch(rgw.endpoint).then(
          (r) => (r.ok ? true : undefined),
          () => undefined,
        ),
      "Ceph RGW",
      90_000,
    );
    await waitFor(
      () =>
        bucket.client.send(new CreateBucketCommand({ Bucket: name })).then(
          () => true,
          (e: Error) => (e.name === "BucketAlreadyOwnedByYou" ? true : undefined),
        ),
      "bucket",
      30_000,
    );
    return bucket;
  }

  /** The `StorageConfig` of this bucket under `prefix`. */
  storage(prefix: string) {
    return {
      kind: "s3",
      endpoint: this.#endpoint,
      region: "us-east-1",
      bucket: this.name,
      prefix,
      accessKeyId: this.#credentials.accessKeyId,
      secretAccessKey: this.#credentials.secretAccessKey,
      forcePathStyle: true,
    } as const;
  }

  async get(key: string): Promise<Buffer> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  close(): void {
    this.client.destroy();
  }
}
