/**
 * The demo call page (served by the edge at /demo): join a room with camera and microphone, see
 * and hear everyone else, chat, switch devices, watch call quality.
 *
 * Headless-testing contract: `/demo?room=R&user=U&autojoin=1` joins at once; the body's
 * `data-state` is "joined" once in the call; each remote camera <video> carries
 * `data-remote-member="<user id>"`; `window.parleyDemo.room` is the SDK Room.
 */
import { CALL_MODES, type LocalTrack, openCamera, openMicrophone, Room } from "@parley/sdk/client";
import { CallView, displayName } from "./call-view.js";
import { ChatPanel } from "./chat.js";
import { DevicePickers } from "./device-pickers.js";
import { byId } from "./dom.js";
import { formatBitrate, mosTone } from "./quality-view.js";

declare global {
  interface Window {
    parleyDemo?: { room: Room };
  }
}

type PageState = "loading" | "ready" | "joining" | "joined" | "left" | "error";

const QUALITY_EVERY_MS = 2000;
const CAMERA = CALL_MODES.balanced.resolution;

const status = byId("status", HTMLElement);
const joinForm = byId("join-form", HTMLFormElement);
const callSection = byId("call", HTMLElement);
const roomLabel = byId("room-label", HTMLElement);
const connection = byId("connection", HTMLElement);
const micButton = byId("toggle-mic", HTMLButtonElement);
const cameraButton = byId("toggle-camera", HTMLButtonElement);
const screenButton = byId("toggle-screen", HTMLButtonElement);
const audioButton = byId("enable-audio", HTMLButtonElement);
const leaveButton = byId("leave", HTMLButtonElement);

const view = new CallView(byId("grid", HTMLElement), byId("waiting", HTMLElement));
const chat = new ChatPanel(
  byId("chat-log", HTMLOListElement),
  byId("chat-form", HTMLFormElement),
  byId("chat-input", HTMLInputElement),
  (text) => (current ? current.room.sendMessage(text).then(() => undefined) : Promise.reject(new Error("not in a call"))),
);
const pickers = new DevicePickers(
  {
    camera: byId("camera-select", HTMLSelectElement),
    microphone: byId("microphone-select", HTMLSelectElement),
    speaker: byId("speaker-select", HTMLSelectElement),
    speakerField: byId("speaker-field", HTMLElement),
  },
  {
    onCamera: (id) => switchDevice("camera", id),
    onMicrophone: (id) => switchDevice("microphone", id),
    onSpeaker: (id) => view.setSpeaker(id),
    onError: (what, err) => chat.system(`Could not switch ${what}: ${describe(err)}`),
  },
);

/** The call in progress: the room and what you publish. */
interface Call {
  room: Room;
  user: string;
  camera: LocalTrack | null;
  microphone: LocalTrack | null;
  screen: LocalTrack | null;
  qualityTimer: ReturnType<typeof setInterval>;
  leaving: boolean;
}
let current: Call | null = null;

function setState(state: PageState, message = "", kind: "info" | "error" = "info"): void {
  document.body.dataset.state = state;
  status.textContent = message;
  status.dataset.kind = kind;
}

function describe(err: unknown): string {
  if (err instanceof DOMException && err.name === "NotAllowedError") return "permission was refused (allow it in the address bar)";
  if (err instanceof DOMException && err.name === "NotFoundError") return "no such device was found";
  return err instanceof Error ? err.message : String(err);
}

/** A token from `?token=`, else from the local stack's dev endpoint (POST /v1/dev/token). */
async function fetchToken(room: string, user: string): Promise<string> {
  const given = new URLSearchParams(location.search).get("token");
  if (given) return given;
  const res = await fetch("/v1/dev/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ room, user }),
  });
  const body = (await res.json().catch(() => null)) as { token?: string; error?: { code: string; message: string } } | null;
  if (res.ok && body?.token) return body.token;
  if (body?.error?.code === "FORBIDDEN") {
    throw new Error("This edge does not hand out demo tokens (dev mode is off). Open the page with ?token=<a token from your back end>.");
  }
  throw new Error(`Could not get a token: ${body?.error?.message ?? `HTTP ${res.status}`}`);
}

/** Opens a device, or says in the chat why not: a call without a camera is still a call. */
async function open<T>(what: string, opener: () => Promise<T>): Promise<T | null> {
  try {
    return await opener();
  } catch (err) {
    chat.system(`Joining without your ${what}: ${describe(err)}`);
    return null;
  }
}

async function join(roomName: string, user: string): Promise<void> {
  joinForm.hidden = true;
  roomLabel.textContent = `Room ${roomName}`;
  byId("invite-link", HTMLAnchorElement).href = `${location.pathname}?room=${encodeURIComponent(roomName)}`;
  setState("joining", `Getting a token for room “${roomName}”…`);
  const token = await fetchToken(roomName, user);
  setState("joining", "Starting your camera and microphone…");
  const cameraTrack = await open("camera", () => openCamera(undefined, CAMERA.width, CAMERA.height));
  const micTrack = await open("microphone", () => openMicrophone());
  setState("joining", "Connecting to the room…");
  let room: Room;
  try {
    room = await Room.connect(location.origin, roomName, token, { name: user });
  } catch (err) {
    cameraTrack?.stop();
    micTrack?.stop();
    throw err;
  }
  const call: Call = {
    room,
    user,
    camera: null,
    microphone: null,
    screen: null,
    qualityTimer: setInterval(() => void showQuality(), QUALITY_EVERY_MS),
    leaving: false,
  };
  current = call;
  window.parleyDemo = { room };
  wireRoom(call);
  chat.system(`You joined room “${roomName}” as ${user}.`);
  view.showLocal(user);
  // whoever was already there, with the tracks Room.connect subscribed to before we listened
  for (const member of room.members.values()) {
    view.addMember(member);
    for (const track of member.tracks.values()) if (track.consumer) view.attachTrack(track, member);
  }
  callSection.hidden = false;
  connection.hidden = false;
  showConnection("Connected", "good");

  if (cameraTrack) {
    call.camera = await room.publishCamera({ track: cameraTrack });
    view.setLocalCamera(cameraTrack);
  } else view.setLocalCamera(null);
  if (micTrack) call.microphone = await room.publishMicrophone({ track: micTrack });
  updateButtons(call);
  // a first sample now, so the first figures people see (after 2 s) are rates, not zeros
  void room.getQuality().catch(() => undefined);
  setState("joined");
  await pickers.refresh({ camera: cameraTrack?.getSettings().deviceId, microphone: micTrack?.getSettings().deviceId });
}

function wireRoom(call: Call): void {
  const { room } = call;
  const memberOf = (id: string) => room.members.get(id);
  room.on("memberJoined", (member) => {
    view.addMember(member);
    chat.system(`${displayName(member)} joined.`);
  });
  room.on("memberLeft", (member, reason) => {
    view.removeMember(member);
    chat.system(`${displayName(member)} left${reason === "left" ? "" : ` (${reason})`}.`);
  });
  room.on("trackSubscribed", (track) => {
    const member = memberOf(track.member);
    if (member) view.attachTrack(track, member);
  });
  room.on("trackUnpublished", (track) => view.detachTrack(track));
  room.on("trackMuted", (track, muted) => {
    const member = memberOf(track.member);
    if (member) view.setRemoteMuted(track, member, muted);
  });
  room.on("activeSpeaker", (member) => view.setActiveSpeaker(member));
  room.on("message", (from, text, isPrivate) => {
    const member = memberOf(from);
    chat.add(member ? displayName(member) : "someone", text, { private: isPrivate });
  });
  room.on("reconnecting", () => showConnection("Reconnecting…", "fair"));
  room.on("reconnected", () => showConnection("Connected", "good"));
  room.on("error", (err) => chat.system(`Problem: ${describe(err)}`));
  room.on("disconnected", (reason) => {
    if (call.leaving) return;
    endCall(call);
    setState("error", `You were disconnected: ${reason}. Reload the page to join again.`, "error");
  });
}

function showConnection(text: string, tone: "good" | "fair" | "poor"): void {
  connection.textContent = text;
  connection.dataset.tone = tone;
}

async function showQuality(): Promise<void> {
  const call = current;
  if (!call || call.room.state === "closed") return;
  const report = await call.room.getQuality().catch(() => null);
  if (!report || current !== call) return;
  view.showQuality(report, call.room);
  if (call.room.state !== "joined") return;
  const sent = report.tracks.filter((t) => t.direction === "send").reduce((n, t) => n + t.bitrate, 0);
  const text = `Connected · sending ${formatBitrate(sent)}${report.mos === null ? "" : ` · call MOS ${report.mos.toFixed(1)}`}`;
  showConnection(text, report.mos === null ? "good" : mosTone(report.mos));
}

// ── controls ───────────────────────────────────────────────────────────

function updateButtons(call: Call): void {
  const micMuted = call.microphone?.producer.paused ?? true;
  micButton.textContent = micMuted ? "Unmute mic" : "Mute mic";
  micButton.setAttribute("aria-pressed", String(micMuted));
  micButton.disabled = !call.microphone;
  const cameraOff = call.camera?.producer.paused ?? true;
  cameraButton.textContent = cameraOff ? "Camera on" : "Camera off";
  cameraButton.setAttribute("aria-pressed", String(cameraOff));
  cameraButton.disabled = !call.camera;
  screenButton.textContent = call.screen ? "Stop sharing" : "Share screen";
  screenButton.setAttribute("aria-pressed", String(Boolean(call.screen)));
  view.setLocalMicMuted(micMuted);
}

/** Runs a control's action with the button disabled, and says in the chat if it failed. */
function control(button: HTMLButtonElement, action: (call: Call) => Promise<void>): void {
  button.addEventListener("click", () => {
    const call = current;
    if (!call) return;
    button.disabled = true;
    action(call)
      .catch((err: unknown) => chat.system(`${button.textContent}: ${describe(err)}`))
      .finally(() => {
        button.disabled = false;
        if (current === call) updateButtons(call);
      });
  });
}

control(micButton, async (call) => {
  if (!call.microphone) return;
  await (call.microphone.producer.paused ? call.microphone.unmute() : call.microphone.mute());
});

control(cameraButton, async (call) => {
  const camera = call.camera;
  if (!camera) return;
  const turningOn = camera.producer.paused;
  // a disabled track sends black and lets the camera light go off on most systems
  if (camera.producer.track) camera.producer.track.enabled = turningOn;
  await (turningOn ? camera.unmute() : camera.mute());
  view.setLocalCamera(turningOn ? camera.producer.track : null);
});

control(screenButton, async (call) => {
  if (call.screen) return stopScreen(call);
  call.screen = await call.room.publishScreen();
  const track = call.screen.producer.track;
  view.setLocalScreen(track, call.user);
  // the browser's own "Stop sharing" bar ends the track without a click here
  track?.addEventListener("ended", () => void stopScreen(call).finally(() => updateButtons(call)));
});

async function stopScreen(call: Call): Promise<void> {
  const screen = call.screen;
  if (!screen) return;
  call.screen = null;
  view.setLocalScreen(null, call.user);
  screen.producer.track?.stop();
  await screen.close();
}

audioButton.addEventListener("click", () => {
  view
    .resumeAudio()
    .then(() => (audioButton.hidden = true))
    .catch((err: unknown) => chat.system(`Sound still blocked: ${describe(err)}`));
});
view.onAudioBlocked = () => (audioButton.hidden = false);

leaveButton.addEventListener("click", () => {
  const call = current;
  if (!call) return;
  call.leaving = true;
  void call.room.leave().finally(() => {
    endCall(call);
    setState("left", "You left the call.");
    showJoinForm();
  });
});

function endCall(call: Call): void {
  clearInterval(call.qualityTimer);
  for (const local of [call.camera, call.microphone, call.screen]) local?.producer.track?.stop();
  view.clear();
  callSection.hidden = true;
  connection.hidden = true;
  if (current === call) current = null;
}

async function switchDevice(kind: "camera" | "microphone", deviceId: string): Promise<void> {
  const call = current;
  if (!call) return;
  const track = kind === "camera" ? await openCamera(deviceId, CAMERA.width, CAMERA.height) : await openMicrophone(deviceId);
  const local = call[kind];
  if (!local) {
    // joined without this device: publish it now
    call[kind] = kind === "camera" ? await call.room.publishCamera({ track }) : await call.room.publishMicrophone({ track });
  } else {
    // a muted/off device stays so on the new one
    track.enabled = !local.producer.paused;
    await call.room.replaceTrack(local, track);
  }
  if (kind === "camera") view.setLocalCamera(call.camera?.producer.paused ? null : track);
  updateButtons(call);
}

// ── start ──────────────────────────────────────────────────────────────

function showJoinForm(): void {
  const params = new URLSearchParams(location.search);
  const roomInput = joinForm.elements.namedItem("room") as HTMLInputElement;
  const userInput = joinForm.elements.namedItem("user") as HTMLInputElement;
  roomInput.value = params.get("room") ?? "demo";
  userInput.value = params.get("user") ?? `guest-${Math.random().toString(36).slice(2, 6)}`;
  joinForm.hidden = false;
}

function start(roomName: string, user: string): void {
  // remember who you are in the address bar: reloading rejoins as the same user
  const params = new URLSearchParams(location.search);
  params.set("room", roomName);
  params.set("user", user);
  history.replaceState(null, "", `${location.pathname}?${params}`);
  join(roomName, user).catch((err: unknown) => {
    if (current) endCall(current);
    setState("error", `Could not join: ${describe(err)}`, "error");
    showJoinForm();
  });
}

joinForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const data = new FormData(joinForm);
  start(String(data.get("room")), String(data.get("user")));
});

const params = new URLSearchParams(location.search);
const autoRoom = params.get("room");
const autoUser = params.get("user");
if (params.get("autojoin") === "1" && autoRoom && autoUser) start(autoRoom, autoUser);
else {
  setState("ready");
  showJoinForm();
}
