// A customer's Node back end and bots, in plain JavaScript, using @parley/sdk as installed from npm:
// mints tokens with the server SDK, then a camera bot publishes and a viewer bot decodes its video.
// Prints one JSON line once the viewer decodes frames, then stays in the room until stdin closes.
import { Room } from "@parley/sdk/client";
import { syntheticVideo, useNodeWebRTC } from "@parley/sdk/node";
import { mintToken } from "@parley/sdk/server";

const { PARLEY_URL: url, PARLEY_APP_KEY: appKey, PARLEY_APP_SECRET: appSecret, PARLEY_ROOM: room } = process.env;
const rtc = useNodeWebRTC();
const join = async (user) => Room.connect(url, room, await mintToken({ appKey, appSecret, room, user, ttlSeconds: 600 }), rtc);

const camera = await join("camera-bot");
const video = syntheticVideo({ width: 320, height: 240, fps: 15 });
await camera.publishTrack(video.track, "camera");
const viewer = await join("viewer-bot");

let framesDecoded = 0;
for (const deadline = Date.now() + 30_000; framesDecoded === 0 && Date.now() < deadline; ) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  const { tracks } = await viewer.getQuality();
  const fromCamera = tracks.filter((t) => t.direction === "recv" && t.kind === "video" && t.member === camera.localMember.id);
  framesDecoded = fromCamera.reduce((n, t) => n + (t.framesDecoded ?? 0), 0);
}
console.log(JSON.stringify({ camera: camera.localMember.id, viewer: viewer.localMember.id, framesDecoded }));

process.stdin.resume();
await new Promise((resolve) => process.stdin.once("end", resolve));
await viewer.leave();
await camera.leave();
video.stop();
process.exit(0); // @roamhq/wrtc keeps its threads alive after the last peer connection closes
