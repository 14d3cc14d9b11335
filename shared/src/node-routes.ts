/**
 * Every route a media node's control API serves, in one table: the media routes (control.ts) and
 * the recording, snapshot, export and RTMP routes. All are signed the same way (control-tokens.ts);
 * the node serves exactly this table, and the edge calls through it.
 */
import { CONTROL_ROUTES } from "./control.js";
import { RECORDING_ROUTES, SNAPSHOT_ROUTES } from "./recording.js";
import { EXPORT_ROUTES } from "./recording-export.js";
import { RTMP_ROUTES } from "./recording-rtmp.js";

export const NODE_ROUTES = { ...CONTROL_ROUTES, ...RECORDING_ROUTES, ...SNAPSHOT_ROUTES, ...EXPORT_ROUTES, ...RTMP_ROUTES } as const;
export type NodeRouteName = keyof typeof NODE_ROUTES;
