// A TypeScript app type-checked against the installed packages' .d.ts files (tsc --noEmit).
import { type QualityReport, Room } from "@parley/sdk/client";
import { syntheticVideo, useNodeWebRTC } from "@parley/sdk/node";
import { mintToken, ParleyError, RoomsClient } from "@parley/sdk/server";
import type { ErrorCode } from "@parley/shared";

export async function joinAsBot(url: string, appKey: string, appSecret: string): Promise<QualityReport> {
  const token: string = await mintToken({ appKey, appSecret, room: "lobby", user: "bot", ttlSeconds: 60 });
  const room: Room = await Room.connect(url, "lobby", token, useNodeWebRTC());
  const { track } = syntheticVideo({ width: 320, height: 240 });
  await room.publishTrack(track, "camera");
  room.on("memberJoined", (member) => console.log(member.user));
  return room.getQuality();
}

export function rooms(url: string, appKey: string, appSecret: string): RoomsClient {
  return new RoomsClient(url, { appKey, appSecret });
}

export function codeOf(err: unknown): ErrorCode | null {
  return err instanceof ParleyError ? err.code : null;
}

// the types are real, not `any`: a wrong call is an error
// @ts-expect-error ttlSeconds is a number
void mintToken({ appKey: "ak", appSecret: "as", room: "lobby", user: "bot", ttlSeconds: "60" });
