/**
 * What each control route does, by name: one handler per entry of NODE_ROUTES (shared), typed by
 * that route's request schema, so a route the table gains without a handler does not compile. The
 * body a handler gets has been verified (signed for this node, this room and this exact body) and
 * validated with the route's schema by the control app (control-app.ts).
 */
import type { NODE_ROUTES, NodeRouteName } from "@parley/shared";
import type { z } from "zod";
import type { MediaNode } from "../media-node.js";
import type { RecordingManager } from "../recording/recording-manager.js";
import type { RtmpPushes } from "../rtmp/rtmp-pushes.js";

type RequestOf<N extends NodeRouteName> = (typeof NODE_ROUTES)[N]["request"];
/** The validated body of route `N`: its schema's output, or nothing for routes that take no body. */
export type BodyOf<N extends NodeRouteName> = RequestOf<N> extends z.ZodType ? z.output<RequestOf<N>> : undefined;

/** One verified call: the room and `:id` from the path, and the validated body. */
export interface ControlCall<N extends NodeRouteName> {
  room: string;
  id: string;
  body: BodyOf<N>;
}

/** What the control API acts on. */
export interface ControlTargets {
  node: MediaNode;
  recordings: RecordingManager;
  rtmp: RtmpPushes;
}

type Handler<N extends NodeRouteName> = (targets: ControlTargets, call: ControlCall<N>) => Promise<unknown> | unknown;

const OK = { ok: true } as const;
/** Runs an action that answers nothing and answers `{ok: true}` once it is done. */
async function done(action: Promise<void> | void): Promise<typeof OK> {
  await action;
  return OK;
}

export const CONTROL_HANDLERS: { [N in NodeRouteName]: Handler<N> } = {
  getOrCreateRouter: async ({ node }, { room }) => (await node.getOrCreateRoom(room)).routerInfo(),
  roomSummary: ({ node }, { room }) => node.getRoom(room).summary(),
  closeRoom: ({ node }, { room }) => done(node.closeRoom(room)),
  createTransport: ({ node }, { room, body }) => node.getRoom(room).createTransport(body),
  connectTransport: ({ node }, { room, id, body }) => done(node.getRoom(room).connectTransport(id, body)),
  restartIce: ({ node }, { room, id }) => node.getRoom(room).restartIce(id),
  closeTransport: ({ node }, { room, id }) => done(node.getRoom(room).closeTransport(id)),
  produce: ({ node }, { room, id, body }) => node.getRoom(room).produce(id, body),
  consume: ({ node }, { room, id, body }) => node.getRoom(room).consume(id, body),
  pauseProducer: ({ node }, { room, id }) => done(node.getRoom(room).setProducerPaused(id, true)),
  resumeProducer: ({ node }, { room, id }) => done(node.getRoom(room).setProducerPaused(id, false)),
  closeProducer: ({ node }, { room, id }) => done(node.getRoom(room).closeProducer(id)),
  pauseConsumer: ({ node }, { room, id }) => done(node.getRoom(room).setConsumerPaused(id, true)),
  resumeConsumer: ({ node }, { room, id }) => done(node.getRoom(room).setConsumerPaused(id, false)),
  setPreferredLayers: ({ node }, { room, id, body }) => done(node.getRoom(room).setPreferredLayers(id, body)),
  closeConsumer: ({ node }, { room, id }) => done(node.getRoom(room).closeConsumer(id)),
  startRecording: ({ recordings }, { room, body }) => recordings.start(room, body),
  stopRecording: ({ recordings }, { room, id }) => recordings.stop(room, id),
  getRecording: ({ recordings }, { room, id }) => recordings.get(room, id),
  takeSnapshot: ({ recordings }, { room, body }) => recordings.snapshot(room, body),
  exportRecording: ({ recordings }, { room, id, body }) => recordings.exportRecording(room, id, body),
  startRtmp: ({ rtmp }, { room, body }) => rtmp.start(room, body),
  stopRtmp: ({ rtmp }, { room, id }) => rtmp.stop(room, id),
  getRtmp: ({ rtmp }, { room, id }) => rtmp.get(room, id),
};
