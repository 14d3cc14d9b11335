import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { mintToken, randomId } from "./token.js";

describe("mintToken", () => {
  it("signs HS256 claims per the design: kid = slot, iss = AppKey, exp required", async () => {
    const token = await mintToken({
      appKey: "ak_x",
      appSecret: "s3cret",
      slot: 2,
      room: "r",
      user: "u",
      ttlSeconds: 60,
      grants: { admin: true },
      now: 1000,
    });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "HS256", kid: "2" });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: "ak_x", sub: "u", room: "r", grants: { admin: true }, iat: 1000, exp: 1060 });
    expect(typeof claims.jti).toBe("string");
    await expect(jwtVerify(token, new TextEncoder().encode("s3cret"), { currentDate: new Date(1010_000) })).resolves.toBeTruthy();
  });

  it("refuses bad lifetimes, room names and grant names", async () => {
    const base = { appKey: "ak_x", appSecret: "s", room: "r", user: "u" };
    await expect(mintToken({ ...base, ttlSeconds: 0 })).rejects.toThrow(/ttlSeconds/);
    await expect(mintToken({ ...base, ttlSeconds: 8 * 24 * 3600 })).rejects.toThrow(/ttlSeconds/);
    await expect(mintToken({ ...base, room: "has space" })).rejects.toThrow();
    await expect(mintToken({ ...base, grants: { fly: true } as never })).rejects.toThrow();
  });
});

describe("randomId", () => {
  it("has the asked length and uses the whole alphabet", () => {
    const ids = Array.from({ length: 200 }, () => randomId(32));
    expect(ids.every((id) => /^[A-Za-z0-9]{32}$/.test(id))).toBe(true);
    expect(new Set(ids.join("")).size).toBe(62);
    expect(new Set(ids).size).toBe(200);
  });
});
