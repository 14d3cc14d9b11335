import type { MemberInfo, TrackInfo } from "@parley/shared";
import type { Consumer } from "./media-session.js";

/** A track someone else publishes. `mediaTrack` is set once subscribed. */
export class RemoteTrack {
  readonly info: TrackInfo;
  consumer: Consumer | null = null;
  muted: boolean;

  constructor(info: TrackInfo) {
    this.info = info;
    this.muted = info.muted;
  }

  get id(): string {
    return this.info.id;
  }
  get member(): string {
    return this.info.member;
  }
  get mediaTrack(): MediaStreamTrack | null {
    return this.consumer?.track ?? null;
  }
}

/** Another member of the room and the tracks they publish. */
export class RemoteMember {
  info: MemberInfo;
  readonly tracks = new Map<string, RemoteTrack>();

  constructor(info: MemberInfo) {
    this.info = info;
  }

  get id(): string {
    return this.info.id;
  }
  get user(): string {
    return this.info.user;
  }
}
