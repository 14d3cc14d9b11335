import { type QualityReport, type RemoteMember, type RemoteTrack, type Room, setSpeaker } from "@parley/sdk/client";
import { el, initials } from "./dom.js";
import { renderQuality } from "./quality-view.js";

/** One square of the grid: a person's camera (or a screen share) with name and figures. */
interface Tile {
  root: HTMLElement;
  video: HTMLVideoElement;
  placeholder: HTMLElement;
  quality: HTMLElement;
  micOff: HTMLElement;
}

/** Tile keys: "local" and "local:screen" for you, member ids and "<member>:screen" for others. */
const LOCAL = "local";
const screenKey = (owner: string) => `${owner}:screen`;

/**
 * The grid of video tiles and the (invisible) audio elements that play remote microphones.
 * Knows nothing about joining: demo.ts feeds it room events.
 */
export class CallView {
  readonly #grid: HTMLElement;
  readonly #tiles = new Map<string, Tile>();
  readonly #audio = new Map<string, HTMLAudioElement>();
  #speakerId: string | null = null;
  /** Called when the browser refuses to play audio before a click (autoplay policy). */
  onAudioBlocked: () => void = () => undefined;

  readonly #waiting: HTMLElement;

  constructor(grid: HTMLElement, waiting: HTMLElement) {
    this.#grid = grid;
    this.#waiting = waiting;
  }

  // ── you ────────────────────────────────────────────────────────────────

  showLocal(name: string): void {
    this.#tile(LOCAL, `${name} (you)`, "local", name);
  }

  setLocalCamera(track: MediaStreamTrack | null): void {
    const tile = this.#tiles.get(LOCAL);
    if (tile) this.#show(tile, track);
  }

  setLocalMicMuted(muted: boolean): void {
    const tile = this.#tiles.get(LOCAL);
    if (tile) tile.micOff.hidden = !muted;
  }

  setLocalScreen(track: MediaStreamTrack | null, name: string): void {
    if (!track) {
      this.#removeTile(screenKey(LOCAL));
      return;
    }
    this.#show(this.#tile(screenKey(LOCAL), `${name}'s screen (you)`, "local screen", name), track);
  }

  // ── others ─────────────────────────────────────────────────────────────

  addMember(member: RemoteMember): void {
    const tile = this.#tile(member.id, displayName(member), "remote");
    tile.video.dataset.remoteMember = member.user;
  }

  removeMember(member: RemoteMember): void {
    for (const track of member.tracks.values()) this.detachTrack(track);
    this.#removeTile(member.id);
    this.#removeTile(screenKey(member.id));
  }

  attachTrack(track: RemoteTrack, member: RemoteMember): void {
    const media = track.mediaTrack;
    if (!media) return;
    if (track.info.kind === "audio") {
      const audio = el("audio", { attrs: { autoplay: "" } });
      audio.srcObject = new MediaStream([media]);
      this.#audio.set(track.id, audio);
      (this.#tiles.get(member.id)?.root ?? this.#grid).append(audio);
      if (this.#speakerId) void setSpeaker(audio, this.#speakerId).catch(() => undefined);
      audio.play().catch(() => this.onAudioBlocked());
      if (track.info.source === "microphone") this.setRemoteMuted(track, member, track.muted);
      return;
    }
    if (track.info.source === "screen") {
      const tile = this.#tile(screenKey(member.id), `${displayName(member)}'s screen`, "remote screen");
      tile.video.dataset.remoteScreen = member.user;
      this.#show(tile, media);
      return;
    }
    const tile = this.#tiles.get(member.id) ?? this.#tile(member.id, displayName(member), "remote");
    this.#show(tile, track.muted ? null : media);
  }

  detachTrack(track: RemoteTrack): void {
    const audio = this.#audio.get(track.id);
    if (audio) {
      audio.srcObject = null;
      audio.remove();
      this.#audio.delete(track.id);
      return;
    }
    if (track.info.source === "screen") this.#removeTile(screenKey(track.member));
    else if (track.info.kind === "video") {
      const tile = this.#tiles.get(track.member);
      if (tile) this.#show(tile, null);
    }
  }

  /** A remote mute: microphone shows a badge, camera shows the avatar instead of a frozen frame. */
  setRemoteMuted(track: RemoteTrack, member: RemoteMember, muted: boolean): void {
    const tile = this.#tiles.get(member.id);
    if (!tile) return;
    if (track.info.source === "microphone") tile.micOff.hidden = !muted;
    else if (track.info.source === "camera") this.#show(tile, muted ? null : track.mediaTrack);
  }

  setActiveSpeaker(memberId: string): void {
    for (const [key, tile] of this.#tiles) tile.root.classList.toggle("speaking", key === memberId);
  }

  /** Routes every remote voice to this output device, now and for later joiners. */
  async setSpeaker(deviceId: string): Promise<void> {
    this.#speakerId = deviceId;
    await Promise.all([...this.#audio.values()].map((a) => setSpeaker(a, deviceId)));
  }

  /** After a click: play what the autoplay policy held back. */
  async resumeAudio(): Promise<void> {
    await Promise.all([...this.#audio.values()].map((a) => a.play()));
  }

  /** Puts each track's figures on its tile: your sent tracks on yours, each member's on theirs. */
  showQuality(report: QualityReport, room: Room): void {
    const byTile = new Map<string, QualityReport["tracks"]>();
    for (const track of report.tracks) {
      const owner = track.direction === "send" ? LOCAL : track.member;
      if (!owner) continue;
      const source =
        track.direction === "send"
          ? room.localTracks.get(track.trackId)?.source
          : room.members.get(owner)?.tracks.get(track.trackId)?.info.source;
      const key = source === "screen" ? screenKey(owner) : owner;
      byTile.set(key, [...(byTile.get(key) ?? []), track]);
    }
    for (const [key, tile] of this.#tiles) renderQuality(tile.quality, byTile.get(key) ?? []);
  }

  clear(): void {
    for (const audio of this.#audio.values()) audio.srcObject = null;
    this.#audio.clear();
    for (const key of [...this.#tiles.keys()]) this.#removeTile(key);
  }

  // ── tiles ──────────────────────────────────────────────────────────────

  #tile(key: string, name: string, kind: string, who = name): Tile {
    const existing = this.#tiles.get(key);
    if (existing) return existing;
    // muted: the picture autoplays without a click; voices play from the <audio> elements
    const video = el("video", { className: kind.includes("screen") ? "screen" : "camera", attrs: { autoplay: "", playsinline: "" } });
    video.muted = true;
    const placeholder = el("div", { className: "placeholder" }, [el("div", { className: "avatar", text: initials(who) })]);
    const quality = el("div", { className: "quality", attrs: { "aria-label": "connection quality" } });
    const micOff = el("span", { className: "mic-off", text: "mic off", attrs: { title: "microphone muted" } });
    micOff.hidden = true;
    const label = el("div", { className: "name" }, [el("span", { text: name }), micOff]);
    const root = el("div", { className: `tile ${kind}` }, [video, placeholder, quality, label]);
    const tile = { root, video, placeholder, quality, micOff };
    this.#tiles.set(key, tile);
    this.#updateWaiting();
    // you first, then others in the order they came
    if (key === LOCAL) this.#grid.prepend(root);
    else this.#grid.append(root);
    return tile;
  }

  #show(tile: Tile, track: MediaStreamTrack | null): void {
    const current = (tile.video.srcObject as MediaStream | null)?.getVideoTracks()[0];
    if (track && current !== track) tile.video.srcObject = new MediaStream([track]);
    tile.placeholder.hidden = track !== null;
    tile.video.hidden = track === null;
  }

  #removeTile(key: string): void {
    const tile = this.#tiles.get(key);
    if (!tile) return;
    tile.video.srcObject = null;
    tile.root.remove();
    this.#tiles.delete(key);
    this.#updateWaiting();
  }

  /** Alone in the room: say how to get company rather than show an empty stage. */
  #updateWaiting(): void {
    this.#waiting.hidden = [...this.#tiles.keys()].some((key) => !key.startsWith(LOCAL)) || !this.#tiles.has(LOCAL);
  }
}

export function displayName(member: RemoteMember): string {
  return member.info.name ?? member.user;
}
