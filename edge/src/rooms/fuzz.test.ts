import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { connect, createApp, joined, operatorFetch, tokenFor } from "../../test/helpers.js";
import { roomStub } from "./room-do.js";

/** Deterministic PRNG so a failure can be replayed from the seed. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = ["join", "resume", "leave", "message", "update", "kick", "ping", "dance", "", "JOIN", "__proto__"];

function randomFrame(rand: () => number): string | ArrayBuffer {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const junk = () =>
    pick<unknown>([null, true, 42, -1, 1e308, "", "x".repeat(Math.floor(rand() * 5000)), [], {}, { a: { b: [1] } }, "m_12345678"]);
  switch (Math.floor(rand() * 8)) {
    case 0:
      return Array.from({ length: Math.floor(rand() * 200) }, () => String.fromCharCode(Math.floor(rand() * 0xffff))).join("");
    case 1:
      return new Uint8Array(Math.floor(rand() * 64)).buffer;
    case 2:
      return JSON.stringify(junk());
    case 3:
      return `{"id":1,"type":"message","text":"${"a".repeat(Math.floor(rand() * 40_000))}"}`;
    default: {
      const frame: Record<string, unknown> = {};
      if (rand() < 0.9) frame.id = pick<unknown>([Math.floor(rand() * 1e6), `r${rand()}`, junk()]);
      if (rand() < 0.95) frame.type = pick(TYPES);
      for (const key of ["text", "to", "member", "secret", "metadata", "name", "reason", "extra"]) {
        if (rand() < 0.25) frame[key] = junk();
      }
      return JSON.stringify(frame);
    }
  }
}

describe("fuzz: 10,000 random and malformed frames", () => {
  it("every frame gets an answer or is dropped by the rate limit, and the room still works", async () => {
    const app = await createApp();
    const room = "fuzz";
    const bystander = await joined(app, room, "bystander");
    const rand = mulberry32(20261125);
    const newFuzzer = async (i: number) => connect(room, await tokenFor(app, { room, user: `f${i}` }));
    const fuzzers = await Promise.all(Array.from({ length: 20 }, (_, i) => newFuzzer(i)));
    const all = [...fuzzers];
    const FRAMES = 10_000;
    // pace each socket inside its frame rate limit so most frames reach the parser
    for (let i = 0; i < FRAMES; i++) {
      const slot = i % fuzzers.length;
      if (fuzzers[slot]!.ws.readyState !== WebSocket.OPEN) {
        // a random join + leave (or kick) legitimately closes the socket: reconnect as a client would
        fuzzers[slot] = await newFuzzer(slot);
        all.push(fuzzers[slot]!);
      }
      fuzzers[slot]!.sendRaw(randomFrame(rand));
      if (i % 400 === 399) await new Promise((r) => setTimeout(r, 60));
    }
    await Promise.all(fuzzers.map((f) => (f.ws.readyState === WebSocket.OPEN ? f.request("ping") : null)));
    const answered = all.reduce((n, f) => n + f.frames.filter((fr) => "ok" in fr).length, 0);
    expect(answered).toBeGreaterThan(FRAMES * 0.5);
    const codes = new Set(
      all.flatMap((f) => f.frames.filter((fr) => "ok" in fr && !fr.ok).map((fr) => (fr as { error: { code: string } }).error.code)),
    );
    expect(codes.has("INTERNAL")).toBe(false);
    expect(codes).toContain("MALFORMED_FRAME");

    const member = await joined(app, room, "normal");
    await member.client.ok("message", { text: "hello after the storm" });
    expect(await bystander.client.event("message", (m) => m.text === "hello after the storm")).toBeTruthy();
    const fresh = await connect(room, await tokenFor(app, { room, user: "late" }));
    expect((await fresh.request("join")).ok).toBe(true);

    // the room's members and the app's licence counters still agree
    const members = await roomStub(env, app.appKey, room).members();
    const { usage } = await (await operatorFetch(`/v1/apps/${app.appKey}/usage`)).json<{ usage: { users: number; rooms: number } }>();
    expect(usage).toEqual({ users: members.length, rooms: 1 });
    expect(members.length).toBeGreaterThanOrEqual(3);
  });
});
