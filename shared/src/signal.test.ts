import { describe, expect, it } from "vitest";
import { LIMITS } from "./limits.js";
import { parseSignalFrame } from "./signal.js";

const codeOf = (raw: string | ArrayBuffer) => {
  const r = parseSignalFrame(raw);
  return r.ok ? "OK" : r.error.code;
};

describe("parseSignalFrame", () => {
  it("accepts each request type in its documented shape", () => {
    expect(codeOf('{"id":1,"type":"join","name":"Ann","metadata":{"k":[1,"a",null]}}')).toBe("OK");
    expect(codeOf('{"id":"r-2","type":"message","text":"hi","to":"m_abcdefgh1234"}')).toBe("OK");
    expect(codeOf('{"id":3,"type":"resume","member":"m_abcdefgh1234","secret":"0123456789abcdef0123"}')).toBe("OK");
    for (const t of ["leave", "ping"]) expect(codeOf(`{"id":4,"type":"${t}"}`)).toBe("OK");
  });

  it("names what is wrong, keeping the request id when it can be read", () => {
    const r = parseSignalFrame('{"id":7,"type":"message","text":""}');
    expect(r).toMatchObject({ ok: false, id: 7, error: { code: "INVALID_REQUEST" } });
    expect(!r.ok && r.error.message).toMatch(/^text: /);
    expect(parseSignalFrame('{"id":8,"type":"nope"}')).toMatchObject({ ok: false, id: 8, error: { code: "UNKNOWN_TYPE" } });
    expect(codeOf('{"type":"ping"}')).toBe("MALFORMED_FRAME");
    expect(codeOf("[1,2]")).toBe("MALFORMED_FRAME");
    expect(codeOf("null")).toBe("MALFORMED_FRAME");
    expect(codeOf(new ArrayBuffer(4))).toBe("MALFORMED_FRAME");
    expect(codeOf('{"id":1.5,"type":"ping"}')).toBe("MALFORMED_FRAME");
  });

  it("enforces the byte limits, counting UTF-8 rather than characters", () => {
    const text = (n: number) => JSON.stringify({ id: 1, type: "message", text: "€".repeat(n) }); // 3 bytes each
    expect(codeOf(text(1365))).toBe("OK"); // 4095 bytes
    expect(codeOf(text(1366))).toBe("MESSAGE_TOO_LARGE"); // 4098 bytes
    const meta = (n: number) => JSON.stringify({ id: 1, type: "join", metadata: { a: "x".repeat(n) } });
    expect(codeOf(meta(LIMITS.metadataBytes - 8))).toBe("OK"); // {"a":"…"} is 8 bytes of JSON around it
    expect(codeOf(meta(LIMITS.metadataBytes - 7))).toBe("METADATA_TOO_LARGE");
    expect(codeOf(`{"id":1,"type":"ping","pad":"${"x".repeat(LIMITS.frameBytes)}"}`)).toBe("FRAME_TOO_LARGE");
  });
});
