/**
 * Signalling protocol (docs/protocol.md): JSON frames over one WebSocket.
 * Requests `{id, type, ...}` → responses `{id, ok: true, ...}` | `{id, ok: false, error}`;
 * server events `{type, ...}` carry no id.
 */
import * as z from "zod";
import { ClientInfo, QualityRequest } from "./calls.js";
import { type ErrorBody, type ErrorCode, ParleyError } from "./errors.js";
import { MemberId, RequestId } from "./ids.js";
import { LIMITS, utf8Bytes } from "./limits.js";
import { MEDIA_REQUESTS, type MediaEvent, type MediaResults, type TrackInfo } from "./media.js";
import { type PublicRecordingStatus, RecordingStartSignal, RecordingStopSignal } from "./room-recording.js";

export type JsonValue = z.infer<ReturnType<typeof z.json>>;
export type JsonObject = Record<string, JsonValue>;

/** Attach a Parley code to a zod issue so the parser can report it instead of INVALID_REQUEST. */
const withCode = (code: ErrorCode, message: string) => ({ message, params: { parleyCode: code } });

export const Metadata = z
  .record(z.string(), z.unknown())
  .refine(
    (m) => utf8Bytes(JSON.stringify(m)) <= LIMITS.metadataBytes,
    withCode("METADATA_TOO_LARGE", `metadata is larger than ${LIMITS.metadataBytes} bytes of JSON`),
  );
export type Metadata = z.infer<typeof Metadata>;

const Name = z.string().min(1).max(LIMITS.nameChars, `name is longer than ${LIMITS.nameChars} characters`);

const MessageText = z
  .string()
  .min(1, "text is empty")
  .refine(
    (t) => utf8Bytes(t) <= LIMITS.messageTextBytes,
    withCode("MESSAGE_TOO_LARGE", `text is longer than ${LIMITS.messageTextBytes} bytes of UTF-8`),
  );

export const JoinRequest = z
  .object({ id: RequestId, type: z.literal("join"), name: Name.optional(), metadata: Metadata.optional(), client: ClientInfo.optional() })
  .strict();
export const ResumeRequest = z
  .object({ id: RequestId, type: z.literal("resume"), member: MemberId, secret: z.string().min(16).max(128) })
  .strict();
export const LeaveRequest = z.object({ id: RequestId, type: z.literal("leave") }).strict();
export const MessageRequest = z.object({ id: RequestId, type: z.literal("message"), text: MessageText, to: MemberId.optional() }).strict();
export const UpdateRequest = z
  .object({ id: RequestId, type: z.literal("update"), name: Name.optional(), metadata: Metadata.optional() })
  .strict();
export const KickRequest = z
  .object({ id: RequestId, type: z.literal("kick"), member: MemberId, reason: z.string().max(256).optional() })
  .strict();
export const PingRequest = z.object({ id: RequestId, type: z.literal("ping") }).strict();

export const SignalRequest = z.discriminatedUnion("type", [
  JoinRequest,
  ResumeRequest,
  LeaveRequest,
  MessageRequest,
  UpdateRequest,
  KickRequest,
  PingRequest,
  QualityRequest,
  RecordingStartSignal,
  RecordingStopSignal,
  ...MEDIA_REQUESTS,
]);
export type SignalRequest = z.infer<typeof SignalRequest>;
export type SignalRequestType = SignalRequest["type"];
export const SIGNAL_REQUEST_TYPES = SignalRequest.options.map((o) => o.shape.type.value);

export const MemberInfo = z.object({
  id: MemberId,
  user: z.string(),
  name: z.string().optional(),
  metadata: z.record(z.string(), z.json()).optional(),
  joinedAt: z.number().int(),
});
export type MemberInfo = z.infer<typeof MemberInfo>;

export const LEAVE_REASONS = ["left", "timeout", "kicked", "closed"] as const;
export type LeaveReason = (typeof LEAVE_REASONS)[number];

/** Server → client events. */
export type SignalEvent =
  | { type: "member.joined"; member: MemberInfo }
  | { type: "member.left"; member: string; reason: LeaveReason }
  | { type: "member.updated"; member: MemberInfo }
  | { type: "message"; from: string; text: string; private: boolean }
  | { type: "kicked"; by: string; reason?: string }
  | { type: "room.closed"; reason: string }
  | { type: "notification"; data: JsonObject }
  | { type: "recording.state"; recordingId: string; status: PublicRecordingStatus }
  | MediaEvent;
export type SignalEventType = SignalEvent["type"];

/** Response payloads by request type (what follows `{id, ok: true}`). */
export interface SignalResults extends MediaResults {
  join: { member: MemberInfo; resume: string; members: MemberInfo[]; tracks: TrackInfo[] };
  resume: { member: MemberInfo; members: MemberInfo[]; tracks: TrackInfo[] };
  leave: Record<string, never>;
  message: { delivered: number };
  update: { member: MemberInfo };
  kick: Record<string, never>;
  ping: { now: number };
  quality: { stored: boolean };
  "recording.start": { recordingId: string };
  "recording.stop": Record<string, never>;
}

export type SignalOk<T extends SignalRequestType = SignalRequestType> = { id: RequestId; ok: true } & SignalResults[T];
export type SignalFail = { id: RequestId | null; ok: false; error: ErrorBody };
export type SignalResponse = SignalOk | SignalFail;

/** Anything the server sends. */
export type ServerFrame = SignalResponse | SignalEvent;

export type ParsedFrame = { ok: true; request: SignalRequest } | { ok: false; id: RequestId | null; error: ParleyError };

/**
 * Parses one inbound frame. Never throws: every failure becomes a typed error,
 * carrying the request id when one could be read so the client can match it.
 */
export function parseSignalFrame(raw: string | ArrayBuffer): ParsedFrame {
  if (typeof raw !== "string") {
    return { ok: false, id: null, error: new ParleyError("MALFORMED_FRAME", "frames are JSON text; binary frames are not accepted") };
  }
  if (raw.length > LIMITS.frameBytes || utf8Bytes(raw) > LIMITS.frameBytes) {
    return { ok: false, id: null, error: new ParleyError("FRAME_TOO_LARGE", `frames are at most ${LIMITS.frameBytes} bytes`) };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, id: null, error: new ParleyError("MALFORMED_FRAME", "frame is not valid JSON") };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, id: null, error: new ParleyError("MALFORMED_FRAME", "frame must be a JSON object {id, type, ...}") };
  }
  const record = value as Record<string, unknown>;
  const idResult = RequestId.safeParse(record.id);
  const id = idResult.success ? idResult.data : null;
  if (!idResult.success) {
    return {
      ok: false,
      id: null,
      error: new ParleyError("MALFORMED_FRAME", "frame needs an id: a string of 1-64 characters or a whole number"),
    };
  }
  if (typeof record.type !== "string" || !(SIGNAL_REQUEST_TYPES as string[]).includes(record.type)) {
    return {
      ok: false,
      id,
      error: new ParleyError("UNKNOWN_TYPE", `unknown request type; expected one of ${SIGNAL_REQUEST_TYPES.join(", ")}`),
    };
  }
  const parsed = SignalRequest.safeParse(value);
  if (parsed.success) return { ok: true, request: parsed.data };
  return { ok: false, id, error: zodToParleyError(parsed.error) };
}

/** The first issue decides the code: a size limit's own code, or INVALID_REQUEST naming the field. */
export function zodToParleyError(error: z.ZodError): ParleyError {
  const issue = error.issues[0];
  if (!issue) return new ParleyError("INVALID_REQUEST", "invalid request");
  const code = (issue as { params?: { parleyCode?: ErrorCode } }).params?.parleyCode;
  const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
  return new ParleyError(code ?? "INVALID_REQUEST", `${where}${issue.message}`);
}
