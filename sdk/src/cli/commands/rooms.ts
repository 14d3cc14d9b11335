import { AutoRecord, KickUserRequest, MuteUserRequest, RoomName, UserId } from "@parley/shared";
import type { Command } from "commander";
import { RoomsClient } from "../../server/rooms.js";
import { appContext, plural, withApp } from "../app-command.js";
import { printJson, printLines, table } from "../format.js";
import { parseInput, parseJsonInput } from "../usage-error.js";

/** `parley rooms …`: live rooms of the app and their members (app credentials). */
export function roomsCommand(program: Command): void {
  const rooms = program.command("rooms").description("live rooms: list, show, close, kick and mute members (app credentials)");
  const client = async (cmd: Command) => {
    const ctx = await appContext(cmd);
    return { rooms: new RoomsClient(ctx.url, ctx.credentials), json: ctx.json };
  };

  withApp(rooms.command("list").description("the app's live rooms")).action(async (_options: unknown, cmd: Command) => {
    const { rooms: api, json } = await client(cmd);
    const answer = await api.list();
    if (json) return printJson(answer);
    if (answer.rooms.length === 0) return printLines(["no live rooms"]);
    printLines(
      table(
        ["ROOM", "MEMBERS", "CONNECTED", "SINCE"],
        answer.rooms.map((r) => [r.room, `${r.members}`, `${r.connected}`, r.since]),
      ),
    );
  });

  withApp(rooms.command("show <room>").description("a room's members")).action(async (roomArg: string, _options: unknown, cmd: Command) => {
    const room = parseInput(RoomName, roomArg, "room");
    const { rooms: api, json } = await client(cmd);
    const answer = await api.get(room);
    if (json) return printJson(answer);
    if (answer.members.length === 0) return printLines([`room ${room} has nobody in it`]);
    const rows = answer.members.map((m) => [
      m.id,
      m.user,
      m.connected ? "connected" : "dropped",
      m.hidden ? "hidden" : "-",
      m.joinedAt,
      m.name ?? "",
    ]);
    printLines(table(["MEMBER", "USER", "STATE", "HIDDEN", "JOINED", "NAME"], rows));
  });

  withApp(rooms.command("close <room>").description("end a room: everyone in it gets room.closed and is removed"))
    .option("--reason <text>", "told to the members")
    .action(async (roomArg: string, options: { reason?: string }, cmd: Command) => {
      const room = parseInput(RoomName, roomArg, "room");
      const reason = parseInput(KickUserRequest, { reason: options.reason }, "--reason").reason;
      const { rooms: api, json } = await client(cmd);
      const answer = await api.close(room, reason);
      if (json) return printJson(answer);
      printLines([`room ${answer.room} closed; ${plural(answer.removed, "member")} removed`]);
    });

  withApp(rooms.command("kick <room> <user>").description("remove a user from a room and refuse their current tokens for it"))
    .option("--reason <text>", "told to the user")
    .action(async (roomArg: string, userArg: string, options: { reason?: string }, cmd: Command) => {
      const room = parseInput(RoomName, roomArg, "room");
      const user = parseInput(UserId, userArg, "user");
      const reason = parseInput(KickUserRequest, { reason: options.reason }, "--reason").reason;
      const { rooms: api, json } = await client(cmd);
      const answer = await api.kick(room, user, reason);
      if (json) return printJson(answer);
      printLines([
        answer.removed === 0
          ? `${user} was not in room ${room}; their tokens issued until now are refused there`
          : `${user} removed from room ${room} (${plural(answer.removed, "member")}); their tokens issued until now are refused there`,
      ]);
    });

  withApp(rooms.command("mute <room> <user>").description("pause a user's tracks in a room (all of them unless --kind/--source)"))
    .option("--kind <kind>", "audio or video")
    .option("--source <source>", "camera, microphone, screen or screenAudio")
    .action(async (roomArg: string, userArg: string, options: { kind?: string; source?: string }, cmd: Command) => {
      const room = parseInput(RoomName, roomArg, "room");
      const user = parseInput(UserId, userArg, "user");
      const filter = parseInput(MuteUserRequest, { kind: options.kind, source: options.source }, "--kind/--source");
      const { rooms: api, json } = await client(cmd);
      const answer = await api.mute(room, user, filter);
      if (json) return printJson(answer);
      printLines([
        answer.muted === 0 ? `${user} has no unmuted matching track in room ${room}` : `muted ${plural(answer.muted, "track")} of ${user}`,
      ]);
    });

  withApp(rooms.command("options <room>").description("a room's options: auto-record over the app's setting"))
    .option("--auto-record <value>", 'JSON such as \'{"mode":"composite"}\', "off" (never) or "app" (follow the app)')
    .action(async (roomArg: string, options: { autoRecord?: string }, cmd: Command) => {
      const room = parseInput(RoomName, roomArg, "room");
      const value = options.autoRecord;
      const autoRecord =
        value === undefined || value === "app"
          ? undefined
          : value === "off"
            ? null
            : parseInput(AutoRecord, parseJsonInput(value, "--auto-record"), "--auto-record");
      const { rooms: api, json } = await client(cmd);
      const answer = value === undefined ? await api.options(room) : await api.setOptions(room, { autoRecord });
      if (json) return printJson(answer);
      const auto = answer.autoRecord === null ? "off" : JSON.stringify(answer.autoRecord);
      printLines([`room ${room}: auto-record ${auto} (from the ${answer.autoRecordFrom === "room" ? "room's option" : "app's settings"})`]);
    });
}
