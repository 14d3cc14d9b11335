/**
 * The kernel's per-socket drop counter (`drops`, the last column of /proc/net/udp) for the relay's
 * own sockets: datagrams that arrived while a receive buffer was full and never reached the relay.
 * Together with its send errors, this is everything the lab loses that it was not told to.
 */
import { readFileSync } from "node:fs";

export function socketDrops(localPorts: number[]): number {
  const ports = new Set(localPorts);
  let text = "";
  try {
    text = readFileSync("/proc/net/udp", "utf8");
  } catch {
    return 0;
  }
  let drops = 0;
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const last = fields.at(-1);
    if (!local || !last || fields.length < 13) continue;
    const port = Number.parseInt(local.split(":")[1] ?? "", 16);
    if (ports.has(port)) drops += Number(last) || 0;
  }
  return drops;
}
