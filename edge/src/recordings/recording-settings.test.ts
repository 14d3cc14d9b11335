import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { heartbeat, postAsNode } from "../../test/fleet.js";
import { appFetch, createApp, joined } from "../../test/helpers.js";
import { seedRecording } from "../openapi/seed.js";

const put = (body: unknown) => ({ method: "PUT", body: JSON.stringify(body) });
const post = (body: unknown) => ({ method: "POST", body: JSON.stringify(body) });
const SECRET = "s3-secret-value-never-shown-0123456789";
const S3 = {
  kind: "s3",
  endpoint: "https://s3.eu-test-1.example.com",
  region: "eu-test-1",
  bucket: "app-bucket",
  prefix: "calls",
  accessKeyId: "APPKEYID0001",
  forcePathStyle: true,
};

type Settings = { version: number; storage: Record<string, unknown>; composite: Record<string, unknown>; autoRecord: unknown };
type Refusal = { error: { code: string; message: string } };

async function refused(res: Response): Promise<string> {
  expect(res.status).toBe(400);
  const body = (await res.json()) as Refusal;
  expect(body.error.code).toBe("INVALID_REQUEST");
  return body.error.message;
}

describe("per-app recording settings", () => {
  it("answers version 0 (the nodes' own storage) until settings are stored", async () => {
    const app = await createApp();
    const res = await appFetch(app, "/v1/recording-settings");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      version: 0,
      storage: { kind: "nas", folder: null },
      composite: {},
      segmentSeconds: null,
      autoRecord: null,
      updatedAt: null,
    });
  });

  it("refuses bad settings with a message naming the field", async () => {
    const app = await createApp();
    const at = (body: unknown) => appFetch(app, "/v1/recording-settings", put(body));
    expect(await refused(await at({ storage: { kind: "nas", folder: "../other-app" } }))).toMatch(
      /^storage\.folder: folder must be relative/,
    );
    expect(await refused(await at({ storage: { kind: "nas", folder: "/etc" } }))).toMatch(/storage\.folder/);
    expect(await refused(await at({ storage: { kind: "nas", path: "/mnt/x" } }))).toMatch(/path/);
    expect(await refused(await at({ storage: { kind: "ftp" } }))).toMatch(/storage kind must be "nas" or "s3"/);
    expect(await refused(await at({ composite: { width: 3840, height: 2160 } }))).toBe(
      "composite.width: canvas 3840x2160 is larger than 1920x1080",
    );
    expect(await refused(await at({ composite: { layout: "mosaic" } }))).toBe(
      'composite.layout: unknown layout "mosaic"; use grid, speaker or single',
    );
    const notPng = { kind: "image", png: btoa("GIF89a not a png"), x: 0, y: 0, width: 10, height: 10 };
    expect(await refused(await at({ composite: { watermarks: [notPng] } }))).toMatch(/png: image png is not a base64 PNG file/);
    expect(await refused(await at({ autoRecord: { mode: "tracks", composite: { width: 320 } } }))).toMatch(
      /composite options need mode "composite"/,
    );
    expect(await refused(await at({ segmentSeconds: 0 }))).toMatch(/^segmentSeconds/);
    // S3 credentials are only ever taken whole the first time
    expect(await refused(await at({ storage: S3 }))).toMatch(/^storage\.secretAccessKey: required/);
    expect((await (await appFetch(app, "/v1/recording-settings")).json()) as Settings).toMatchObject({ version: 0 });
  });

  it("stores every PUT as a new version, seals the S3 secret and never answers it", async () => {
    const app = await createApp();
    const first = await appFetch(app, "/v1/recording-settings", put({ storage: { ...S3, secretAccessKey: SECRET } }));
    const firstText = await first.text();
    expect(first.status).toBe(200);
    expect(firstText).not.toContain(SECRET);
    expect(JSON.parse(firstText)).toMatchObject({ version: 1, storage: { kind: "s3", bucket: "app-bucket", secretAccessKeySet: true } });

    const rows = await env.DB.prepare("SELECT * FROM recording_settings WHERE app_key = ?").bind(app.appKey).all();
    expect(rows.results).toHaveLength(1);
    expect(JSON.stringify(rows.results)).not.toContain(SECRET);
    expect(rows.results[0]?.s3_secret).toEqual(expect.any(String));

    // the same access key without its secret keeps the sealed one; a new key needs its own
    const second = await appFetch(app, "/v1/recording-settings", put({ storage: { ...S3, prefix: "v2" }, segmentSeconds: 30 }));
    expect(await second.json()).toMatchObject({ version: 2, segmentSeconds: 30, storage: { prefix: "v2", secretAccessKeySet: true } });
    const otherKey = await appFetch(app, "/v1/recording-settings", put({ storage: { ...S3, accessKeyId: "OTHERKEY" } }));
    expect(await refused(otherKey)).toMatch(/secretAccessKey/);

    const nas = {
      storage: { kind: "nas", folder: "team-a/calls" },
      composite: { width: 320, height: 240 },
      autoRecord: { mode: "composite" },
    };
    const third = (await (await appFetch(app, "/v1/recording-settings", put(nas))).json()) as Settings;
    expect(third).toMatchObject({ version: 3, storage: { kind: "nas", folder: "team-a/calls" }, composite: { width: 320, height: 240 } });
    expect(await (await appFetch(app, "/v1/recording-settings")).json()).toEqual(third);

    const all = await env.DB.prepare("SELECT version, s3_secret FROM recording_settings WHERE app_key = ? ORDER BY version")
      .bind(app.appKey)
      .all<{ version: number; s3_secret: string | null }>();
    expect(all.results.map((r) => r.version)).toEqual([1, 2, 3]);
    expect(all.results[2]?.s3_secret).toBeNull();
    // each version is sealed on its own (bound to app + version), never a copy of the previous one
    expect(all.results[1]?.s3_secret).not.toBe(all.results[0]?.s3_secret);
    expect(JSON.stringify(all.results)).not.toContain(SECRET);
  });

  it("links each recording through the storage it was written with, after the settings changed", async () => {
    const app = await createApp();
    expect((await postAsNode("heartbeat", heartbeat("node-settings"))).status).toBe(200);
    await appFetch(app, "/v1/recording-settings", put({ storage: { ...S3, secretAccessKey: SECRET } }));
    await appFetch(app, "/v1/recording-settings", put({ storage: { kind: "nas", folder: "team-a" } }));
    const room = "links-room";
    const key = `calls/${app.appKey}:${room}/rec_s3version1/alice-audio-0.ogg`;
    await seedRecording(app.appKey, "rec_s3version1", Date.now(), {
      room,
      storage: "s3",
      location: `s3://app-bucket/${key}`,
      settingsVersion: 1,
    });
    await seedRecording(app.appKey, "rec_nasfolder2", Date.now(), { room, node: "node-settings", settingsVersion: 2 });
    await seedRecording(app.appKey, "rec_nodedefault", Date.now(), { room, storage: "s3", location: "s3://edge-bucket/k" });

    const s3 = (await (await appFetch(app, "/v1/recordings/rec_s3version1/url")).json()) as { files: { url: string }[] };
    const s3Url = new URL(s3.files[0]?.url ?? "");
    expect(`${s3Url.origin}${s3Url.pathname}`).toBe(
      `https://s3.eu-test-1.example.com/app-bucket/${key.split("/").map(encodeURIComponent).join("/")}`,
    );
    expect(s3Url.searchParams.get("X-Amz-Credential")).toMatch(/^APPKEYID0001\/\d{8}\/eu-test-1\/s3\/aws4_request$/);
    expect(s3.files[0]?.url).not.toContain(SECRET);

    const nas = (await (await appFetch(app, "/v1/recordings/rec_nasfolder2/url")).json()) as { files: { url: string }[] };
    expect(new URL(nas.files[0]?.url ?? "").pathname).toBe(
      `/node-settings/files/team-a/${encodeURIComponent(`${app.appKey}:${room}`)}/rec_nasfolder2/alice-audio-0.ogg`,
    );

    // written with the node's own S3: the edge's S3_* presign it, and this test edge has none
    const fallback = await appFetch(app, "/v1/recordings/rec_nodedefault/url");
    expect(fallback.status).toBe(503);
    expect(((await fallback.json()) as Refusal).error.message).toMatch(/this edge has no S3_\* settings/);
  });

  it("lays a start request's composite fields over the app's defaults and checks the result", async () => {
    const app = await createApp();
    await appFetch(app, "/v1/recording-settings", put({ composite: { width: 320, height: 240 } }));
    const alice = await joined(app, "merge-room", "alice");
    // the canvas from the app, a watermark from the request: outside it, refused before any node is asked
    const mark = { kind: "text", text: "Parley", x: 400, y: 10, size: 12 };
    const start = await appFetch(app, "/v1/rooms/merge-room/recordings", post({ mode: "composite", composite: { watermarks: [mark] } }));
    expect(await refused(start)).toBe(
      "composite.watermarks.0: watermark 0 starts outside the 320x240 canvas (with the app's composite defaults applied)",
    );
    const tall = await appFetch(app, "/v1/rooms/merge-room/recordings", post({ mode: "composite", composite: { height: 1200 } }));
    expect(await refused(tall)).toBe("composite.width: canvas height 1200 is larger than 1080");
    const tracks = await appFetch(app, "/v1/rooms/merge-room/recordings", post({ mode: "tracks", composite: { width: 640 } }));
    expect(await refused(tracks)).toMatch(/composite options need mode "composite"/);
    await alice.client.ok("leave");
  });
});

describe("room options", () => {
  it("a room's autoRecord wins over the app's until it is left out again, and outlives an empty room", async () => {
    const app = await createApp();
    await appFetch(app, "/v1/recording-settings", put({ autoRecord: { mode: "tracks", segmentSeconds: 60 } }));
    const path = "/v1/rooms/opt-room/options";
    expect(await (await appFetch(app, path)).json()).toEqual({
      room: "opt-room",
      autoRecord: { mode: "tracks", segmentSeconds: 60 },
      autoRecordFrom: "app",
    });
    const own = { mode: "composite", composite: { width: 320, height: 240 } };
    expect(await (await appFetch(app, path, put({ autoRecord: own }))).json()).toEqual({
      room: "opt-room",
      autoRecord: own,
      autoRecordFrom: "room",
    });
    const m = await joined(app, "opt-room", "alice");
    await m.client.ok("leave");
    expect(await (await appFetch(app, path)).json()).toMatchObject({ autoRecord: own, autoRecordFrom: "room" });
    expect(await (await appFetch(app, path, put({ autoRecord: null }))).json()).toMatchObject({ autoRecord: null, autoRecordFrom: "room" });
    expect(await (await appFetch(app, path, put({}))).json()).toMatchObject({ autoRecord: { mode: "tracks" }, autoRecordFrom: "app" });
  });

  it("refuses bad options readably", async () => {
    const app = await createApp();
    const path = "/v1/rooms/opt-room/options";
    expect(await refused(await appFetch(app, path, put({ autoRecord: { mode: "mixed" } })))).toMatch(
      /^autoRecord\.mode: autoRecord mode must be "tracks" or "composite"/,
    );
    expect(await refused(await appFetch(app, path, put({ autoRecord: { mode: "composite", composite: { fps: 90 } } })))).toMatch(
      /^autoRecord\.composite\.fps/,
    );
    expect(await refused(await appFetch(app, path, put({ autorecord: null })))).toMatch(/autorecord/);
    expect(await refused(await appFetch(app, "/v1/rooms/not%20a%20room/options"))).toMatch(/room/);
  });
});
