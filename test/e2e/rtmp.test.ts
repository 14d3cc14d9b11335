/**
 * RTMP push through the public API, with real parts: the local stack (edge + mediasoup node), SDK
 * bots on @roamhq/wrtc publishing VP8 + Opus, Debian's nginx-rtmp as the server, and ffprobe pulling
 * the pushed streams back from nginx as a viewer would. The stream key must appear in no answer.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NginxRtmp, probeStreams, startNginxRtmp } from "../../infra/rtmp/nginx-rtmp.js";
import { RtmpClient } from "../../sdk/src/server/index.js";
import { appApi, type Bot, type Stack, startStack, waitFor } from "./stack.js";
import { parley } from "./support/processes.js";

const ROOM = "rtmp-e2e";
const KEY = "sk_live_7f3a9c1e";

let stack: Stack;
let nginx: NginxRtmp;
/** Every answer body the edge gave in this file, and every webhook it sent, to check none carries the stream key. */
const answers: string[] = [];
/** The app's webhook receiver: what the edge delivered, in arrival order. */
const hooks: { type: string; data: { pushId: string; target: string; source: unknown; error: string | null } }[] = [];
let receiver: Server;

beforeAll(async () => {
  nginx = await startNginxRtmp();
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      answers.push(body);
      hooks.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  // the stack reaches exactly these two on 127.0.0.1
  stack = await startStack({ outboundAllow: [`127.0.0.1:${nginx.port}`, new URL(url).host] });
  const hook = await api("POST", "/v1/webhooks", { url, events: ["rtmp.started", "rtmp.stopped", "rtmp.failed"] });
  expect(hook.status).toBe(201);
});
afterAll(async () => {
  await stack?.stop();
  await nginx?.stop();
  receiver?.close();
});

const hooksFor = (pushId: string) => hooks.filter((h) => h.data.pushId === pushId).map((h) => h.type);

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const answer = await appApi<T>(stack, method, path, body);
  answers.push(answer.text);
  return answer;
}

interface Push {
  id: string;
  state: string;
  target: string;
  source: { kind: string; member: string | null };
  endedAt: string | null;
}

const pushPath = (id: string) => `/v1/rooms/${ROOM}/rtmp/${id}`;

async function waitForState(id: string, state: string): Promise<Push> {
  let push: Push | undefined;
  await waitFor(
    async () => {
      push = (await api<Push>("GET", pushPath(id))).json;
      return push.state === state;
    },
    `push ${id} to be ${state}`,
    30_000,
    300,
  );
  return push as Push;
}

const publishing = (stream: string) => async () => (await nginx.publishing()).includes(stream);
const notPublishing = (stream: string) => async () => !(await nginx.publishing()).includes(stream);

describe("RTMP push through the public API", () => {
  let alice: Bot;
  let bob: Bot;
  let memberPush: string;

  it("pushes a member as H.264 + AAC that plays from the RTMP server; stop ends the stream", async () => {
    alice = await stack.bot(ROOM, "alice");
    bob = await stack.bot(ROOM, "bob");
    const stream = `alice-${KEY}`;
    const started = await api<Push>("POST", `/v1/rooms/${ROOM}/rtmp`, {
      url: nginx.url(stream),
      source: { kind: "member", member: alice.room.localMember.id },
    });
    expect(started.status).toBe(201);
    expect(started.json).toMatchObject({
      state: "starting",
      target: `rtmp://127.0.0.1:${nginx.port}/live/…`,
      source: { kind: "member", member: alice.room.localMember.id },
      endedAt: null,
    });
    memberPush = started.json.id;
    await waitForState(started.json.id, "live");
    await waitFor(publishing(stream), "nginx to have the member's stream", 20_000);

    const streams = await probeStreams(nginx.url(stream));
    console.log("ffprobe of the member push pulled from nginx", JSON.stringify(streams));
    expect(streams.find((s) => s.type === "video")).toMatchObject({ codec: "h264", width: 320, height: 240 });
    expect(streams.find((s) => s.type === "audio")).toMatchObject({ codec: "aac", rate: "44100" });

    const stopped = await api<Push>("POST", `${pushPath(started.json.id)}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.json.state).toBe("stopped");
    expect(stopped.json.endedAt).not.toBeNull();
    await waitFor(notPublishing(stream), "the member's stream to end on nginx", 10_000);
    expect((await api<Push>("GET", pushPath(started.json.id))).json.state).toBe("stopped");

    // the app heard it go live and end, with where it went but not the key
    await waitFor(() => hooksFor(started.json.id).length === 2, "rtmp.started and rtmp.stopped webhooks", 15_000);
    expect(hooksFor(started.json.id)).toEqual(["rtmp.started", "rtmp.stopped"]);
    const hook = hooks.find((h) => h.data.pushId === started.json.id);
    expect(hook?.data).toMatchObject({ target: started.json.target, source: { kind: "member", member: alice.room.localMember.id } });
  }, 90_000);

  it("pushes the composite at its canvas size (SDK), lists and stops it with the CLI", async () => {
    const stream = `composite-${KEY}`;
    const rtmp = new RtmpClient(stack.edge.url, stack.app);
    const composite = { layout: "grid" as const, width: 640, height: 360, fps: 15, videoBitrate: 600, audioBitrate: 64 };
    const push = await rtmp.start(ROOM, { url: nginx.url(stream), source: { kind: "composite", composite } });
    answers.push(JSON.stringify(push));
    expect(push.source).toEqual({ kind: "composite", member: null });
    await waitForState(push.id, "live");
    await waitFor(publishing(stream), "nginx to have the composite stream", 20_000);
    const streams = await probeStreams(nginx.url(stream));
    console.log("ffprobe of the composite push pulled from nginx", JSON.stringify(streams));
    expect(streams.find((s) => s.type === "video")).toMatchObject({ codec: "h264", width: 640, height: 360 });
    expect(streams.find((s) => s.type === "audio")).toMatchObject({ codec: "aac" });

    const env = { PARLEY_URL: stack.edge.url, PARLEY_APP_KEY: stack.app.appKey, PARLEY_APP_SECRET: stack.app.appSecret };
    const list = await parley(["rtmp", "list", ROOM, "--json"], { env });
    expect(list.code).toBe(0);
    answers.push(list.stdout);
    const listed = (JSON.parse(list.stdout) as { pushes: Push[] }).pushes;
    expect(listed.map((p) => [p.id, p.state])).toEqual([
      [push.id, "live"],
      [memberPush, "stopped"],
    ]);
    const stop = await parley(["rtmp", "stop", ROOM, push.id], { env });
    expect(stop).toMatchObject({ code: 0, stdout: `push ${push.id}: stopped\n` });
    await waitFor(notPublishing(stream), "the composite stream to end on nginx", 10_000);
  }, 90_000);

  it("refuses a bad URL, an unknown member and an unknown push with actionable errors", async () => {
    const bad = await api<{ error: { code: string; message: string } }>("POST", `/v1/rooms/${ROOM}/rtmp`, {
      url: `rtmp://127.0.0.1:${nginx.port}`,
      source: { kind: "member", member: alice.room.localMember.id },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toEqual({
      code: "INVALID_REQUEST",
      message: "url: url needs an application path, e.g. rtmp://host/live/<stream key>",
    });
    const scheme = await api<{ error: { code: string; message: string } }>("POST", `/v1/rooms/${ROOM}/rtmp`, {
      url: `http://127.0.0.1/live/${KEY}`,
      source: { kind: "composite" },
    });
    expect(scheme.json.error).toEqual({ code: "INVALID_REQUEST", message: "url: url must be rtmp:// or rtmps://" });
    const nobody = await api<{ error: { code: string } }>("POST", `/v1/rooms/${ROOM}/rtmp`, {
      url: nginx.url(KEY),
      source: { kind: "member", member: "m_nobodyhere00" },
    });
    expect(nobody.status).toBe(404);
    expect(nobody.json.error.code).toBe("MEMBER_NOT_FOUND");
    const missing = await api<{ error: { code: string } }>("GET", pushPath("rtmp_missing00"));
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("RTMP_PUSH_NOT_FOUND");
  });

  it("gives up on a server that refuses the stream: failed, with a reason that hides the key, and rtmp.failed", async () => {
    // nginx has no application "nope": it refuses every publish, and the node retries 5 times (~30 s)
    const started = await api<Push>("POST", `/v1/rooms/${ROOM}/rtmp`, {
      url: `rtmp://127.0.0.1:${nginx.port}/nope/${KEY}`,
      source: { kind: "member", member: alice.room.localMember.id },
    });
    expect(started.status).toBe(201);
    expect(started.json.target).toBe(`rtmp://127.0.0.1:${nginx.port}/nope/…`);
    // no reads while it retries: the node's own event must bring the end
    await waitFor(() => hooksFor(started.json.id).includes("rtmp.failed"), "rtmp.failed from the node's event", 60_000, 500);
    expect(hooksFor(started.json.id)).toEqual(["rtmp.failed"]);
    const failed = (await api<Push & { error: string | null }>("GET", pushPath(started.json.id))).json;
    expect(failed.state).toBe("failed");
    expect(failed.endedAt).not.toBeNull();
    expect(failed.error).toMatch(/ffmpeg exited/);
  }, 90_000);

  it("stops every push when the room empties, and no answer ever carried the stream key", async () => {
    const stream = `last-${KEY}`;
    const started = await api<Push>("POST", `/v1/rooms/${ROOM}/rtmp`, {
      url: nginx.url(stream),
      source: { kind: "member", member: bob.room.localMember.id },
    });
    expect(started.status).toBe(201);
    await waitForState(started.json.id, "live");
    await waitFor(publishing(stream), "nginx to have bob's stream", 30_000);
    await Promise.all([alice.stop(), bob.stop()]);
    await waitFor(notPublishing(stream), "bob's stream to end when the room emptied", 15_000);
    expect((await api<Push>("GET", pushPath(started.json.id))).json).toMatchObject({ state: "stopped", error: null });
    await waitFor(() => hooksFor(started.json.id).includes("rtmp.stopped"), "rtmp.stopped when the room emptied", 15_000);
    expect(hooksFor(started.json.id)).toEqual(["rtmp.started", "rtmp.stopped"]);
    const room = await api<{ error: { code: string } }>("POST", `/v1/rooms/${ROOM}/rtmp`, {
      url: nginx.url(stream),
      source: { kind: "composite" },
    });
    expect(room.json.error.code).toBe("NOT_IN_ROOM");

    expect(hooks).toHaveLength(7);
    expect(answers.length).toBeGreaterThan(10);
    for (const answer of answers) expect(answer).not.toContain(KEY);
  }, 60_000);
});
