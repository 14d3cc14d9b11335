/** Size and SHA-256 of a file, streamed, so segments of any length are hashed in constant memory. */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

export interface FileDigest {
  bytes: number;
  sha256: string;
}

export async function digestFile(path: string): Promise<FileDigest> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest("hex") };
}
