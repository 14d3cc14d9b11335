import { listDevices } from "@parley/sdk/client";

export interface DeviceChoice {
  onCamera(deviceId: string): Promise<void>;
  onMicrophone(deviceId: string): Promise<void>;
  onSpeaker(deviceId: string): Promise<void>;
  onError(what: string, err: unknown): void;
}

interface Pickers {
  camera: HTMLSelectElement;
  microphone: HTMLSelectElement;
  speaker: HTMLSelectElement;
  /** Hidden where the browser cannot choose an output (no setSinkId, e.g. Firefox without the flag). */
  speakerField: HTMLElement;
}

/**
 * Camera, microphone and speaker pickers filled from enumerateDevices. Labels are only readable
 * once the page has camera/microphone permission, so call refresh() after getUserMedia.
 */
export class DevicePickers {
  readonly #pickers: Pickers;

  constructor(pickers: Pickers, choice: DeviceChoice) {
    this.#pickers = pickers;
    pickers.speakerField.hidden = !("setSinkId" in HTMLMediaElement.prototype);
    const wire = (select: HTMLSelectElement, what: string, apply: (id: string) => Promise<void>) =>
      select.addEventListener("change", () => {
        select.disabled = true;
        apply(select.value)
          .catch((err: unknown) => choice.onError(what, err))
          .finally(() => (select.disabled = false));
      });
    wire(pickers.camera, "camera", choice.onCamera);
    wire(pickers.microphone, "microphone", choice.onMicrophone);
    wire(pickers.speaker, "speaker", choice.onSpeaker);
    navigator.mediaDevices.addEventListener("devicechange", () => void this.refresh());
  }

  /** Re-reads the device lists, keeping each picker on the device in use. */
  async refresh(inUse: { camera?: string; microphone?: string } = {}): Promise<void> {
    const devices = await listDevices();
    fill(this.#pickers.camera, devices.cameras, inUse.camera, "Camera");
    fill(this.#pickers.microphone, devices.microphones, inUse.microphone, "Microphone");
    fill(this.#pickers.speaker, devices.speakers, undefined, "Speaker");
  }
}

function fill(select: HTMLSelectElement, devices: MediaDeviceInfo[], selected: string | undefined, kind: string): void {
  const keep = selected ?? select.value;
  select.replaceChildren(
    ...devices.map((d, i) => {
      const option = new Option(d.label || `${kind} ${i + 1}`, d.deviceId);
      option.selected = d.deviceId === keep;
      return option;
    }),
  );
  if (devices.length === 0) select.replaceChildren(new Option(`No ${kind.toLowerCase()} found`, ""));
  select.disabled = devices.length === 0;
}
