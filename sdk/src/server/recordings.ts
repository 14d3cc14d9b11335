import {
  type RecordingDownloadLinks,
  type RecordingInfo,
  type RecordingPage,
  RecordingSettingsRequest,
  type RecordingSettingsView,
  type RecordingStatusResponse,
  RoomName,
  StartRoomRecordingRequest,
  TakeRoomSnapshotRequest,
} from "@parley/shared";
import type { AppCredentials } from "./credentials.js";
import {
  RecordingDownloadLinksSchema,
  RecordingInfoSchema,
  RecordingPageSchema,
  RecordingSettingsSchema,
  RecordingStatusResponseSchema,
} from "./responses.js";
import { appRpc, type ClientOptions, type QueryValue, queryString, type RpcClient, segment } from "./rpc.js";
import { checked } from "./validate.js";

export interface RecordingQuery {
  room?: string;
  from?: QueryValue;
  to?: QueryValue;
  limit?: number;
  cursor?: string;
}

/** Server-side recordings of rooms (tracks or composite) and snapshots. */
export class RecordingsClient {
  readonly #rpc: RpcClient;

  constructor(url: string, credentials: AppCredentials, options?: ClientOptions) {
    this.#rpc = appRpc(url, credentials, options);
  }

  /** Starts recording a live room: `{mode: "composite", composite: {layout, …}}` for one mixed file. */
  async start(room: string, options: StartRoomRecordingRequest = {}): Promise<RecordingStatusResponse> {
    const body = checked(StartRoomRecordingRequest, options);
    return this.#rpc.call("POST", `${roomPath(room)}/recordings`, RecordingStatusResponseSchema, body);
  }

  async stop(id: string): Promise<RecordingStatusResponse> {
    return this.#rpc.call("POST", `${recordingPath(id)}/stop`, RecordingStatusResponseSchema);
  }

  /** One page of recordings, newest first. */
  async list(query: RecordingQuery = {}): Promise<RecordingPage> {
    return this.#rpc.call("GET", `/v1/recordings${queryString({ ...query })}`, RecordingPageSchema);
  }

  async get(id: string): Promise<RecordingInfo> {
    return this.#rpc.call("GET", recordingPath(id), RecordingInfoSchema);
  }

  /** Time-limited links to every uploaded file; `expiresSeconds` 60 to 86400 (default 3600). */
  async downloadLinks(id: string, expiresSeconds?: number): Promise<RecordingDownloadLinks> {
    return this.#rpc.call("GET", `${recordingPath(id)}/url${queryString({ expires: expiresSeconds })}`, RecordingDownloadLinksSchema);
  }

  /** The app's recording settings (version 0: none stored); the S3 secret is never returned. */
  async settings(): Promise<RecordingSettingsView> {
    return this.#rpc.call("GET", "/v1/recording-settings", RecordingSettingsSchema);
  }

  /**
   * Replaces the app's recording settings (a new version; older recordings keep their storage).
   * Leave out an S3 `secretAccessKey` to keep the stored one for the same access key id.
   */
  async updateSettings(settings: RecordingSettingsRequest): Promise<RecordingSettingsView> {
    return this.#rpc.call("PUT", "/v1/recording-settings", RecordingSettingsSchema, checked(RecordingSettingsRequest, settings));
  }

  /** A JPEG of a member's current camera, stored and listed like a recording (mode `snapshot`). */
  async snapshot(room: string, member: string): Promise<RecordingStatusResponse> {
    const body = checked(TakeRoomSnapshotRequest, { member });
    return this.#rpc.call("POST", `${roomPath(room)}/snapshots`, RecordingStatusResponseSchema, body);
  }
}

function roomPath(room: string): string {
  return `/v1/rooms/${segment(checked(RoomName, room))}`;
}

function recordingPath(id: string): string {
  return `/v1/recordings/${segment(id)}`;
}
