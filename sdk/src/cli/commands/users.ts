import { NotifyRequest, RoomName, UserId } from "@parley/shared";
import type { Command } from "commander";
import * as z from "zod";
import { RoomsClient } from "../../server/rooms.js";
import { UsersClient } from "../../server/users.js";
import { appContext, withApp } from "../app-command.js";
import { printJson, printLines, table } from "../format.js";
import { parseInput, UsageError } from "../usage-error.js";

const CloseReason = z.string().min(1).max(256, "is longer than 256 characters");

/** App-authenticated commands: the signal locator (sessions, notify) and closing a room. */
export function usersCommands(program: Command): void {
  const context = appContext;

  withApp(program.command("sessions <user>").description("list where a user is connected right now")).action(
    async (userArg: string, _options: unknown, cmd: Command) => {
      const user = parseInput(UserId, userArg, "user");
      const { url, credentials, json } = await context(cmd);
      const answer = await new UsersClient(url, credentials).sessions(user);
      if (json) return printJson(answer);
      if (answer.sessions.length === 0) return printLines([`${user} has no live sessions`]);
      const rows = answer.sessions.map((s) => [
        s.room,
        s.member,
        s.connected ? "connected" : "dropped",
        new Date(s.joinedAt).toISOString(),
      ]);
      printLines(table(["ROOM", "MEMBER", "STATE", "JOINED"], rows));
    },
  );

  withApp(program.command("notify <user>").description("send a notification to every socket the user has joined with"))
    .requiredOption("--data <json>", 'a JSON object, e.g. \'{"invite":"room-1"}\'')
    .action(async (userArg: string, options: { data: string }, cmd: Command) => {
      const user = parseInput(UserId, userArg, "user");
      let data: unknown;
      try {
        data = JSON.parse(options.data);
      } catch {
        throw new UsageError("--data is not valid JSON");
      }
      if (typeof data !== "object" || data === null || Array.isArray(data))
        throw new UsageError('--data must be a JSON object, e.g. \'{"invite":"room-1"}\'');
      const body = parseInput(NotifyRequest, { data }, "--data");
      const { url, credentials, json } = await context(cmd);
      const answer = await new UsersClient(url, credentials).notify(user, body.data);
      if (json) return printJson(answer);
      printLines([`delivered to ${answer.delivered} session${answer.delivered === 1 ? "" : "s"} of ${user}`]);
    });

  withApp(program.command("close-room <room>").description("end a room: everyone in it gets room.closed and is removed"))
    .option("--reason <text>", "told to the members")
    .action(async (roomArg: string, options: { reason?: string }, cmd: Command) => {
      const room = parseInput(RoomName, roomArg, "room");
      const reason = options.reason === undefined ? undefined : parseInput(CloseReason, options.reason, "--reason");
      const { url, credentials, json } = await context(cmd);
      const answer = await new RoomsClient(url, credentials).close(room, reason);
      if (json) return printJson(answer);
      printLines([`room ${answer.room} closed; ${answer.removed} member${answer.removed === 1 ? "" : "s"} removed`]);
    });
}
