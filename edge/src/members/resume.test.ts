import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { connect, createApp, joined, operatorFetch, tokenFor } from "../../test/helpers.js";
import { roomStub } from "../rooms/room-do.js";

async function usage(appKey: string) {
  const res = await operatorFetch(`/v1/apps/${appKey}/usage`);
  return (await res.json<{ usage: { rooms: number; users: number } }>()).usage;
}

/** Waits until the room has seen the drop (its close handler runs after the client's close). */
async function waitDisconnected(appKey: string, room: string, member: string) {
  for (let i = 0; i < 200; i++) {
    const members = await roomStub(env, appKey, room).members();
    if (members.find((m) => m.id === member)?.connected === false) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("room never saw the drop");
}

describe("resume after a dropped socket", () => {
  it("inside the window: same member, no leave/join for the others", async () => {
    const app = await createApp();
    const alice = await joined(app, "res", "alice");
    const bob = await joined(app, "res", "bob");
    alice.client.close();
    await waitDisconnected(app.appKey, "res", alice.member);

    const back = await connect("res", await tokenFor(app, { room: "res", user: "alice" }));
    const resumed = await back.ok("resume", { member: alice.member, secret: alice.resume });
    expect((resumed.member as { id: string }).id).toBe(alice.member);
    expect((resumed.members as { id: string }[]).map((m) => m.id)).toEqual([bob.member]);

    await bob.client.ok("message", { text: "welcome back" });
    expect(await back.event("message")).toMatchObject({ text: "welcome back" });
    // the alarm finds nobody expired
    await runDurableObjectAlarm(roomStub(env, app.appKey, "res"));
    await bob.client.ok("ping");
    expect(bob.client.events("member.left")).toEqual([]);
    expect(bob.client.events("member.joined")).toEqual([]);
    expect(await usage(app.appKey)).toEqual({ rooms: 1, users: 2 });
  });

  it("a wrong secret or another user cannot take the member", async () => {
    const app = await createApp();
    const alice = await joined(app, "steal", "alice");
    alice.client.close();
    await waitDisconnected(app.appKey, "steal", alice.member);
    const eve = await connect("steal", await tokenFor(app, { room: "steal", user: "eve" }));
    const asEve = await eve.request("resume", { member: alice.member, secret: alice.resume });
    expect(!asEve.ok && asEve.error.code).toBe("RESUME_FAILED");
    const guess = await connect("steal", await tokenFor(app, { room: "steal", user: "alice" }));
    const wrong = await guess.request("resume", { member: alice.member, secret: "x".repeat(32) });
    expect(!wrong.ok && wrong.error.code).toBe("RESUME_FAILED");
  });

  it("past the window: removed, the others see member.left, counters fall back", async () => {
    const app = await createApp({ maxUsers: 2 });
    const alice = await joined(app, "late", "alice");
    const bob = await joined(app, "late", "bob");
    alice.client.close();
    await waitDisconnected(app.appKey, "late", alice.member);
    expect(await usage(app.appKey)).toEqual({ rooms: 1, users: 2 });

    // the DO alarm is set for the resume deadline; run it as if 120 s had passed
    const stub = roomStub(env, app.appKey, "late");
    await stub.members(); // make sure the object is awake
    const { runInDurableObject } = await import("cloudflare:test");
    await runInDurableObject(stub, async (_instance, state) => {
      const alarm = await state.storage.getAlarm();
      expect(alarm).not.toBeNull();
      expect((alarm as number) - Date.now()).toBeGreaterThan(100_000); // ~120 s away
      state.storage.sql.exec("UPDATE members SET drop_deadline = ? WHERE id = ?", Date.now() - 1, alice.member);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    expect(await bob.client.event("member.left")).toMatchObject({ member: alice.member, reason: "timeout" });
    expect(await usage(app.appKey)).toEqual({ rooms: 1, users: 1 });
    const back = await connect("late", await tokenFor(app, { room: "late", user: "alice" }));
    const tooLate = await back.request("resume", { member: alice.member, secret: alice.resume });
    expect(!tooLate.ok && tooLate.error.code).toBe("RESUME_FAILED");
    expect((await back.ok("join")).member).toBeTruthy();
  });

  it("resuming on a new socket while the old one lingers replaces it", async () => {
    const app = await createApp();
    const alice = await joined(app, "dup", "alice");
    const second = await connect("dup", await tokenFor(app, { room: "dup", user: "alice" }));
    await second.ok("resume", { member: alice.member, secret: alice.resume });
    expect((await alice.client.closed).code).toBe(4002);
  });
});
