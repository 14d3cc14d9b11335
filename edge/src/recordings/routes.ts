import { createRoute, z } from "@hono/zod-openapi";
import {
  compositeTargets,
  ExportRoomRecordingRequest,
  publicStatus,
  RecordingDownloadLinksSchema,
  RecordingInfoSchema,
  RecordingPageSchema,
  RecordingSearch,
  RecordingStatusResponseSchema,
  RoomName,
  StartRoomRecordingRequest,
  TakeRoomSnapshotRequest,
} from "@parley/shared";
import { unwrap } from "../http/rpc-result.js";
import { type AppAuthEnv, appAuth } from "../middleware/app-auth/index.js";
import { AUTH_ERRORS, documentedRoutes, errors, json, jsonBody, SECURITY, withJsonBody } from "../openapi/route.js";
import { checkTenantTargets } from "../outbound/tenant-targets.js";
import { roomStub } from "../rooms/room-do.js";
import { downloadLinks } from "./download-links.js";
import { RecordingStore } from "./recording-store.js";

const RecordingIdParam = z.string().regex(/^rec_[A-Za-z0-9]{8,32}$/, "recording ids look like rec_ followed by letters and digits");
const IdParams = z.object({ id: RecordingIdParam });
const common = { tags: ["recordings"], security: SECURITY.app };
const unknownRecording = errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "RECORDING_NOT_FOUND");

/** `POST /v1/rooms/:room/recordings`: start recording a live room. */
export const roomRecordingRoutes = documentedRoutes<AppAuthEnv>();
roomRecordingRoutes.use(appAuth);
roomRecordingRoutes.openapi(
  withJsonBody(
    roomRecordingRoutes,
    createRoute({
      ...common,
      method: "post",
      path: "/{room}/recordings",
      summary: "Start recording a live room",
      description: "Every member gets a recording event: people must know they are recorded.",
      request: { params: z.object({ room: RoomName }), body: jsonBody(StartRoomRecordingRequest) },
      responses: {
        201: json(RecordingStatusResponseSchema, "the recording's id and status"),
        ...errors(
          ...AUTH_ERRORS.app,
          "INVALID_REQUEST",
          "PAYLOAD_TOO_LARGE",
          "NOT_FOUND",
          "RECORDING_EXISTS",
          "TARGET_NOT_ALLOWED",
          "NODE_UNAVAILABLE",
          "RECORDER_UNAVAILABLE",
          "STORAGE_UNAVAILABLE",
        ),
      },
    }),
  ),
  async (c) => {
    checkTenantTargets(c.env, compositeTargets(c.req.valid("json").composite, "composite"));
    const status = unwrap(await roomStub(c.env, c.get("app").appKey, c.req.valid("param").room).startRecording(c.req.valid("json")));
    return c.json({ id: status.recordingId, status: publicStatus(status.state) }, 201);
  },
);

roomRecordingRoutes.openapi(
  withJsonBody(
    roomRecordingRoutes,
    createRoute({
      ...common,
      method: "post",
      path: "/{room}/snapshots",
      summary: "Take a snapshot of a member's camera",
      description:
        "A JPEG of the member's current video, stored and indexed like a recording (mode `snapshot`): read it with GET /v1/recordings/{id} and /url once available.",
      request: { params: z.object({ room: RoomName }), body: jsonBody(TakeRoomSnapshotRequest) },
      responses: {
        201: json(RecordingStatusResponseSchema, "the snapshot's id and status"),
        ...errors(
          ...AUTH_ERRORS.app,
          "INVALID_REQUEST",
          "PAYLOAD_TOO_LARGE",
          "MEMBER_NOT_FOUND",
          "PRODUCER_NOT_FOUND",
          "NODE_UNAVAILABLE",
          "SNAPSHOT_FAILED",
        ),
      },
    }),
  ),
  async (c) => {
    const stub = roomStub(c.env, c.get("app").appKey, c.req.valid("param").room);
    const status = unwrap(await stub.takeSnapshot(c.req.valid("json").member));
    return c.json({ id: status.recordingId, status: publicStatus(status.state) }, 201);
  },
);

/** `/v1/recordings`: list, detail, download links, stop. */
export const recordingRoutes = documentedRoutes<AppAuthEnv>();
recordingRoutes.use(appAuth);

recordingRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/",
    summary: "Search recordings",
    description: "Newest first. `from`/`to` are ISO-8601 or unix ms on the recording's start.",
    request: { query: RecordingSearch },
    responses: { 200: json(RecordingPageSchema, "one page of recordings"), ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST") },
  }),
  async (c) => c.json(await new RecordingStore(c.env.DB).search(c.get("app").appKey, c.req.valid("query")), 200),
);

recordingRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/{id}",
    summary: "Read a recording and its files",
    request: { params: IdParams },
    responses: { 200: json(RecordingInfoSchema, "the recording"), ...unknownRecording },
  }),
  async (c) => c.json(await new RecordingStore(c.env.DB).info(c.get("app").appKey, c.req.valid("param").id), 200),
);

recordingRoutes.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/{id}/url",
    summary: "Time-limited download links to every uploaded file",
    description: "Whoever holds a link can download the file until it expires; links are never logged.",
    request: {
      params: IdParams,
      query: z.object({
        expires: z.coerce.number().int().min(60).max(86_400).default(3600).meta({ description: "link lifetime in seconds (60 to 86400)" }),
      }),
    },
    responses: {
      200: json(RecordingDownloadLinksSchema, "one link per uploaded file"),
      ...errors(
        ...AUTH_ERRORS.app,
        "INVALID_REQUEST",
        "RECORDING_NOT_FOUND",
        "RECORDING_FILE_NOT_FOUND",
        "NODE_UNAVAILABLE",
        "STORAGE_UNAVAILABLE",
      ),
    },
  }),
  async (c) => {
    const appKey = c.get("app").appKey;
    const recording = await new RecordingStore(c.env.DB).get(appKey, c.req.valid("param").id);
    return c.json({ id: recording.id, ...(await downloadLinks(c.env, recording, appKey, c.req.valid("query").expires)) }, 200);
  },
);

recordingRoutes.openapi(
  withJsonBody(
    recordingRoutes,
    createRoute({
      ...common,
      method: "post",
      path: "/{id}/exports",
      summary: "Export audio from a finished per-track recording",
      description:
        "mixed-audio (wav or aac): everyone's audio mixed on the recording's timeline; member-audio: one member's; quality-split (pcma or pcmu): one 8 kHz mono G.711 file per member. The export is a new recording (mode `export`): poll it with GET /v1/recordings/{id} and download it with /url. Any available recording can be exported: when the node that recorded it is gone, another node of the region reads the recording's manifest from its storage.",
      request: { params: IdParams, body: jsonBody(ExportRoomRecordingRequest) },
      responses: {
        201: json(RecordingStatusResponseSchema, "the export's id and status"),
        ...errors(
          ...AUTH_ERRORS.app,
          "INVALID_REQUEST",
          "PAYLOAD_TOO_LARGE",
          "RECORDING_NOT_FOUND",
          "MEMBER_NOT_FOUND",
          "RECORDING_FILE_NOT_FOUND",
          "RECORDING_MANIFEST_NOT_FOUND",
          "RECORDING_MANIFEST_INVALID",
          "STORAGE_UNAVAILABLE",
          "NODE_UNAVAILABLE",
        ),
      },
    }),
  ),
  async (c) => {
    const appKey = c.get("app").appKey;
    const source = await new RecordingStore(c.env.DB).get(appKey, c.req.valid("param").id);
    const { id, node, settingsVersion } = source;
    const status = unwrap(await roomStub(c.env, appKey, source.room).exportRecording({ id, node, settingsVersion }, c.req.valid("json")));
    return c.json({ id: status.recordingId, status: publicStatus(status.state) }, 201);
  },
);

recordingRoutes.openapi(
  createRoute({
    ...common,
    method: "post",
    path: "/{id}/stop",
    summary: "Stop a recording",
    description: "Files are then uploaded; `recording.available` (webhook) says when they are all there.",
    request: { params: IdParams },
    responses: {
      200: json(RecordingStatusResponseSchema, "the recording's status"),
      ...errors(...AUTH_ERRORS.app, "INVALID_REQUEST", "RECORDING_NOT_FOUND", "RECORDING_STOPPED"),
    },
  }),
  async (c) => {
    const appKey = c.get("app").appKey;
    const recording = await new RecordingStore(c.env.DB).get(appKey, c.req.valid("param").id);
    const status = unwrap(await roomStub(c.env, appKey, recording.room).stopRecording(recording.id));
    return c.json({ id: status.recordingId, status: publicStatus(status.state) }, 200);
  },
);
