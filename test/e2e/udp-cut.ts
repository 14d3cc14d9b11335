/**
 * Cuts one client's media for real: nftables rules that drop UDP from and to the client's local
 * ports on this machine. Needs root and nft (`.ci/run` installs nftables); each cut has its own
 * table, removed on stop.
 */
import { execFileSync } from "node:child_process";
import type { Room } from "../../sdk/src/client/index.js";

export { nftAvailable } from "../../infra/netlab/nat-redirect.js";

/** The local UDP ports of a room's selected ICE candidate pairs (its media sockets). */
export async function mediaPorts(room: Room): Promise<number[]> {
  const ports = new Set<number>();
  for (const { stats } of await room.transportStats()) {
    for (const s of stats.values()) {
      if (s.type !== "candidate-pair" || s.state !== "succeeded") continue;
      const local = stats.get(String(s.localCandidateId));
      if (local && typeof local.port === "number" && local.protocol === "udp") ports.add(local.port);
    }
  }
  return [...ports];
}

export class UdpCut {
  readonly #table = `parley_cut_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  readonly #ports: number[];
  #active = false;

  constructor(ports: number[]) {
    if (ports.length === 0) throw new Error("no media ports to cut");
    this.#ports = ports;
  }

  start(): void {
    const set = `{ ${this.#ports.join(", ")} }`;
    nft(`add table inet ${this.#table}
add chain inet ${this.#table} input { type filter hook input priority -10; }
add rule inet ${this.#table} input udp sport ${set} drop
add rule inet ${this.#table} input udp dport ${set} drop
`);
    this.#active = true;
  }

  stop(): void {
    if (!this.#active) return;
    this.#active = false;
    nft(`delete table inet ${this.#table}\n`);
  }
}

function nft(script: string): void {
  execFileSync("nft", ["-f", "-"], { input: script, stdio: ["pipe", "ignore", "inherit"] });
}
