/**
 * How the lab gets into the path without anyone noticing: an nftables table whose output-hook NAT
 * chain DNATs the clients' packets for the media node's port to the relay's port. conntrack turns
 * the relay's answers back into the node's address and port, so ICE sees nothing unusual. The
 * relay talks to the node from a second loopback address (127.0.0.2), which the rule leaves alone.
 *
 * Rules match only the ports of this run. The table is named after the process that owns it; one
 * left by a process that died without cleaning up is removed by the next lab that starts.
 * Established flows are re-steered by deleting their conntrack entries (conntrack-tools), at
 * install (a call already running goes through the lab from its next packet) and at removal.
 */
import { execFileSync } from "node:child_process";

export interface Redirect {
  protocol: "udp" | "tcp";
  /** The address and port clients send to (the node's). */
  address: string;
  port: number;
  /** Where the relay listens (same address). */
  toPort: number;
}

const TABLE_PREFIX = "parley_netlab_";

export class NatRedirect {
  readonly #table: string;
  readonly #redirects: Redirect[];
  #installed = false;

  private constructor(table: string, redirects: Redirect[]) {
    this.#table = table;
    this.#redirects = redirects;
  }

  static install(redirects: Redirect[], exemptSource: string): NatRedirect {
    removeOrphanTables();
    const table = `${TABLE_PREFIX}${process.pid}_${Math.floor(Math.random() * 1e9)}`;
    const rules = redirects.map(
      (r) =>
        `add rule ip ${table} output ip daddr ${r.address} ip saddr != ${exemptSource} ${r.protocol} dport ${r.port} dnat to ${r.address}:${r.toPort}`,
    );
    nft(`add table ip ${table}
add chain ip ${table} output { type nat hook output priority -100; }
${rules.join("\n")}
`);
    const redirect = new NatRedirect(table, redirects);
    redirect.#installed = true;
    forgetFlows(redirects);
    return redirect;
  }

  get table(): string {
    return this.#table;
  }

  /** Idempotent and synchronous, so it can run from an `exit` handler. */
  remove(): void {
    if (!this.#installed) return;
    this.#installed = false;
    try {
      nft(`delete table ip ${this.#table}\n`);
    } finally {
      forgetFlows(this.#redirects);
    }
  }
}

export function nftAvailable(): boolean {
  try {
    execFileSync("nft", ["list", "tables"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Tables of ours whose owner process is gone (SIGKILLed before its exit handler ran). */
function removeOrphanTables(): void {
  let listing = "";
  try {
    listing = execFileSync("nft", ["list", "tables"], { encoding: "utf8" });
  } catch {
    return;
  }
  for (const match of listing.matchAll(new RegExp(`^table ip (${TABLE_PREFIX}(\\d+)_\\d+)$`, "gm"))) {
    const [, table, pid] = match;
    if (!table || !pid || processAlive(Number(pid))) continue;
    try {
      nft(`delete table ip ${table}\n`);
    } catch {
      // another lab removed it first
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Deletes conntrack entries for the node's ports, so flows pick up the NAT change at their next packet. */
function forgetFlows(redirects: Redirect[]): void {
  for (const r of redirects) {
    try {
      execFileSync("conntrack", ["-D", "-p", r.protocol, "--orig-dst", r.address, "--orig-port-dst", String(r.port)], { stdio: "ignore" });
    } catch {
      // exit 1 when there was nothing to delete; a missing conntrack only affects flows already running
    }
  }
}

function nft(script: string): void {
  execFileSync("nft", ["-f", "-"], { input: script, stdio: ["pipe", "ignore", "pipe"] });
}
