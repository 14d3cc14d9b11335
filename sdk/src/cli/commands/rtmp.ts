import { readFileSync } from "node:fs";
import { RoomName, type RtmpPush, RtmpPushId, StartRoomRtmpRequest } from "@parley/shared";
import type { Command } from "commander";
import { RtmpClient } from "../../server/rtmp.js";
import { appContext, withApp } from "../app-command.js";
import { type CompositeFlags, compositeFrom, withCompositeFlags } from "../composite-flags.js";
import { printJson, printLines, table } from "../format.js";
import { parseInput, UsageError } from "../usage-error.js";

interface StartFlags extends CompositeFlags {
  to?: string;
  member?: string;
}

/** `parley rtmp …`: live RTMP pushes of a member or of a room's composite (app credentials). */
export function rtmpCommand(program: Command): void {
  const rtmp = program.command("rtmp").description("RTMP pushes of a member or of the composite: start, stop, list (app credentials)");
  const client = async (cmd: Command) => {
    const ctx = await appContext(cmd);
    return { api: new RtmpClient(ctx.url, ctx.credentials), json: ctx.json };
  };
  const room = (arg: string) => parseInput(RoomName, arg, "room");
  const pushId = (arg: string) => parseInput(RtmpPushId, arg, "push id");

  withCompositeFlags(
    withApp(rtmp.command("start <room>").description("push a member's camera and microphone, or the composite, to an RTMP server")),
    "push the room's composite",
  )
    .requiredOption("--to <rtmp-url>", 'rtmp://host/app/<stream key>; "-" reads it from stdin (keeps the key out of ps and history)')
    .option("--member <member>", "push this member (m_…)")
    .action(async (roomArg: string, options: StartFlags, cmd: Command) => {
      const name = room(roomArg);
      const composite = compositeFrom(options);
      if ((composite === null) === (options.member === undefined)) throw new UsageError("give either --member <member> or --composite");
      const source = composite ? { kind: "composite" as const, composite } : { kind: "member" as const, member: options.member };
      const url = options.to === "-" ? readFileSync(0, "utf8").trim() : options.to;
      const request = parseInput(StartRoomRtmpRequest, { url, source }, "push");
      const { api, json } = await client(cmd);
      const push = await api.start(name, request);
      if (json) return printJson(push);
      printLines([`push ${push.id} ${push.state} to ${push.target}; stop it with: parley rtmp stop ${name} ${push.id}`]);
    });

  withApp(rtmp.command("list <room>").description("the room's pushes, newest first")).action(
    async (roomArg: string, _o: unknown, cmd: Command) => {
      const name = room(roomArg);
      const { api, json } = await client(cmd);
      const pushes = await api.list(name);
      if (json) return printJson({ pushes });
      if (pushes.length === 0) return printLines([`no RTMP pushes in room ${name}`]);
      printLines(table(["PUSH", "STATE", "SOURCE", "TARGET", "STARTED", "ENDED"], pushes.map(row)));
    },
  );

  withApp(rtmp.command("show <room> <id>").description("one push")).action(
    async (roomArg: string, idArg: string, _o: unknown, cmd: Command) => {
      const { api, json } = await client(cmd);
      const push = await api.get(room(roomArg), pushId(idArg));
      if (json) return printJson(push);
      printLines([
        ...table(["PUSH", "STATE", "SOURCE", "TARGET", "STARTED", "ENDED"], [row(push)]),
        ...(push.error ? [`error: ${push.error}`] : []),
      ]);
    },
  );

  withApp(rtmp.command("stop <room> <id>").description("stop a push (the stream ends cleanly)")).action(
    async (roomArg: string, idArg: string, _o: unknown, cmd: Command) => {
      const { api, json } = await client(cmd);
      const push = await api.stop(room(roomArg), pushId(idArg));
      if (json) return printJson(push);
      printLines([`push ${push.id}: ${push.state}`]);
    },
  );
}

function row(p: RtmpPush): string[] {
  return [p.id, p.state, p.source.member ?? p.source.kind, p.target, p.startedAt, p.endedAt ?? "-"];
}
