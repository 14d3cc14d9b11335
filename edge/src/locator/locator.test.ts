import { describe, expect, it } from "vitest";
import { appFetch, createApp, joined } from "../../test/helpers.js";

describe("signal locator", () => {
  it("lists a user's live sessions across rooms and notifies each of them", async () => {
    const app = await createApp();
    const inLobby = await joined(app, "lobby", "agent-7");
    const inCall = await joined(app, "call-42", "agent-7");
    await joined(app, "lobby", "someone-else");

    const res = await appFetch(app, "/v1/users/agent-7/sessions");
    const { sessions } = await res.json<{ sessions: { room: string; member: string; connected: boolean }[] }>();
    expect(sessions.map((s) => [s.room, s.member, s.connected]).sort()).toEqual(
      [
        ["call-42", inCall.member, true],
        ["lobby", inLobby.member, true],
      ].sort(),
    );

    const notify = await appFetch(app, "/v1/users/agent-7/notify", {
      method: "POST",
      body: JSON.stringify({ data: { kind: "invite", room: "vip-1" } }),
    });
    expect(await notify.json()).toEqual({ delivered: 2 });
    for (const c of [inLobby.client, inCall.client]) {
      expect(await c.event("notification")).toEqual({ type: "notification", data: { kind: "invite", room: "vip-1" } });
    }
  });

  it("refuses oversized notifications and other apps' credentials", async () => {
    const app = await createApp();
    const big = await appFetch(app, "/v1/users/u/notify", { method: "POST", body: JSON.stringify({ data: { x: "y".repeat(5000) } }) });
    expect((await big.json<{ error: { code: string } }>()).error.code).toBe("PAYLOAD_TOO_LARGE");
    const other = await createApp();
    await joined(app, "private", "u");
    const peek = await appFetch(other, "/v1/users/u/sessions");
    expect((await peek.json<{ sessions: unknown[] }>()).sessions).toEqual([]);
  });
});
