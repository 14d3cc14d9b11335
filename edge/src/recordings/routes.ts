import { RecordingSearch, RoomName, StartRoomRecordingRequest, zodToParleyError } from "@parley/shared";
import { Hono } from "hono";
import { z } from "zod";
import { unwrap } from "../http/rpc-result.js";
import { readJson, readParam } from "../http/validate.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { roomStub } from "../rooms/room-do.js";
import { downloadLinks } from "./download-links.js";
import { RecordingStore } from "./recording-store.js";

/** Link lifetime in seconds: 1 minute to 24 hours. */
const ExpiresParam = z.coerce.number().int().min(60).max(86_400);
const RecordingIdParam = z.string().regex(/^rec_[A-Za-z0-9]{8,32}$/, "recording ids look like rec_ followed by letters and digits");

/** `POST /v1/rooms/:room/recordings`: start recording a live room. */
export const roomRecordingRoutes = new Hono<AppAuthEnv>().use(appAuth).post("/:room/recordings", async (c) => {
  const room = readParam(c.req.param("room"), RoomName, "room");
  const body = await readJson(c, StartRoomRecordingRequest);
  const status = unwrap(await roomStub(c.env, c.get("app").appKey, room).startRecording(body));
  return c.json({ id: status.recordingId, status: status.state === "stopping" ? "recording" : status.state }, 201);
});

/** `/v1/recordings`: list, detail, stop. */
export const recordingRoutes = new Hono<AppAuthEnv>()
  .use(appAuth)
  .get("/", async (c) => {
    const parsed = RecordingSearch.safeParse(c.req.query());
    if (!parsed.success) throw zodToParleyError(parsed.error);
    return c.json(await new RecordingStore(c.env.DB).search(c.get("app").appKey, parsed.data));
  })
  .get("/:id", async (c) => {
    const {
      node: _node,
      storedFiles: _files,
      ...info
    } = await new RecordingStore(c.env.DB).get(c.get("app").appKey, readParam(c.req.param("id"), RecordingIdParam, "id"));
    return c.json(info);
  })
  .get("/:id/url", async (c) => {
    const appKey = c.get("app").appKey;
    const recording = await new RecordingStore(c.env.DB).get(appKey, readParam(c.req.param("id"), RecordingIdParam, "id"));
    const expires = readParam(c.req.query("expires") ?? "3600", ExpiresParam, "expires");
    return c.json({ id: recording.id, ...(await downloadLinks(c.env, recording, appKey, expires)) });
  })
  .post("/:id/stop", async (c) => {
    const appKey = c.get("app").appKey;
    const recording = await new RecordingStore(c.env.DB).get(appKey, readParam(c.req.param("id"), RecordingIdParam, "id"));
    const status = unwrap(await roomStub(c.env, appKey, recording.room).stopRecording(recording.id));
    return c.json({ id: status.recordingId, status: status.state === "stopping" ? "recording" : status.state });
  });
