/** Recordings of the app in scope: status, files, and time-limited play/download links. */
import type { RecordingFileInfo, RecordingInfo, RecordingPage } from "@parley/shared";
import { ApiError } from "./api.js";
import type { PageContext } from "./context.js";
import {
  badge,
  button,
  describeError,
  el,
  emptyState,
  formatBytes,
  formatDuration,
  formatTime,
  load,
  section,
  type Tone,
  table,
} from "./ui.js";

interface LinkAnswer {
  expiresAt: string;
  files: { file: string; kind: "audio" | "video"; member: string | null; url: string }[];
}

const STATUS_TONE: Record<string, Tone> = { recording: "good", uploading: "fair", available: "good", failed: "poor" };

export async function renderRecordings(ctx: PageContext): Promise<void> {
  const appKey = ctx.appKey as string;
  ctx.root.append(
    el("h1", { text: "Recordings" }),
    el("p", { className: "muted", text: "Select a recording to see its files and play or download them." }),
  );
  const body = section(ctx.root, "Recordings");
  const detail = el("div");
  ctx.root.append(detail);
  await load(
    body,
    () => ctx.api.get<RecordingPage>(ctx.api.scoped("/v1/recordings", appKey, { limit: 50 })),
    ({ recordings }) =>
      recordings.length === 0
        ? emptyState("No recordings yet.", "Start one with POST /v1/rooms/:room/recordings while people are in the room.")
        : table(
            recordings,
            [
              { title: "Room", cell: (r) => el("strong", { text: r.room }) },
              { title: "Status", cell: (r) => badge(r.status, STATUS_TONE[r.status] ?? "neutral") },
              { title: "Started", cell: (r) => formatTime(r.startedAt) },
              { title: "Length", cell: (r) => (r.endedAt ? formatDuration(r.durationSeconds) : "recording…") },
              { title: "Size", cell: (r) => formatBytes(r.sizeBytes), className: "num" },
              { title: "Files", cell: (r) => String(r.files.length), className: "num" },
              { title: "Who", cell: (r) => r.members.join(", ") || "—" },
            ],
            { onRow: (r) => showRecording(ctx, appKey, r, detail), rowLabel: (r) => `Recording of ${r.room}` },
          ),
  );
}

function showRecording(ctx: PageContext, appKey: string, rec: RecordingInfo, target: HTMLElement): void {
  target.replaceChildren();
  const body = section(target, `Recording of ${rec.room} · ${formatTime(rec.startedAt)}`);
  if (rec.error)
    body.append(el("p", { className: "state error", text: `This recording failed: ${rec.error.message} (${rec.error.code})` }));
  const player = el("div", { className: "player" });
  const linkNote = el("p", { className: "muted" });
  const links = new Map<string, string>();
  const files = el("div");
  const paint = () =>
    files.replaceChildren(
      rec.files.length === 0
        ? emptyState("No files yet.", "Files appear once the media node has written them.")
        : table(rec.files, [
            { title: "File", cell: (f) => el("code", { text: f.file }) },
            { title: "Member", cell: (f) => f.member ?? "—" },
            { title: "Kind", cell: (f) => `${f.kind} (${f.codec})` },
            { title: "Size", cell: (f) => formatBytes(f.bytes), className: "num" },
            { title: "State", cell: (f) => badge(f.status, f.status === "uploaded" ? "good" : f.status === "failed" ? "poor" : "fair") },
            { title: "", cell: (f) => fileActions(f, links.get(f.file), player) },
          ]),
    );
  body.append(linkNote, files, player);
  paint();
  if (!rec.files.some((f) => f.status === "uploaded")) {
    linkNote.textContent = "Links appear once files are uploaded.";
    return;
  }
  linkNote.textContent = "Getting download links…";
  ctx.api
    .get<LinkAnswer>(ctx.api.scoped(`/v1/recordings/${rec.id}/url`, appKey))
    .then((answer) => {
      for (const f of answer.files) links.set(f.file, f.url);
      linkNote.textContent = `Links work until ${formatTime(answer.expiresAt)}; open this recording again for fresh ones.`;
      paint();
    })
    .catch((err: unknown) => {
      linkNote.textContent =
        err instanceof ApiError && err.code === "NOT_FOUND" && /no route/.test(err.message)
          ? "This edge does not hand out download links yet (GET /v1/recordings/:id/url)."
          : `No download links: ${describeError(err)}`;
    });
}

function fileActions(file: RecordingFileInfo, url: string | undefined, player: HTMLElement): Node {
  if (!url) return el("span", { className: "muted", text: "no link" });
  const play = button("Play", () => {
    const media = el(file.kind === "video" ? "video" : "audio", { attrs: { controls: "", src: url, autoplay: "" } });
    player.replaceChildren(el("p", { className: "muted", text: `Playing ${file.file}` }), media);
  });
  return el("span", { className: "actions" }, [
    play,
    el("a", { text: "Download", className: "button-link", attrs: { href: url, download: file.file, rel: "noopener" } }),
  ]);
}
