/**
 * `npm run netlab -- --loss 30 --delay 150`: the lab by hand, in front of the media node of
 * `npm start` (ports RTC_MIN_PORT … + NUM_WORKERS − 1, as it picks them) or of `--ports`.
 * Conditions change while it runs: type commands on stdin (`loss 50`, `down cut`, `help`), or use
 * the HTTP control socket it prints (control-server.ts). Ctrl-C removes the rules and exits.
 */
import os from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { ParleyError } from "@parley/shared";
import { type Command, conditionFlagOptions, FIELD_HELP, parseCommand, patchFromFlags } from "./commands.js";
import { type LabConditions, parseLabConditions } from "./conditions.js";
import { startControlServer } from "./control-server.js";
import { nftAvailable } from "./nat-redirect.js";
import { mergeConditions, NetLab } from "./netlab.js";

const USAGE = `npm run netlab -- [--ports 20000-20001] [--address 127.0.0.1] [--control-port 0] [--seed S]
  conditions both ways: --${FIELD_HELP.replaceAll(", ", ", --").replaceAll("\n", "\n  ")}
  one way: the same with --up- or --down- (e.g. --down-loss 30 --up-delay 80)
then type while it runs: [up|down] loss 50 delay 100 …, cut, uncut, clear, show, stats, quit`;

function portRange(spec: string): number[] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(spec.trim());
  if (!match) throw new ParleyError("INVALID_REQUEST", `--ports: "${spec}" is not PORT or FIRST-LAST`);
  const first = Number(match[1]);
  const last = Number(match[2] ?? match[1]);
  if (first < 1 || last > 65_535 || last < first || last - first >= 64)
    throw new ParleyError("INVALID_REQUEST", `--ports: ${spec} is not a range of 1–64 ports`);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** The ports `npm start`'s node listens on: RTC_MIN_PORT (20000) and one more per worker (one per core). */
function devPorts(): string {
  const first = Number(process.env.RTC_MIN_PORT ?? 20000);
  const workers = Number(process.env.NUM_WORKERS ?? os.cpus().length);
  return `${first}-${first + workers - 1}`;
}

function describe(c: LabConditions): string {
  const side = (l: LabConditions["uplink"]) => {
    if (l.cut) return "cut";
    const parts = [
      l.loss ? `loss ${l.loss}%${l.burst > 1 ? ` (burst ×${l.burst})` : ""}` : "",
      l.gilbertElliott ? `Gilbert–Elliott ${JSON.stringify(l.gilbertElliott)}` : "",
      l.delayMs ? `delay ${l.delayMs} ms` : "",
      l.jitterMs ? `jitter ±${l.jitterMs} ms` : "",
      l.reorder ? `reorder ${l.reorder}% by ${l.reorderDelayMs} ms` : "",
      l.duplicate ? `duplicate ${l.duplicate}%` : "",
      l.rateKbps ? `rate ${l.rateKbps} kbit/s, queue ${l.queueMs} ms` : "",
    ].filter(Boolean);
    return parts.length ? parts.join(", ") : "clean";
  };
  return `uplink (client → node): ${side(c.uplink)}\ndownlink (node → client): ${side(c.downlink)}`;
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      ...conditionFlagOptions(),
      ports: { type: "string" },
      address: { type: "string", default: "127.0.0.1" },
      "control-port": { type: "string", default: "0" },
      seed: { type: "string", default: "parley-netlab" },
      help: { type: "boolean" },
    },
  });
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  if (process.getuid?.() !== 0 || !nftAvailable()) throw new Error("netlab needs root and nft (apt-get install nftables conntrack)");
  const ports = portRange(flags.ports ?? devPorts());
  const conditions = mergeConditions(parseLabConditions({}), patchFromFlags(flags));
  const lab = await NetLab.start({ ports, address: flags.address, conditions, seed: flags.seed });
  const control = await startControlServer(lab, Number(flags["control-port"]));
  const address = control.address();
  const controlUrl = typeof address === "object" && address ? `http://127.0.0.1:${address.port}` : "";
  console.log(`netlab: between clients and ${flags.address}:${ports.join(",")} (UDP+TCP; nftables table ${lab.table})`);
  console.log(describe(lab.conditions));
  console.log(`control: ${controlUrl}/conditions (GET, PUT, PATCH), ${controlUrl}/stats; or type "help"`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    control.close();
    const stats = await lab.stop();
    console.log(
      `netlab: stopped; relayed up ${stats.uplink.delivered}/${stats.uplink.packets}, down ${stats.downlink.delivered}/${stats.downlink.packets} datagrams`,
    );
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  const input = createInterface({ input: process.stdin, terminal: false });
  // one command at a time, in the order typed
  let previous: Promise<void> = Promise.resolve();
  input.on("line", (line) => {
    previous = previous.then(() => run(line));
  });
  const run = async (line: string): Promise<void> => {
    let command: Command | null;
    try {
      command = parseCommand(line);
    } catch (err) {
      console.log((err as Error).message);
      return;
    }
    if (!command) return;
    try {
      switch (command.type) {
        case "update":
          console.log(describe(await lab.update(command.patch)));
          return;
        case "clear":
          console.log(describe(await lab.set({})));
          return;
        case "show":
          console.log(describe(lab.conditions));
          return;
        case "stats": {
          const { uplink, downlink, flows, sendErrors, lateness } = await lab.stats();
          console.log(JSON.stringify({ uplink, downlink, flows: flows.length, sendErrors, lateness }));
          return;
        }
        case "help":
          console.log(USAGE);
          return;
        case "quit":
          await stop();
          return;
        default:
          command satisfies never;
      }
    } catch (err) {
      console.log((err as Error).message);
    }
  };
  // stdin closed (e.g. run from a script): keep relaying until a signal
  input.on("close", () => {});
}

main().catch((err) => {
  console.error(`netlab: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
