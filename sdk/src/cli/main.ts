/** `parley`: mint tokens, manage apps, reach users. Exit codes: 0 ok, 1 refused or unreachable, 2 bad input. */

import { createRequire } from "node:module";
import { ParleyError } from "@parley/shared";
import { Command, CommanderError } from "commander";
import { ParleyTransportError } from "../server/rpc.js";
import { appsCommand } from "./commands/apps.js";
import { callsCommand } from "./commands/calls.js";
import { deployCommand } from "./commands/deploy.js";
import { recordingsCommand } from "./commands/recordings.js";
import { roomsCommand } from "./commands/rooms.js";
import { rtmpCommand } from "./commands/rtmp.js";
import { tokenCommand } from "./commands/token.js";
import { usersCommands } from "./commands/users.js";
import { DEFAULT_URL } from "./context.js";
import { UsageError } from "./usage-error.js";

export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

export function buildProgram(): Command {
  const program = new Command("parley")
    .description("Parley command line: tokens, apps, users, rooms, calls, recordings and RTMP pushes on a Parley edge; deployment files")
    .version(version, "-V, --version")
    .option("--url <url>", `edge URL (default: PARLEY_URL, then ${DEFAULT_URL})`)
    .option("--json", "print the API's JSON instead of text")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .addHelpText(
      "after",
      [
        "",
        "Credentials:",
        "  operator key  PARLEY_OPERATOR_KEY, else .parley/operator-key (written by npm start)",
        "  app           --app-key/--app-secret, else PARLEY_APP_KEY/PARLEY_APP_SECRET, else .parley/dev-app.json",
        "",
        "Examples:",
        "  npx parley token --room demo --user alice",
        "  npx parley apps create --name shop --max-users 100",
        '  npx parley notify alice --data \'{"invite":"demo"}\'',
        "  npx parley rooms kick demo alice --reason 'rules'",
        "  npx parley calls list --room demo --from 2026-01-01T00:00:00Z",
        "  npx parley recordings start demo --layout grid",
        "  npx parley rtmp start demo --member m_… --to - < stream-url.txt",
        "  npx parley deploy init --size standard --region eu-west --out deploy/eu-west",
      ].join("\n"),
    );
  tokenCommand(program);
  appsCommand(program);
  usersCommands(program);
  roomsCommand(program);
  callsCommand(program);
  recordingsCommand(program);
  rtmpCommand(program);
  deployCommand(program);
  // every subcommand throws instead of exiting, so main() alone decides the exit code
  const override = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.exitOverride().showHelpAfterError("(add --help for usage)");
      override(sub);
    }
  };
  override(program);
  return program;
}

/** Runs the CLI and answers the exit code; never calls process.exit, so output is flushed. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    return report(err);
  }
}

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander has printed its own message (or the help) already
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return EXIT.ok;
    return EXIT.usage;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof ParleyError) {
    process.stderr.write(`error: ${err.code}: ${err.message}\n`);
    return EXIT.refused;
  }
  if (err instanceof ParleyTransportError) {
    process.stderr.write(`error: ${err.message}\n(is the edge running? start it with: npm start)\n`);
    return EXIT.refused;
  }
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.refused;
}
