import { CallSearch } from "@parley/shared";
import type { Command } from "commander";
import * as z from "zod";
import { CallsClient } from "../../server/calls.js";
import { appContext, withApp } from "../app-command.js";
import { printJson, printLines, table } from "../format.js";
import { wholeNumber } from "../options.js";
import { parseInput } from "../usage-error.js";

const CallId = z.string().regex(/^c_[A-Za-z0-9]{8,32}$/, "call ids look like c_ followed by letters and digits");

interface ListFlags {
  room?: string;
  user?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

/** `parley calls …`: call records (app credentials). */
export function callsCommand(program: Command): void {
  const calls = program.command("calls").description("call records: search and show (app credentials)");

  withApp(calls.command("list").description("calls, newest first"))
    .option("--room <room>", "only this room")
    .option("--user <user>", "only calls this user was in")
    .option("--from <instant>", "started at or after (ISO-8601 or unix ms)")
    .option("--to <instant>", "started before (ISO-8601 or unix ms)")
    .option("--limit <n>", "at most this many (1 to 200; default 50)", wholeNumber)
    .option("--cursor <cursor>", "the next page (printed under the list)")
    .action(async (options: ListFlags, cmd: Command) => {
      const query = {
        room: options.room,
        user: options.user,
        from: options.from,
        to: options.to,
        limit: options.limit,
        cursor: options.cursor,
      };
      parseInput(CallSearch, query, "search");
      const { url, credentials, json } = await appContext(cmd);
      const page = await new CallsClient(url, credentials).search(query);
      if (json) return printJson(page);
      if (page.calls.length === 0) return printLines(["no calls"]);
      const rows = page.calls.map((c) => [
        c.id,
        c.room,
        c.startedAt,
        c.endedAt ?? "live",
        c.durationSeconds === null ? "-" : `${Math.round(c.durationSeconds)}s`,
        `${c.members}`,
      ]);
      printLines([
        ...table(["CALL", "ROOM", "STARTED", "ENDED", "DURATION", "MEMBERS"], rows),
        ...(page.nextCursor ? ["", `more: --cursor ${page.nextCursor}`] : []),
      ]);
    });

  withApp(calls.command("show <id>").description("one call: its members and quality")).action(
    async (idArg: string, _options: unknown, cmd: Command) => {
      const id = parseInput(CallId, idArg, "call id");
      const { url, credentials, json } = await appContext(cmd);
      const call = await new CallsClient(url, credentials).get(id);
      if (json) return printJson(call);
      const members = call.endpoints.map((e) => [
        e.member,
        e.user,
        e.joinedAt,
        e.leftAt ?? "-",
        e.leaveReason ?? "-",
        e.client ? [`${e.client.sdk} ${e.client.version}`, e.client.browser, e.client.platform].filter(Boolean).join(" ") : "",
      ]);
      const mos = call.quality.map((q) => q.mos).filter((m): m is number => m !== null);
      printLines([
        `Call:     ${call.id}`,
        `Room:     ${call.room}`,
        `Started:  ${call.startedAt}`,
        `Ended:    ${call.endedAt ?? "still live"}`,
        `Duration: ${call.durationSeconds === null ? "-" : `${Math.round(call.durationSeconds)}s`}`,
        `Quality:  ${mos.length === 0 ? "no reports" : `${mos.length} reports, average MOS ${(mos.reduce((a, b) => a + b, 0) / mos.length).toFixed(2)}`}`,
        "",
        ...table(["MEMBER", "USER", "JOINED", "LEFT", "REASON", "CLIENT"], members),
      ]);
    },
  );
}
