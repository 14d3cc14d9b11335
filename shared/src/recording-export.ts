/**
 * Recording exports (issue 4): post-processing of a finished per-track recording on the node that
 * recorded it. An export is stored like a recording whose id is `exportId` (mode "export"): its own
 * files, spool, upload queue and storage, `recording.*` events and `getRecording` status.
 *
 * - `mixed-audio`: every member's audio mixed into one file (`wav` = PCM s16le 48 kHz, `aac` = AAC-LC
 *   in .m4a), each track placed at its start time on the recording's timeline.
 * - `member-audio`: the same for one member (`member` required).
 * - `quality-split`: one 8 kHz mono G.711 file per member (`pcma` = A-law, `pcmu` = µ-law) in a WAV
 *   container (self-describing: codec, rate and channels in the header, plays anywhere).
 *
 * A node that no longer holds the source in memory (it restarted, or the room moved to another node)
 * reads the recording's manifest from `source.storage` instead.
 */
import * as z from "zod";
import { MemberTag } from "./control.js";
import { RecordingId, RecordingStatus, StorageConfig } from "./recording.js";

export const EXPORT_KINDS = ["mixed-audio", "member-audio", "quality-split"] as const;
export const EXPORT_FORMATS = ["wav", "aac", "pcma", "pcmu"] as const;
/** Which formats each kind accepts. */
export const EXPORT_KIND_FORMATS = {
  "mixed-audio": ["wav", "aac"],
  "member-audio": ["wav", "aac"],
  "quality-split": ["pcma", "pcmu"],
} as const satisfies Record<(typeof EXPORT_KINDS)[number], readonly (typeof EXPORT_FORMATS)[number][]>;

/** Which format goes with which kind, and `member` only (and always) for member-audio. */
export function checkExportCombination(
  r: { kind: (typeof EXPORT_KINDS)[number]; format: string; member?: string },
  ctx: z.RefinementCtx,
): void {
  const allowed: readonly string[] = EXPORT_KIND_FORMATS[r.kind];
  if (!allowed.includes(r.format))
    ctx.addIssue({ code: "custom", path: ["format"], message: `format ${r.format} is not for ${r.kind}; use ${allowed.join(" or ")}` });
  if (r.kind === "member-audio" && r.member === undefined)
    ctx.addIssue({ code: "custom", path: ["member"], message: "member-audio needs member" });
  if (r.kind !== "member-audio" && r.member !== undefined) {
    ctx.addIssue({ code: "custom", path: ["member"], message: `member is only for member-audio, not ${r.kind}` });
  }
}

/** `POST /rooms/:room/recordings/:id/exports`: `:id` is the finished per-track recording to export. */
export const ExportRequest = z
  .object({
    /** Chosen by the edge (a retried request is idempotent); same rules as recording ids. */
    exportId: RecordingId,
    kind: z.enum(EXPORT_KINDS),
    /** member-audio only: the member whose audio to export. */
    member: MemberTag.optional(),
    format: z.enum(EXPORT_FORMATS),
    /** Where the export goes; the source recording's storage when omitted. */
    storage: StorageConfig.optional(),
    /**
     * Where the source recording is stored (the node's own storage when omitted): a node that no
     * longer holds it in memory reads its manifest (recording-manifest.ts) from there.
     */
    source: z.object({ storage: StorageConfig }).strict().optional(),
  })
  .strict()
  .superRefine(checkExportCombination);
export type ExportRequest = z.input<typeof ExportRequest>;

/** Served and signed like RECORDING_ROUTES; answers the export's status (state "recording" while it is made). */
export const EXPORT_ROUTES = {
  exportRecording: { method: "POST", path: "/rooms/:room/recordings/:id/exports", request: ExportRequest, response: RecordingStatus },
} as const;
export type ExportRouteName = keyof typeof EXPORT_ROUTES;

/** `POST /v1/recordings/:id/exports` (public API): the export is a new recording of mode "export". */
export const ExportRoomRecordingRequest = z
  .object({ kind: z.enum(EXPORT_KINDS), member: MemberTag.optional(), format: z.enum(EXPORT_FORMATS) })
  .strict()
  .superRefine(checkExportCombination);
export type ExportRoomRecordingRequest = z.infer<typeof ExportRoomRecordingRequest>;
