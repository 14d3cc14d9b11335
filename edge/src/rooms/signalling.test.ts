import { describe, expect, it } from "vitest";
import { appFetch, connect, createApp, joined, tokenFor } from "../../test/helpers.js";

describe("signalling: members see each other", () => {
  it("join returns your id, a resume secret and the others; others get member.joined", async () => {
    const app = await createApp();
    const alice = await joined(app, "room1", "alice");
    expect(alice.member).toMatch(/^m_/);
    expect(alice.resume.length).toBeGreaterThanOrEqual(32);
    expect(alice.members).toEqual([]);

    const bobClient = await connect("room1", await tokenFor(app, { room: "room1", user: "bob", name: "Bob" }));
    const bobJoin = await bobClient.ok("join", { metadata: { role: "customer" } });
    expect((bobJoin.members as { user: string }[]).map((m) => m.user)).toEqual(["alice"]);
    const seen = await alice.client.event("member.joined");
    expect(seen.member).toMatchObject({ user: "bob", name: "Bob", metadata: { role: "customer" } });
    expect(JSON.stringify(seen)).not.toContain(bobJoin.resume as string);
  });

  it("messages reach the room or one member; 4096 bytes pass, 4097 are refused", async () => {
    const app = await createApp();
    const a = await joined(app, "chat", "a");
    const b = await joined(app, "chat", "b");
    const c = await joined(app, "chat", "c");

    const toRoom = await a.client.ok("message", { text: "hello all" });
    expect(toRoom.delivered).toBe(2);
    expect(await b.client.event("message")).toMatchObject({ from: a.member, text: "hello all", private: false });
    expect(await c.client.event("message")).toMatchObject({ text: "hello all" });

    await a.client.ok("message", { text: "just you", to: c.member });
    expect(await c.client.event("message", (m) => m.private)).toMatchObject({ from: a.member, text: "just you" });
    await b.client.ok("ping"); // b's socket is in order after the private message; b must not have it
    expect(b.client.events("message").map((m) => m.text)).toEqual(["hello all"]);
    expect(a.client.events("message")).toEqual([]); // the sender does not get an echo

    const max = "é".repeat(2048); // 4096 bytes of UTF-8
    await a.client.ok("message", { text: max });
    expect((await b.client.event("message", (m) => m.text.length === 2048)).text).toBe(max);
    const over = await a.client.request("message", { text: `${max}x` });
    expect(!over.ok && over.error.code).toBe("MESSAGE_TOO_LARGE");

    const nobody = await a.client.request("message", { text: "hi", to: "m_nobodyhere00" });
    expect(!nobody.ok && nobody.error.code).toBe("MEMBER_NOT_FOUND");
  });

  it("update changes metadata and tells the others; metadata over 1 KB is refused", async () => {
    const app = await createApp();
    const a = await joined(app, "upd", "a");
    const b = await joined(app, "upd", "b");
    const res = await a.client.ok("update", { name: "Agent A", metadata: { desk: 7 } });
    expect(res.member).toMatchObject({ name: "Agent A", metadata: { desk: 7 } });
    expect((await b.client.event("member.updated")).member).toMatchObject({ id: a.member, name: "Agent A" });
    const big = await a.client.request("update", { metadata: { blob: "x".repeat(1100) } });
    expect(!big.ok && big.error.code).toBe("METADATA_TOO_LARGE");
  });

  it("leave tells the others and closes the socket", async () => {
    const app = await createApp();
    const a = await joined(app, "lv", "a");
    const b = await joined(app, "lv", "b");
    await a.client.ok("leave");
    expect((await a.client.closed).code).toBe(1000);
    expect(await b.client.event("member.left")).toMatchObject({ member: a.member, reason: "left" });
  });

  it("kick removes the member for everyone", async () => {
    const app = await createApp();
    const admin = await joined(app, "kk", "agent", { grants: { admin: true } });
    const victim = await joined(app, "kk", "v");
    const watcher = await joined(app, "kk", "w");
    await admin.client.ok("kick", { member: victim.member });
    expect(await victim.client.event("kicked")).toMatchObject({ by: admin.member });
    expect(await watcher.client.event("member.left")).toMatchObject({ member: victim.member, reason: "kicked" });
    const gone = await admin.client.request("kick", { member: victim.member });
    expect(!gone.ok && gone.error.code).toBe("MEMBER_NOT_FOUND");
  });

  it("hidden members observe without being announced", async () => {
    const app = await createApp();
    const a = await joined(app, "hid", "a");
    const spy = await joined(app, "hid", "monitor", { grants: { hidden: true } });
    const b = await joined(app, "hid", "b");
    expect(b.members.map((m) => m.id)).toEqual([a.member]);
    expect(await spy.client.event("member.joined")).toMatchObject({ member: { id: b.member } });
    await b.client.ok("ping");
    expect(a.client.events("member.joined").map((e) => e.member.user)).toEqual(["b"]);
  });

  it("closing a room over the API sends room.closed and empties it", async () => {
    const app = await createApp();
    const a = await joined(app, "closing", "a");
    const res = await appFetch(app, "/v1/rooms/closing", { method: "DELETE", body: JSON.stringify({ reason: "end of service" }) });
    expect(await res.json()).toEqual({ room: "closing", removed: 1 });
    expect(await a.client.event("room.closed")).toMatchObject({ reason: "end of service" });
    expect((await a.client.closed).code).toBe(4003);
    const usage = await (await appFetch(app, "/v1/users/a/sessions")).json<{ sessions: unknown[] }>();
    expect(usage.sessions).toEqual([]);
  });
});

describe("signalling: bad frames get typed errors and never corrupt the room", () => {
  it("out-of-order, unknown, malformed and oversized frames", async () => {
    const app = await createApp();
    const client = await connect("bad", await tokenFor(app, { room: "bad", user: "u" }));
    const early = await client.request("message", { text: "before join" });
    expect(!early.ok && early.error.code).toBe("NOT_IN_ROOM");
    const unknown = await client.request("dance");
    expect(!unknown.ok && unknown.error.code).toBe("UNKNOWN_TYPE");
    const extra = await client.request("ping", { surprise: true });
    expect(!extra.ok && extra.error.code).toBe("INVALID_REQUEST");

    client.sendRaw("{not json");
    client.sendRaw(JSON.stringify({ type: "join" })); // no id
    client.sendRaw(JSON.stringify({ id: 99, type: "join", name: "x".repeat(40_000) }));
    client.sendRaw(new Uint8Array([1, 2, 3]).buffer);
    await client.waitFor(() => client.frames.filter((f) => "ok" in f && !f.ok && f.id === null).length >= 4);
    const codes = client.frames
      .filter((f) => "ok" in f && !f.ok && f.id === null)
      .map((f) => (f as { error: { code: string } }).error.code);
    // one typed error per bad frame; replies without an id carry no order promise (docs/protocol.md §2)
    expect(codes.sort()).toEqual(["FRAME_TOO_LARGE", "MALFORMED_FRAME", "MALFORMED_FRAME", "MALFORMED_FRAME"]);

    await client.ok("join");
    const twice = await client.request("join");
    expect(!twice.ok && twice.error.code).toBe("ALREADY_JOINED");
    expect((await client.ok("message", { text: "still fine" })).delivered).toBe(0);
  });

  it("a message flood is rate limited, and the room keeps working", async () => {
    const app = await createApp();
    const flooder = await joined(app, "flood", "f");
    const listener = await joined(app, "flood", "l");
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => flooder.client.request("message", { text: `m${i}` })));
    const limited = answers.filter((a) => !a.ok && a.error.code === "RATE_LIMITED").length;
    expect(limited).toBeGreaterThan(0);
    expect(answers.length - limited).toBeLessThanOrEqual(45);
    await listener.client.ok("message", { text: "I can still talk" });
    expect(await flooder.client.event("message", (m) => m.text === "I can still talk")).toBeTruthy();
  });
});
