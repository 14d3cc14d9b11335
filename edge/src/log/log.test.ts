import { mintToken, ParleyError } from "@parley/shared";
import { describe, expect, it } from "vitest";
import { CENSOR, createLogger, type LogEvent } from "./index.js";

function capture(): { lines: { level: string; line: Record<string, unknown> }[]; log: (entry: LogEvent) => void } {
  const lines: { level: string; line: Record<string, unknown> }[] = [];
  return { lines, log: createLogger((level, line) => lines.push({ level, line: JSON.parse(line) })) };
}

describe("the edge logger", () => {
  it("writes one JSON object per event, with the event's level and sentence", () => {
    const { lines, log } = capture();
    log({ event: "webhook.invalid_event", issue: "type: invalid" });
    log({ event: "outbox.flush_failed", error: new ParleyError("NODE_UNAVAILABLE", "D1 did not answer") });
    expect(lines).toEqual([
      {
        level: "error",
        line: { level: "error", event: "webhook.invalid_event", msg: "invalid webhook event dropped", issue: "type: invalid" },
      },
      {
        level: "warn",
        line: {
          level: "warn",
          event: "outbox.flush_failed",
          msg: "call record flush failed; retrying",
          error: { name: "ParleyError", message: "D1 did not answer", code: "NODE_UNAVAILABLE" },
        },
      },
    ]);
    // @ts-expect-error: an event that is not in LogEvent does not compile
    const unknown: LogEvent = { event: "made.up" };
    expect(unknown).toBeDefined();
  });

  it("keeps an error's cause chain, with a stack only for untyped errors", () => {
    const { lines, log } = capture();
    const cause = new TypeError("fetch failed");
    log({ event: "http.unhandled", path: "/v1/x", error: new ParleyError("NODE_UNAVAILABLE", "node did not answer", { cause }) });
    const error = lines[0]?.line.error as { code: string; cause: { name: string; message: string; stack?: string } };
    expect(error.code).toBe("NODE_UNAVAILABLE");
    expect(error.cause).toMatchObject({ name: "TypeError", message: "fetch failed" });
    expect(error.cause.stack).toContain("fetch failed");
  });

  it("never writes tokens, secrets, message text or URLs, whatever field or message carries them", async () => {
    const { lines, log } = capture();
    const appSecret = `as_${"x".repeat(40)}`;
    const jwt = await mintToken({ appKey: "ak_test", appSecret, room: "r", user: "u", ttlSeconds: 60 });
    log({
      event: "http.unhandled",
      path: "/v1/rooms/r/signal",
      error: {
        token: jwt,
        AppSecret: appSecret,
        nested: {
          secret_access_key: "s3-secret",
          resumeSecret: "resume-secret",
          text: "a private message",
          url: "https://hook.example/?k=1",
        },
        list: [{ fleetSecret: "fleet-secret" }],
        message: `refused ${jwt}, pushing to rtmp://live.example/app/stream-key with ${appSecret} and whsec_${"y".repeat(40)}`,
      },
    });
    const text = JSON.stringify(lines);
    for (const secret of [
      jwt,
      appSecret,
      "s3-secret",
      "resume-secret",
      "a private message",
      "hook.example",
      "fleet-secret",
      "stream-key",
      "whsec_",
    ])
      expect(text).not.toContain(secret);
    const error = lines[0]?.line.error as Record<string, unknown>;
    expect(error.token).toBe(CENSOR);
    expect(error.AppSecret).toBe(CENSOR);
    expect(error.nested).toEqual({ secret_access_key: CENSOR, resumeSecret: CENSOR, text: CENSOR, url: CENSOR });
    expect(error.message).toBe(`refused ${CENSOR}, pushing to ${CENSOR} with ${CENSOR} and ${CENSOR}`);
    expect(lines[0]?.line.path).toBe("/v1/rooms/r/signal");
  });
});
