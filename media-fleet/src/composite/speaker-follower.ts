/**
 * Debounces the room's active speaker for the speaker layout: the main tile changes at most once
 * per hold time, so two people trading short remarks do not make the picture flicker. A speaker
 * reported during the hold is shown when it ends, if they are still the latest.
 */
export const SPEAKER_HOLD_MS = 2000;

export class SpeakerFollower {
  readonly #show: (member: string) => void;
  readonly #holdMs: number;
  #shown: string | undefined;
  #wanted: string | undefined;
  #lastSwitchAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(show: (member: string) => void, holdMs = SPEAKER_HOLD_MS) {
    this.#show = show;
    this.#holdMs = holdMs;
  }

  /** Who the main tile shows (or will show once the hold ends); a new run starts with them. */
  get current(): string | undefined {
    return this.#wanted ?? this.#shown;
  }

  /** The room's active speaker is now `member`. */
  speaking(member: string): void {
    this.#wanted = member;
    clearTimeout(this.#timer);
    const wait = this.#lastSwitchAt + this.#holdMs - Date.now();
    if (wait <= 0) this.#apply();
    else {
      this.#timer = setTimeout(() => this.#apply(), wait);
      this.#timer.unref();
    }
  }

  close(): void {
    clearTimeout(this.#timer);
  }

  #apply(): void {
    const member = this.#wanted;
    if (member === undefined || member === this.#shown) return;
    this.#shown = member;
    this.#lastSwitchAt = Date.now();
    this.#show(member);
  }
}

/** Passes the room's dominant speaker (an audio producer) on to whatever follows it, by member. */
export function tellSpeaker(
  follower: { speakerChanged(member: string): void },
  speaker: { appData: Record<string, unknown> } | undefined,
): void {
  const member = speaker?.appData.member;
  if (typeof member === "string") follower.speakerChanged(member);
}
