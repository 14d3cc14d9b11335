/**
 * UDP port pairs for ffmpeg's RTP input (even port for RTP, the next one for RTCP, as ffmpeg's RTP
 * demuxer expects). A pair is handed out only if neither port is ours already nor bound by anyone
 * on this host (read from /proc/net/udp, because test-binding a port could steal it from ffmpeg).
 */
import { readFileSync } from "node:fs";
import { ParleyError } from "@parley/shared";

export class PortPairs {
  readonly #min: number;
  readonly #max: number;
  readonly #taken = new Set<number>();
  #next: number;

  constructor(min: number, max: number) {
    this.#min = min + (min % 2);
    this.#max = max;
    this.#next = this.#min;
  }

  take(): number {
    const bound = boundUdpPorts();
    const span = Math.floor((this.#max - this.#min + 1) / 2);
    for (let i = 0; i < span; i++) {
      const port = this.#next;
      this.#next = port + 2 > this.#max - 1 ? this.#min : port + 2;
      if (this.#taken.has(port) || bound.has(port) || bound.has(port + 1)) continue;
      this.#taken.add(port);
      return port;
    }
    throw new ParleyError("RECORDER_UNAVAILABLE", `no free UDP port pair in ${this.#min}-${this.#max} for a recorder`);
  }

  release(port: number): void {
    this.#taken.delete(port);
  }
}

/** Local UDP ports currently bound (IPv4 and IPv6); empty where /proc is not available. */
export function boundUdpPorts(): Set<number> {
  const ports = new Set<number>();
  for (const file of ["/proc/net/udp", "/proc/net/udp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue; // no /proc (or no IPv6): only our own bookkeeping guards the ports then
    }
    for (const line of text.split("\n").slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const hex = local?.split(":").pop();
      if (hex) ports.add(Number.parseInt(hex, 16));
    }
  }
  return ports;
}
