import type { CallPage, RecordingPage } from "@parley/shared";
import { describe, expect, it } from "vitest";
import { appFetch, createApp, joined, operatorFetch, sleep } from "../../test/helpers.js";

describe("operator view of an app: /v1/operator/*?app=", () => {
  it("answers what the app routes answer, for the app named by ?app=", async () => {
    const app = await createApp();
    const a = await joined(app, "standup", "alice");
    a.client.close();
    let calls: CallPage = { calls: [], nextCursor: null };
    for (let i = 0; i < 50 && calls.calls.length === 0; i++) {
      await sleep(100); // the call record reaches D1 through the room's outbox
      calls = await (await operatorFetch(`/v1/operator/calls?app=${app.appKey}&room=standup`)).json<CallPage>();
    }
    expect(calls.calls.map((c) => c.room)).toEqual(["standup"]);
    const appView = await (await appFetch(app, "/v1/calls?room=standup")).json<CallPage>();
    expect(calls.calls[0]?.id).toBe(appView.calls[0]?.id);
    const detail = await (await operatorFetch(`/v1/operator/calls/${calls.calls[0]?.id}?app=${app.appKey}`)).json<{ room: string }>();
    expect(detail.room).toBe("standup");

    const recordings = await (await operatorFetch(`/v1/operator/recordings?app=${app.appKey}`)).json<RecordingPage>();
    expect(recordings).toEqual({ recordings: [], nextCursor: null });
    expect(await (await operatorFetch(`/v1/operator/webhooks?app=${app.appKey}`)).json()).toEqual({ webhooks: [] });
    expect(await (await operatorFetch(`/v1/operator/webhooks/deliveries?app=${app.appKey}`)).json()).toEqual({
      deliveries: [],
      nextCursor: null,
    });
  });

  it("does not show one app's calls under another's key", async () => {
    const app = await createApp();
    const other = await createApp();
    const a = await joined(app, "secret-room", "alice");
    a.client.close();
    await sleep(300);
    const page = await (await operatorFetch(`/v1/operator/calls?app=${other.appKey}&room=secret-room`)).json<CallPage>();
    expect(page.calls).toEqual([]);
  });

  it("is for the operator only, needs ?app=, and validates the rest of the query", async () => {
    const app = await createApp();
    expect((await appFetch(app, `/v1/operator/calls?app=${app.appKey}`)).status).toBe(401);
    const missing = await operatorFetch("/v1/operator/calls");
    expect(missing.status).toBe(400);
    expect((await operatorFetch("/v1/operator/calls?app=ak_0000000000000000nope")).status).toBe(404);
    const bad = await operatorFetch(`/v1/operator/calls?app=${app.appKey}&limit=0`);
    expect(bad.status).toBe(400);
    expect((await bad.json<{ error: { message: string } }>()).error.message).toMatch(/limit/);
    expect((await operatorFetch(`/v1/operator/calls/nope?app=${app.appKey}`)).status).toBe(400);
  });
});
