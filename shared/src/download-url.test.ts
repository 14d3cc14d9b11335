import { describe, expect, it } from "vitest";
import { checkDownloadLocation, recordingFileKey, signDownloadUrl, verifyDownloadUrl } from "./download-url.js";
import { ParleyError } from "./errors.js";

const SECRET = "test-fleet-secret-0123456789abcdef";
const NOW = 1_700_000_000;
const LOCATION = recordingFileKey({ room: "ak_x:my room", recordingId: "rec-1", file: "m_alice/p1-video-00001.webm" });

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ParleyError);
  return (error as ParleyError).code;
}

function withParam(url: string, name: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.toString();
}

describe("signed NAS download URLs", () => {
  it("signs a URL under /files/ that verifies back to the location", async () => {
    const url = await signDownloadUrl({
      baseUrl: "https://media-1.example.net:4443/",
      location: LOCATION,
      expiresAt: NOW + 600,
      secret: SECRET,
      now: NOW,
    });
    expect(url).toMatch(
      /^https:\/\/media-1\.example\.net:4443\/files\/ak_x%3Amy%20room\/rec-1\/m_alice\/p1-video-00001\.webm\?exp=1700000600&sig=[\w-]{43}$/,
    );
    expect(await verifyDownloadUrl({ url, secret: SECRET, now: NOW })).toBe(LOCATION);
    // The node sees only the path and query.
    const { pathname, search } = new URL(url);
    expect(await verifyDownloadUrl({ url: pathname + search, secret: SECRET, now: NOW + 600 })).toBe(LOCATION);
  });

  it("keeps a path on the base URL", async () => {
    const url = await signDownloadUrl({
      baseUrl: "https://proxy.example/media-1",
      location: "a/b.ogg",
      expiresAt: NOW + 60,
      secret: SECRET,
      now: NOW,
    });
    expect(url.startsWith("https://proxy.example/media-1/files/a/b.ogg?")).toBe(true);
    expect(await verifyDownloadUrl({ url, secret: SECRET, now: NOW })).toBe("a/b.ogg");
  });

  it("refuses tampered URLs with TOKEN_BAD_SIGNATURE", async () => {
    const url = await signDownloadUrl({ baseUrl: "http://node", location: LOCATION, expiresAt: NOW + 600, secret: SECRET, now: NOW });
    const sig = new URL(url).searchParams.get("sig")!;
    const flipped = sig.slice(0, 10) + (sig[10] === "A" ? "B" : "A") + sig.slice(11);
    expect(await refusal(verifyDownloadUrl({ url: withParam(url, "sig", flipped), secret: SECRET, now: NOW }))).toBe("TOKEN_BAD_SIGNATURE");
    expect(await refusal(verifyDownloadUrl({ url: withParam(url, "exp", String(NOW + 700)), secret: SECRET, now: NOW }))).toBe(
      "TOKEN_BAD_SIGNATURE",
    );
    expect(await refusal(verifyDownloadUrl({ url: url.replace("00001.webm", "00002.webm"), secret: SECRET, now: NOW }))).toBe(
      "TOKEN_BAD_SIGNATURE",
    );
    expect(await refusal(verifyDownloadUrl({ url, secret: `${SECRET}x`, now: NOW }))).toBe("TOKEN_BAD_SIGNATURE");
    // The last of 43 characters has 2 spare (zero) bits; the next character spells the same bytes.
    const last = sig.at(-1)!;
    expect("AEIMQUYcgkosw048").toContain(last);
    const alias = String.fromCharCode(last.charCodeAt(0) + 1);
    expect(await refusal(verifyDownloadUrl({ url: withParam(url, "sig", sig.slice(0, -1) + alias), secret: SECRET, now: NOW }))).toBe(
      "TOKEN_BAD_SIGNATURE",
    );
  });

  it("refuses an expired URL with TOKEN_EXPIRED", async () => {
    const url = await signDownloadUrl({ baseUrl: "http://node", location: LOCATION, expiresAt: NOW + 60, secret: SECRET, now: NOW });
    expect(await verifyDownloadUrl({ url, secret: SECRET, now: NOW + 60 })).toBe(LOCATION);
    expect(await refusal(verifyDownloadUrl({ url, secret: SECRET, now: NOW + 61 }))).toBe("TOKEN_EXPIRED");
  });

  it("refuses malformed URLs with INVALID_REQUEST", async () => {
    const url = await signDownloadUrl({ baseUrl: "http://node", location: LOCATION, expiresAt: NOW + 60, secret: SECRET, now: NOW });
    const bad = [
      url.replace("/files/", "/file/"),
      url.replace(/\?.*/, ""),
      withParam(url, "exp", "soon"),
      withParam(url, "sig", "short"),
      `${url}&exp=${NOW + 60}`,
      url.replace("rec-1", "%E0%A4%A"),
      url.replace("rec-1", "..%2F..%2Fetc"),
      url.replace("rec-1", "a%00b"),
      url.replace("/files/", "/files//"),
    ];
    for (const u of bad) expect(await refusal(verifyDownloadUrl({ url: u, secret: SECRET, now: NOW })), u).toBe("INVALID_REQUEST");
  });

  it("validates locations, lifetimes, base URLs and secrets when signing", async () => {
    for (const location of ["", "/etc/passwd", "../x", "a/../b", "a//b", "a/./b", "a\\b", "a\u0000b", "a\nb", "x".repeat(1025)])
      expect(() => checkDownloadLocation(location), JSON.stringify(location)).toThrow(ParleyError);
    const base = { baseUrl: "http://node", location: "a.webm", secret: SECRET, now: NOW };
    await expect(signDownloadUrl({ ...base, expiresAt: NOW })).rejects.toThrow(RangeError);
    await expect(signDownloadUrl({ ...base, expiresAt: NOW + 24 * 3600 + 1 })).rejects.toThrow(RangeError);
    await expect(signDownloadUrl({ ...base, expiresAt: NOW + 24 * 3600 })).resolves.toContain("/files/a.webm?");
    await expect(signDownloadUrl({ ...base, expiresAt: NOW + 60, secret: "short" })).rejects.toThrow(RangeError);
    await expect(signDownloadUrl({ ...base, expiresAt: NOW + 60, baseUrl: "http://node/files/x" })).rejects.toThrow(RangeError);
    await expect(signDownloadUrl({ ...base, expiresAt: NOW + 60, baseUrl: "http://node/?a=1" })).rejects.toThrow(RangeError);
  });

  it("refuses a validly signed URL that lives longer than 24 h", async () => {
    // Signed "now" a day in the future, as a signer with a wrong clock (or ignoring the rule) would.
    const url = await signDownloadUrl({
      baseUrl: "http://node",
      location: "a.webm",
      expiresAt: NOW + 48 * 3600,
      secret: SECRET,
      now: NOW + 24 * 3600,
    });
    expect(await refusal(verifyDownloadUrl({ url, secret: SECRET, now: NOW }))).toBe("INVALID_REQUEST");
  });
});
