import { GRANT_NAMES, type GrantName, type Grants, LIMITS, mintToken, RoomName, UserId } from "@parley/shared";
import { type Command, Option } from "commander";
import * as z from "zod";
import { type AppCredentialOptions, appCredentials } from "../context.js";
import { collect, wholeNumber } from "../options.js";
import { parseInput, UsageError } from "../usage-error.js";

interface TokenOptions extends AppCredentialOptions {
  room: string;
  user: string;
  ttl: number;
  grant: string[];
  deny: string[];
  name?: string;
}

const GrantNameSchema = z.enum(GRANT_NAMES, { error: `must be one of ${GRANT_NAMES.join(", ")}` });
const DisplayName = z.string().min(1, "is empty").max(LIMITS.nameChars, `is longer than ${LIMITS.nameChars} characters`);

export function tokenCommand(program: Command): void {
  program
    .command("token")
    .description("mint an access token locally (no network) and print just the token")
    .requiredOption("--room <room>", 'room the token admits to, or "*" for any room')
    .requiredOption("--user <user>", "user id the token speaks for")
    .addOption(new Option("--ttl <seconds>", `lifetime in seconds (1-${LIMITS.maxTokenTtlSeconds})`).default(3600).argParser(wholeNumber))
    .option("--grant <name>", `add a grant (repeatable): ${GRANT_NAMES.join(", ")}`, collect, [])
    .option("--deny <name>", "remove a grant that is on by default (publish, subscribe, publishData)", collect, [])
    .option("--name <name>", "display name shown to other members")
    .option("--app-key <appKey>", "AppKey (default: PARLEY_APP_KEY, then .parley/dev-app.json)")
    .option("--app-secret <secret>", "AppSecret (default: PARLEY_APP_SECRET, then .parley/dev-app.json)")
    .addHelpText("after", "\nExample:\n  TOKEN=$(npx parley token --room demo --user alice --grant admin)")
    .action(async (options: TokenOptions) => {
      const room = parseInput(RoomName.or(z.literal("*")), options.room, "--room");
      const user = parseInput(UserId, options.user, "--user");
      if (options.ttl < 1 || options.ttl > LIMITS.maxTokenTtlSeconds) {
        throw new UsageError(`--ttl must be from 1 to ${LIMITS.maxTokenTtlSeconds} seconds`);
      }
      const name = options.name === undefined ? undefined : parseInput(DisplayName, options.name, "--name");
      const grants = grantsFrom(options.grant, options.deny);
      const credentials = await appCredentials(options);
      const token = await mintToken({ ...credentials, room, user, ttlSeconds: options.ttl, grants, name });
      process.stdout.write(`${token}\n`);
    });
}

function grantsFrom(granted: string[], denied: string[]): Grants | undefined {
  const grants: Partial<Record<GrantName, boolean>> = {};
  for (const g of granted) grants[parseInput(GrantNameSchema, g, "--grant")] = true;
  for (const g of denied) {
    const name = parseInput(GrantNameSchema, g, "--deny");
    if (grants[name]) throw new UsageError(`--grant ${name} and --deny ${name} contradict each other`);
    grants[name] = false;
  }
  return Object.keys(grants).length > 0 ? grants : undefined;
}
