/** Records the call in the browser (MediaRecorder): every track given, into one WebM blob. */
export class LocalRecorder {
  #recorder: MediaRecorder;
  #chunks: Blob[] = [];
  #done: Promise<Blob>;

  constructor(tracks: MediaStreamTrack[], mimeType = "video/webm") {
    const stream = new MediaStream(tracks);
    this.#recorder = new MediaRecorder(stream, MediaRecorder.isTypeSupported(mimeType) ? { mimeType } : undefined);
    this.#recorder.ondataavailable = (e) => {
      if (e.data.size > 0) this.#chunks.push(e.data);
    };
    this.#done = new Promise((resolve) => {
      this.#recorder.onstop = () => resolve(new Blob(this.#chunks, { type: this.#recorder.mimeType }));
    });
  }

  start(timesliceMs = 1000): void {
    this.#recorder.start(timesliceMs);
  }

  /** Stops and returns the recording. */
  stop(): Promise<Blob> {
    if (this.#recorder.state !== "inactive") this.#recorder.stop();
    return this.#done;
  }
}
