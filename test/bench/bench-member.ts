/**
 * A lean signalling client for load: it parses only replies (frames that start with `{"id"`)
 * and counts chat messages cheaply, so the client side does not become the bottleneck.
 */
import WebSocket from "ws";

const MESSAGE_EVENT = '{"type":"message"';

export class BenchMember {
  /** Chat messages received from others (room fan-out). */
  messagesReceived = 0;
  /** Milliseconds from send to receipt, read from the `sent:<epoch ms>` text. */
  readonly deliveryLatenciesMs: number[] = [];
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, (frame: Record<string, unknown>) => void>();
  #nextId = 1;
  #onMessage: (() => void) | null = null;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('{"id"')) {
        const frame = JSON.parse(text) as Record<string, unknown>;
        const resolve = this.#pending.get(frame.id as number);
        if (resolve) {
          this.#pending.delete(frame.id as number);
          resolve(frame);
        }
      } else if (text.startsWith(MESSAGE_EVENT)) {
        this.messagesReceived++;
        const sent = /"text":"sent:(\d+(?:\.\d+)?)"/.exec(text)?.[1];
        if (sent) this.deliveryLatenciesMs.push(performance.timeOrigin + performance.now() - Number(sent));
        this.#onMessage?.();
      }
    });
  }

  static open(url: string): Promise<BenchMember> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new BenchMember(ws)));
      ws.once("error", reject);
    });
  }

  /** Sends a request; rejects on a refusal so the benchmark never counts a failed join as done. */
  request(type: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (frame) => {
        if (frame.ok === true) resolve(frame);
        else reject(new Error(`${type} refused: ${JSON.stringify(frame.error)}`));
      });
      this.#ws.send(JSON.stringify({ id, type, ...body }));
    });
  }

  /** Sends a chat message stamped with the wall-clock time, so receivers can measure delivery latency. */
  sendStamped(): Promise<Record<string, unknown>> {
    return this.request("message", { text: `sent:${performance.timeOrigin + performance.now()}` });
  }

  onMessage(listener: () => void): void {
    this.#onMessage = listener;
  }

  close(): void {
    this.#ws.close(1000, "bench done");
  }
}
