import { AppKey, CreateAppRequest, LIMITS, Licence, SecretSlot } from "@parley/shared";
import { type Command, Option } from "commander";
import * as z from "zod";
import { AppsClient } from "../../server/apps.js";
import { edgeUrl, operatorKey, type UrlOptions } from "../context.js";
import { describeApp, describeLicence, printJson, printLines, table } from "../format.js";
import { limitOrNone, noneAsNull } from "../options.js";
import { parseInput, UsageError } from "../usage-error.js";

interface GlobalOptions extends UrlOptions {
  json?: boolean;
}

interface LicenceFlags {
  maxRooms?: number | "none";
  maxUsers?: number | "none";
  expires?: string;
}

const Expiry = z.union([
  z.literal("none").transform(() => null),
  z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant (2030-01-31T00:00:00Z) or "none"' }),
]);

export function appsCommand(program: Command): void {
  const apps = program.command("apps").description("manage apps, their secrets and licences (operator key)");
  const client = async (cmd: Command) => new AppsClient(edgeUrl(globals(cmd)), await operatorKey());
  const licenceOptions = (cmd: Command) =>
    cmd
      .addOption(new Option("--max-rooms <n>", 'concurrent rooms, or "none"').argParser(limitOrNone))
      .addOption(new Option("--max-users <n>", 'concurrent members across rooms, or "none"').argParser(limitOrNone))
      .option("--expires <iso>", 'licence expiry (ISO-8601), or "none"');

  licenceOptions(apps.command("create").description("create an app; prints its AppKey and AppSecret (shown only once)"))
    .requiredOption("--name <name>", "a name for people")
    .option("--auth-centre-url <url>", "customer auth centre that validates opaque tokens")
    .addOption(maxTokenTtlOption())
    .action(async (options: LicenceFlags & { name: string; authCentreUrl?: string; maxTokenTtl?: number | "none" }, cmd: Command) => {
      const request = parseInput(
        CreateAppRequest,
        {
          name: options.name,
          licence: licenceFrom(options),
          authCentreUrl: options.authCentreUrl,
          maxTokenTtlSeconds: options.maxTokenTtl === undefined ? undefined : noneAsNull(options.maxTokenTtl),
        },
        "app",
      );
      const created = await (await client(cmd)).create(request);
      if (globals(cmd).json) return printJson(created);
      printLines([
        `Created app "${created.name}"`,
        `AppKey:    ${created.appKey}`,
        `AppSecret: ${created.appSecret}  (slot ${created.slot}; shown only now, keep it safe)`,
        `Licence:   ${describeLicence(created.licence)}`,
      ]);
    });

  apps
    .command("list")
    .description("list every app")
    .action(async (_options: unknown, cmd: Command) => {
      const list = await (await client(cmd)).list();
      if (globals(cmd).json) return printJson({ apps: list });
      if (list.length === 0) return printLines(["no apps yet: parley apps create --name <name>"]);
      const rows = list.map((a) => [a.appKey, a.disabled ? "disabled" : "enabled", a.secretSlots.join(","), a.createdAt, a.name]);
      printLines(table(["APPKEY", "STATUS", "SLOTS", "CREATED", "NAME"], rows));
    });

  apps
    .command("show <appKey>")
    .description("show an app, its licence and live usage")
    .action(async (appKeyArg: string, _options: unknown, cmd: Command) => {
      const appKey = appKeyFrom(appKeyArg);
      const c = await client(cmd);
      const [info, usage] = await Promise.all([c.get(appKey), c.usage(appKey)]);
      if (globals(cmd).json) return printJson({ ...info, usage: usage.usage });
      printLines([...describeApp(info), `Usage:        ${usage.usage.rooms} rooms, ${usage.usage.users} users live`]);
    });

  for (const [name, disabled] of [
    ["disable", true],
    ["enable", false],
  ] as const) {
    apps
      .command(`${name} <appKey>`)
      .description(disabled ? "refuse the app's credentials and tokens until enabled" : "accept the app's credentials again")
      .action(async (appKeyArg: string, _options: unknown, cmd: Command) => {
        const appKey = appKeyFrom(appKeyArg);
        const c = await client(cmd);
        const info = disabled ? await c.disable(appKey) : await c.enable(appKey);
        if (globals(cmd).json) return printJson(info);
        printLines([`${info.appKey} is now ${info.disabled ? "disabled" : "enabled"}`]);
      });
  }

  licenceOptions(apps.command("licence <appKey>").description("change an app's licence; flags not given keep their value")).action(
    async (appKeyArg: string, options: LicenceFlags, cmd: Command) => {
      const appKey = appKeyFrom(appKeyArg);
      const flags = licenceFrom(options);
      if (!flags) throw new UsageError("give at least one of --max-rooms, --max-users, --expires");
      const c = await client(cmd);
      const current = await c.get(appKey);
      const info = await c.setLicence(appKey, parseInput(Licence, { ...current.licence, ...flags }, "licence"));
      if (globals(cmd).json) return printJson(info);
      printLines([`${info.appKey} licence: ${describeLicence(info.licence)}`]);
    },
  );

  apps
    .command("token-ttl <appKey>")
    .description("set the longest token lifetime the edge accepts for the app")
    .addOption(maxTokenTtlOption().makeOptionMandatory())
    .action(async (appKeyArg: string, options: { maxTokenTtl: number | "none" }, cmd: Command) => {
      const info = await (await client(cmd)).setMaxTokenTtl(appKeyFrom(appKeyArg), noneAsNull(options.maxTokenTtl));
      if (globals(cmd).json) return printJson(info);
      printLines([`${info.appKey}: tokens live at most ${info.maxTokenTtlSeconds} s`]);
    });

  apps
    .command("add-secret <appKey>")
    .description("fill the free secret slot (rotation); prints the new AppSecret once")
    .action(async (appKeyArg: string, _options: unknown, cmd: Command) => {
      const created = await (await client(cmd)).addSecret(appKeyFrom(appKeyArg));
      if (globals(cmd).json) return printJson(created);
      printLines([`AppSecret: ${created.appSecret}  (slot ${created.slot}; shown only now, keep it safe)`]);
    });

  apps
    .command("revoke-secret <appKey> <slot>")
    .description("revoke the secret in slot 1 or 2; tokens it signed stop working")
    .action(async (appKeyArg: string, slotText: string, _options: unknown, cmd: Command) => {
      const appKey = appKeyFrom(appKeyArg);
      const slot = parseInput(z.coerce.number().pipe(SecretSlot), slotText, "slot");
      const info = await (await client(cmd)).revokeSecret(appKey, slot);
      if (globals(cmd).json) return printJson(info);
      printLines([`${info.appKey}: slot ${slot} revoked; remaining slots: ${info.secretSlots.join(", ") || "none"}`]);
    });
}

function maxTokenTtlOption(): Option {
  return new Option(
    "--max-token-ttl <seconds>",
    `longest token lifetime accepted (${LIMITS.minAppTokenTtlSeconds}-${LIMITS.maxTokenTtlSeconds}), or "none" for the default`,
  ).argParser(limitOrNone);
}

function appKeyFrom(value: string): string {
  return parseInput(AppKey, value, "appKey");
}

function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/** Only the flags given, so `apps licence` can merge them into the current licence. */
function licenceFrom(options: LicenceFlags): Partial<Licence> | undefined {
  const licence: Partial<Licence> = {};
  if (options.maxRooms !== undefined) licence.maxRooms = noneAsNull(options.maxRooms);
  if (options.maxUsers !== undefined) licence.maxUsers = noneAsNull(options.maxUsers);
  if (options.expires !== undefined) licence.expiresAt = parseInput(Expiry, options.expires, "--expires");
  return Object.keys(licence).length > 0 ? licence : undefined;
}
