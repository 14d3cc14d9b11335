import { describe, expect, it } from "vitest";
import { presignS3Get, uriEncode } from "./s3-presign.js";

/** The presigned GET example of AWS's SigV4 query-parameter docs (examplebucket/test.txt). */
const AWS_EXAMPLE = {
  region: "us-east-1",
  bucket: "examplebucket",
  key: "test.txt",
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  expiresInSeconds: 86_400,
  now: new Date("2013-05-24T00:00:00Z"),
};

describe("presignS3Get", () => {
  it("reproduces AWS's documented example URL and signature exactly", async () => {
    const url = await presignS3Get(AWS_EXAMPLE);
    expect(url).toBe(
      "https://examplebucket.s3.amazonaws.com/test.txt" +
        "?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
    );
  });

  it("gives the same signature with the endpoint spelt out", async () => {
    const url = await presignS3Get({ ...AWS_EXAMPLE, endpoint: "https://s3.amazonaws.com" });
    expect(new URL(url).searchParams.get("X-Amz-Signature")).toBe("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  });

  it("puts the bucket in the path for path-style servers and keeps the port in the host", async () => {
    const url = new URL(await presignS3Get({ ...AWS_EXAMPLE, endpoint: "http://127.0.0.1:7480", forcePathStyle: true }));
    expect(url.origin).toBe("http://127.0.0.1:7480");
    expect(url.pathname).toBe("/examplebucket/test.txt");
  });

  it("encodes each key segment per RFC 3986 and keeps the slashes", async () => {
    const url = await presignS3Get({ ...AWS_EXAMPLE, key: "ak_x:room/rec 1/a+b(1)*!'~é.webm" });
    expect(url).toContain("/ak_x%3Aroom/rec%201/a%2Bb%281%29%2A%21%27~%C3%A9.webm?");
    expect(uriEncode("a/b=c&d")).toBe("a%2Fb%3Dc%26d");
  });

  it("signs response-content-disposition after the X-Amz-* parameters", async () => {
    const url = await presignS3Get({ ...AWS_EXAMPLE, responseContentDisposition: 'attachment; filename="a b.webm"' });
    const query = url.split("?")[1]!;
    expect(query).toMatch(
      /X-Amz-SignedHeaders=host&response-content-disposition=attachment%3B%20filename%3D%22a%20b.webm%22&X-Amz-Signature=/,
    );
    // A different disposition is a different signature.
    const plain = await presignS3Get(AWS_EXAMPLE);
    expect(new URL(url).searchParams.get("X-Amz-Signature")).not.toBe(new URL(plain).searchParams.get("X-Amz-Signature"));
  });

  it("refuses lifetimes outside 1..604800 s and empty keys", async () => {
    await expect(presignS3Get({ ...AWS_EXAMPLE, expiresInSeconds: 0 })).rejects.toThrow(RangeError);
    await expect(presignS3Get({ ...AWS_EXAMPLE, expiresInSeconds: 604_801 })).rejects.toThrow(RangeError);
    await expect(presignS3Get({ ...AWS_EXAMPLE, expiresInSeconds: 1.5 })).rejects.toThrow(RangeError);
    await expect(presignS3Get({ ...AWS_EXAMPLE, key: "" })).rejects.toThrow(RangeError);
    await expect(presignS3Get({ ...AWS_EXAMPLE, expiresInSeconds: 604_800 })).resolves.toContain("X-Amz-Expires=604800");
  });
});
