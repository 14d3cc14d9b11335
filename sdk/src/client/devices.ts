/** Device lists and speaker output, for pre-call pickers and mid-call switching (browser). */
export interface DeviceLists {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}

export async function listDevices(): Promise<DeviceLists> {
  const all = await navigator.mediaDevices.enumerateDevices();
  return {
    cameras: all.filter((d) => d.kind === "videoinput"),
    microphones: all.filter((d) => d.kind === "audioinput"),
    speakers: all.filter((d) => d.kind === "audiooutput"),
  };
}

/** Routes an element's audio to a speaker (where the browser supports setSinkId). */
export async function setSpeaker(element: HTMLMediaElement, deviceId: string): Promise<boolean> {
  const el = element as HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };
  if (!el.setSinkId) return false;
  await el.setSinkId(deviceId);
  return true;
}

/** Playback volume of one remote member's element, 0..1. */
export function setVolume(element: HTMLMediaElement, volume: number): void {
  element.volume = Math.min(1, Math.max(0, volume));
}

/** Opens a camera at a resolution, for preview before a call and for switching devices. */
export async function openCamera(deviceId: string | undefined, width: number, height: number, frameRate = 30): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { deviceId: deviceId ? { exact: deviceId } : undefined, width, height, frameRate },
  });
  const track = stream.getVideoTracks()[0];
  if (!track) throw new Error("the browser returned no video track");
  return track;
}

export async function openMicrophone(deviceId?: string): Promise<MediaStreamTrack> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { deviceId: deviceId ? { exact: deviceId } : undefined, echoCancellation: true, noiseSuppression: true },
  });
  const track = stream.getAudioTracks()[0];
  if (!track) throw new Error("the browser returned no audio track");
  return track;
}
