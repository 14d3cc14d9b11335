import {
  MemberId,
  RecordingId,
  RecordingSearch,
  RecordingSettingsRequest,
  type RecordingSettingsView,
  RoomName,
  StartRoomRecordingRequest,
} from "@parley/shared";
import type { Command } from "commander";
import * as z from "zod";
import { RecordingsClient } from "../../server/recordings.js";
import { appContext, withApp } from "../app-command.js";
import { type CompositeFlags, compositeFrom, withCompositeFlags } from "../composite-flags.js";
import { printJson, printLines, table } from "../format.js";
import { wholeNumber } from "../options.js";
import { parseInput, parseJsonInput } from "../usage-error.js";

const Expires = z.number().int().min(60, "is at least 60 seconds").max(86_400, "is at most 86400 seconds");

interface StartFlags extends CompositeFlags {
  segmentSeconds?: number;
}

/** `parley recordings …`: server-side recordings and snapshots (app credentials). */
export function recordingsCommand(program: Command): void {
  const recordings = program.command("recordings").description("recordings and snapshots: start, stop, list, links (app credentials)");
  const client = async (cmd: Command) => {
    const ctx = await appContext(cmd);
    return { api: new RecordingsClient(ctx.url, ctx.credentials), json: ctx.json };
  };
  const recordingId = (arg: string) => parseInput(RecordingId, arg, "recording id");

  withApp(recordings.command("list").description("recordings, newest first"))
    .option("--room <room>", "only this room")
    .option("--from <instant>", "started at or after (ISO-8601 or unix ms)")
    .option("--to <instant>", "started before (ISO-8601 or unix ms)")
    .option("--limit <n>", "at most this many (1 to 200; default 50)", wholeNumber)
    .option("--cursor <cursor>", "the next page (printed under the list)")
    .action(async (options: { room?: string; from?: string; to?: string; limit?: number; cursor?: string }, cmd: Command) => {
      const query = { room: options.room, from: options.from, to: options.to, limit: options.limit, cursor: options.cursor };
      parseInput(RecordingSearch, query, "search");
      const { api, json } = await client(cmd);
      const page = await api.list(query);
      if (json) return printJson(page);
      if (page.recordings.length === 0) return printLines(["no recordings"]);
      const rows = page.recordings.map((r) => [r.id, r.room, r.mode, r.status, r.startedAt, `${r.files.length}`, `${r.sizeBytes}`]);
      printLines([
        ...table(["RECORDING", "ROOM", "MODE", "STATUS", "STARTED", "FILES", "BYTES"], rows),
        ...(page.nextCursor ? ["", `more: --cursor ${page.nextCursor}`] : []),
      ]);
    });

  withCompositeFlags(
    withApp(recordings.command("start <room>").description("start recording a live room (every member is told)")),
    "one mixed video instead of a file per track",
  )
    .option("--segment-seconds <n>", "start a new file every n seconds", wholeNumber)
    .action(async (roomArg: string, options: StartFlags, cmd: Command) => {
      const room = parseInput(RoomName, roomArg, "room");
      const composite = compositeFrom(options);
      const request = {
        ...(composite ? { mode: "composite" as const, composite } : {}),
        ...(options.segmentSeconds === undefined ? {} : { segmentSeconds: options.segmentSeconds }),
      };
      const checked = parseInput(StartRoomRecordingRequest, request, "recording");
      const { api, json } = await client(cmd);
      const answer = await api.start(room, checked);
      if (json) return printJson(answer);
      printLines([`recording ${answer.id} ${answer.status} (room ${room}); stop it with: parley recordings stop ${answer.id}`]);
    });

  withApp(recordings.command("stop <id>").description("stop a recording")).action(async (idArg: string, _o: unknown, cmd: Command) => {
    const id = recordingId(idArg);
    const { api, json } = await client(cmd);
    const answer = await api.stop(id);
    if (json) return printJson(answer);
    printLines([`recording ${answer.id}: ${answer.status}`]);
  });

  withApp(recordings.command("show <id>").description("one recording and its files")).action(
    async (idArg: string, _o: unknown, cmd: Command) => {
      const id = recordingId(idArg);
      const { api, json } = await client(cmd);
      const r = await api.get(id);
      if (json) return printJson(r);
      printLines([
        `Recording: ${r.id}`,
        `Room:      ${r.room}${r.callId ? ` (call ${r.callId})` : ""}`,
        `Mode:      ${r.mode}`,
        `Status:    ${r.status}${r.error ? ` (${r.error.code}: ${r.error.message})` : ""}`,
        `Started:   ${r.startedAt}`,
        `Ended:     ${r.endedAt ?? "-"}`,
        `Storage:   ${r.storage}, ${r.sizeBytes} bytes`,
        `Members:   ${r.members.join(", ") || "-"}`,
        "",
        ...table(
          ["FILE", "KIND", "MEMBER", "STATUS", "BYTES"],
          r.files.map((f) => [f.file, f.kind, f.member ?? "-", f.status, f.bytes === null ? "-" : `${f.bytes}`]),
        ),
      ]);
    },
  );

  withApp(recordings.command("url <id>").description("time-limited download links to a recording's files"))
    .option("--expires <seconds>", "link lifetime (60 to 86400; default 3600)", wholeNumber)
    .action(async (idArg: string, options: { expires?: number }, cmd: Command) => {
      const id = recordingId(idArg);
      const expires = options.expires === undefined ? undefined : parseInput(Expires, options.expires, "--expires");
      const { api, json } = await client(cmd);
      const links = await api.downloadLinks(id, expires);
      if (json) return printJson(links);
      if (links.files.length === 0) return printLines([`recording ${id} has no uploaded files yet`]);
      printLines([`links expire at ${links.expiresAt}`, ...links.files.map((f) => `${f.file}  ${f.url}`)]);
    });

  withApp(recordings.command("snapshot <room> <member>").description("a JPEG of a member's camera, stored like a recording")).action(
    async (roomArg: string, memberArg: string, _o: unknown, cmd: Command) => {
      const room = parseInput(RoomName, roomArg, "room");
      const member = parseInput(MemberId, memberArg, "member");
      const { api, json } = await client(cmd);
      const answer = await api.snapshot(room, member);
      if (json) return printJson(answer);
      printLines([`snapshot ${answer.id} ${answer.status}; read it with: parley recordings url ${answer.id}`]);
    },
  );

  withApp(recordings.command("settings").description("the app's recording settings: storage, composite defaults, auto-record"))
    .option("--set <json>", 'replace them, e.g. \'{"storage":{"kind":"nas","folder":"team-a"},"autoRecord":{"mode":"tracks"}}\'')
    .action(async (options: { set?: string }, cmd: Command) => {
      const next =
        options.set === undefined ? undefined : parseInput(RecordingSettingsRequest, parseJsonInput(options.set, "--set"), "settings");
      const { api, json } = await client(cmd);
      const settings = next === undefined ? await api.settings() : await api.updateSettings(next);
      if (json) return printJson(settings);
      printLines(settingsLines(settings));
    });
}

function settingsLines(s: RecordingSettingsView): string[] {
  const storage =
    s.storage.kind === "nas"
      ? `nas, folder ${s.storage.folder ?? "(the NAS folder itself)"}`
      : `s3 ${s.storage.endpoint ?? "aws"} bucket ${s.storage.bucket} prefix "${s.storage.prefix}" key ${s.storage.accessKeyId} (secret ${s.storage.secretAccessKeySet ? "set" : "missing"})`;
  return [
    `Version:    ${s.version}${s.version === 0 ? " (none stored: each node's own storage and defaults)" : ` (${s.updatedAt})`}`,
    `Storage:    ${storage}`,
    `Composite:  ${JSON.stringify(s.composite)}`,
    `Segments:   ${s.segmentSeconds === null ? "node default" : `${s.segmentSeconds} s`}`,
    `Auto-record: ${s.autoRecord === null ? "off" : JSON.stringify(s.autoRecord)}`,
  ];
}
