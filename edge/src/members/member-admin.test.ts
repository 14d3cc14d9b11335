import { describe, expect, it } from "vitest";
import { appFetch, createApp, joined, refusal, sleep, tokenFor } from "../../test/helpers.js";

const post = (body: unknown) => ({ method: "POST", body: JSON.stringify(body) });

describe("room members over the API: kick", () => {
  it("removes every member of the user, revokes their older tokens, tells the others", async () => {
    const app = await createApp();
    const victim = await joined(app, "api-kick", "v");
    const victimAgain = await joined(app, "api-kick", "v");
    const watcher = await joined(app, "api-kick", "w");
    const older = await tokenFor(app, { room: "api-kick", user: "v" });

    const res = await appFetch(app, "/v1/rooms/api-kick/members/v", { method: "DELETE", body: JSON.stringify({ reason: "rules" }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ room: "api-kick", user: "v", removed: 2 });

    for (const m of [victim, victimAgain]) {
      expect(await m.client.event("kicked")).toMatchObject({ by: "app", reason: "rules" });
      expect((await m.client.closed).code).toBe(4001);
      expect(await watcher.client.event("member.left", (e) => e.member === m.member)).toMatchObject({ reason: "kicked" });
    }
    expect(await refusal("api-kick", older)).toMatchObject({ code: "TOKEN_REVOKED" });
    const sessions = await (await appFetch(app, "/v1/users/v/sessions")).json<{ sessions: unknown[] }>();
    expect(sessions.sessions).toEqual([]);

    // a token issued after the kick (the next second: iat has whole seconds) is accepted
    await sleep(1100);
    const back = await joined(app, "api-kick", "v");
    expect(back.member).toMatch(/^m_/);
  });

  it("a user not in the room: removed 0, still revoked; the body is optional; bad input refused", async () => {
    const app = await createApp();
    const stranger = await tokenFor(app, { room: "api-kick-0", user: "s" });
    const res = await appFetch(app, "/v1/rooms/api-kick-0/members/s", { method: "DELETE" });
    expect(await res.json()).toEqual({ room: "api-kick-0", user: "s", removed: 0 });
    expect(await refusal("api-kick-0", stranger)).toMatchObject({ code: "TOKEN_REVOKED" });

    const badUser = await appFetch(app, "/v1/rooms/r/members/not%20a%20user", { method: "DELETE" });
    expect(badUser.status).toBe(400);
    const extra = await appFetch(app, "/v1/rooms/r/members/u", { method: "DELETE", body: JSON.stringify({ why: "x" }) });
    expect((await extra.json<{ error: { code: string } }>()).error.code).toBe("INVALID_REQUEST");
  });
});

describe("room members over the API: mute", () => {
  it("no matching track (unknown room, unknown user, a member without tracks) → muted 0", async () => {
    const app = await createApp();
    const nobody = await appFetch(app, "/v1/rooms/never-used/members/u/mute", post({}));
    expect(nobody.status).toBe(200);
    expect(await nobody.json()).toEqual({ muted: 0 });

    const a = await joined(app, "api-mute", "a");
    for (const body of [{}, { kind: "audio" }, { source: "camera", kind: "video" }]) {
      expect(await (await appFetch(app, "/v1/rooms/api-mute/members/a/mute", post(body))).json()).toEqual({ muted: 0 });
    }
    expect(await (await appFetch(app, "/v1/rooms/api-mute/members/b/mute", post({}))).json()).toEqual({ muted: 0 });
    // the member noticed nothing and is still in the room
    await a.client.ok("ping");
    expect(a.client.events("track.muted")).toEqual([]);
  });

  it("refuses a bad body or path with INVALID_REQUEST", async () => {
    const app = await createApp();
    for (const body of [{ kind: "smell" }, { source: "webcam" }, { kind: "audio", all: true }]) {
      const res = await appFetch(app, "/v1/rooms/r/members/u/mute", post(body));
      expect(res.status).toBe(400);
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe("INVALID_REQUEST");
    }
    const notJson = await appFetch(app, "/v1/rooms/r/members/u/mute", { method: "POST", body: "{" });
    expect((await notJson.json<{ error: { code: string } }>()).error.code).toBe("INVALID_REQUEST");
    const badRoom = await appFetch(app, "/v1/rooms/bad%20room/members/u/mute", post({}));
    expect((await badRoom.json<{ error: { code: string } }>()).error.code).toBe("INVALID_REQUEST");
  });
});
