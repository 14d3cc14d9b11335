/**
 * Tenants' URLs to internal addresses are refused when they are given, with TARGET_NOT_ALLOWED,
 * on the real Worker: webhooks, S3 endpoints and watermarks in recording settings and room options,
 * RTMP push URLs, watermarks in a recording start. The one private target the test stack allows
 * (its webhook receiver, OUTBOUND_ALLOW in edge/vitest.config.ts) still works.
 */
import { describe, expect, inject, it } from "vitest";
import { appFetch, createApp } from "../../test/helpers.js";

const RECEIVER = inject("webhookReceiverUrl");
const send = (method: string, body: unknown) => ({ method, body: JSON.stringify(body) });

async function refusedTarget(res: Response): Promise<string> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(res.status, JSON.stringify(body)).toBe(422);
  expect(body.error.code).toBe("TARGET_NOT_ALLOWED");
  expect(body.error.message).toMatch(/^target not allowed: /);
  return body.error.message;
}

const INTERNAL_WEBHOOKS = [
  "http://127.0.0.1:6379/",
  "https://127.0.0.1/hook",
  "https://10.1.2.3/hook",
  "https://172.16.0.9/hook",
  "https://169.254.169.254/latest/meta-data/",
  "http://[::1]:8787/hook",
  "https://[::ffff:127.0.0.1]/hook",
  "https://[::ffff:a9fe:a9fe]/hook",
  "https://2130706433/hook",
  "https://0x7f.1/hook",
  "https://0177.0.0.1/hook",
  "http://localhost:8787/hook",
  "https://svc.localhost/hook",
  "https://redis/hook",
  "https://db.internal/hook",
  "https://metadata.google.internal/computeMetadata/v1/",
];

describe("outbound targets at the edge", () => {
  it("refuses webhooks to loopback, private, link-local and metadata targets in every spelling, and keeps the allowed receiver", async () => {
    const app = await createApp();
    for (const url of INTERNAL_WEBHOOKS) await refusedTarget(await appFetch(app, "/v1/webhooks", send("POST", { url })));
    expect(await refusedTarget(await appFetch(app, "/v1/webhooks", send("POST", { url: "https://169.254.169.254/" })))).toBe(
      "target not allowed: url names 169.254.169.254, a cloud metadata address (refused on every deployment)",
    );
    const allowed = await appFetch(app, "/v1/webhooks", send("POST", { url: `${RECEIVER}/hooks/outbound` }));
    expect(allowed.status).toBe(201);
    const { id } = (await allowed.json()) as { id: string };
    // another port of the same host is not what the operator allowed
    const port = Number(new URL(RECEIVER).port);
    await refusedTarget(await appFetch(app, `/v1/webhooks/${id}`, send("PATCH", { url: `http://127.0.0.1:${port + 1}/hooks/outbound` })));
    await refusedTarget(await appFetch(app, `/v1/webhooks/${id}`, send("PATCH", { url: `http://localhost:${port}/hooks/outbound` })));
    expect((await appFetch(app, "/v1/webhooks")).status).toBe(200);
    const listed = (await (await appFetch(app, "/v1/webhooks")).json()) as { webhooks: { url: string }[] };
    expect(listed.webhooks.map((w) => w.url)).toEqual([`${RECEIVER}/hooks/outbound`]);
  });

  it("refuses internal S3 endpoints and watermark images in recording settings and room options", async () => {
    const app = await createApp();
    const s3 = { kind: "s3", bucket: "b-app", accessKeyId: "AK1", secretAccessKey: "secret-0123456789" };
    for (const endpoint of ["http://127.0.0.1:6379", "http://[::ffff:169.254.169.254]", "http://10.0.0.2:7480", "http://minio.local:9000"])
      await refusedTarget(await appFetch(app, "/v1/recording-settings", send("PUT", { storage: { ...s3, endpoint } })));
    const mark = (url: string) => ({ watermarks: [{ kind: "image", url, x: 0, y: 0, width: 10, height: 10 }] });
    expect(
      await refusedTarget(await appFetch(app, "/v1/recording-settings", send("PUT", { composite: mark("http://192.168.1.1/logo.png") }))),
    ).toMatch(/^target not allowed: composite\.watermarks\.0\.url names 192\.168\.1\.1, a private address/);
    const auto = { autoRecord: { mode: "composite", composite: mark("http://[fd00:ec2::254]/logo.png") } };
    await refusedTarget(await appFetch(app, "/v1/recording-settings", send("PUT", auto)));
    await refusedTarget(await appFetch(app, "/v1/rooms/outbound-room/options", send("PUT", auto)));
    // nothing was stored
    expect(((await (await appFetch(app, "/v1/recording-settings")).json()) as { version: number }).version).toBe(0);
    const publicOk = await appFetch(
      app,
      "/v1/recording-settings",
      send("PUT", { storage: { ...s3, endpoint: "https://s3.eu-west-1.amazonaws.com" } }),
    );
    expect(publicOk.status).toBe(200);
  });

  it("refuses RTMP pushes and composite watermarks to internal targets before any room or node is asked", async () => {
    const app = await createApp();
    for (const url of [
      "rtmp://127.0.0.1:1935/live/key",
      "rtmp://2130706433/live/key",
      "rtmp://0x7f.0.0.1:6379/live/key",
      "rtmps://[::1]/live/key",
      "rtmp://10.0.0.1/live/key",
    ])
      await refusedTarget(await appFetch(app, "/v1/rooms/outbound-room/rtmp", send("POST", { url, source: { kind: "composite" } })));
    const source = {
      kind: "composite",
      composite: { watermarks: [{ kind: "image", url: "http://169.254.169.254/x.png", x: 0, y: 0, width: 8, height: 8 }] },
    };
    expect(
      await refusedTarget(
        await appFetch(app, "/v1/rooms/outbound-room/rtmp", send("POST", { url: "rtmp://live.example.com/live/k", source })),
      ),
    ).toMatch(/^target not allowed: source\.composite\.watermarks\.0\.url names 169\.254\.169\.254/);
    const start = { mode: "composite", composite: source.composite };
    await refusedTarget(await appFetch(app, "/v1/rooms/outbound-room/recordings", send("POST", start)));
    // a public target gets as far as the room, which has nobody in it
    const empty = await appFetch(
      app,
      "/v1/rooms/outbound-room/rtmp",
      send("POST", { url: "rtmp://live.example.com/live/k", source: { kind: "composite" } }),
    );
    expect(((await empty.json()) as { error: { code: string } }).error.code).toBe("NOT_IN_ROOM");
  });
});
