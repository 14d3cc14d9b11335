/** Call records: search (room, user, time) with paging, and one call with its quality charts. */
import type { CallDetail, CallPage, CallSummary } from "@parley/shared";
import type { PageContext } from "./context.js";
import { stat } from "./fleet.js";
import { QualityCharts } from "./quality-chart.js";
import { badge, button, el, emptyState, errorState, formatDuration, formatTime, link, load, section, spinner, table, when } from "./ui.js";

export async function renderCalls(ctx: PageContext): Promise<void> {
  const appKey = ctx.appKey as string;
  const form = el("form", { className: "search-form", attrs: { role: "search" } }, [
    field("Room", el("input", { attrs: { name: "room", maxlength: "128", placeholder: "any room" } })),
    field("User", el("input", { attrs: { name: "user", maxlength: "128", placeholder: "any user" } })),
    field("From", el("input", { attrs: { name: "from", type: "datetime-local" } })),
    field("To", el("input", { attrs: { name: "to", type: "datetime-local" } })),
    el("button", { text: "Search", className: "primary", attrs: { type: "submit" } }),
  ]);
  ctx.root.append(
    el("h1", { text: "Calls" }),
    el("p", { className: "muted", text: "Every room session is a call. Open one to see who was in it and how it sounded." }),
    form,
  );
  const body = section(ctx.root, "Call records");
  const more = el("div", { className: "more" });
  body.after(more);

  const search = async (): Promise<void> => {
    const data = new FormData(form);
    const iso = (name: string) => {
      const v = String(data.get(name) ?? "");
      return v ? new Date(v).toISOString() : undefined;
    };
    const query = {
      room: String(data.get("room") ?? "").trim(),
      user: String(data.get("user") ?? "").trim(),
      from: iso("from"),
      to: iso("to"),
      limit: 25,
    };
    const rows: CallSummary[] = [];
    const page = async (cursor: string | null) => {
      more.replaceChildren();
      const result = await load(
        body,
        () => ctx.api.get<CallPage>(ctx.api.scoped("/v1/calls", appKey, { ...query, cursor })),
        (p) => {
          rows.push(...p.calls);
          if (rows.length === 0) return emptyState("No calls match.", "Calls are recorded from the first join; try a wider search.");
          return callTable(rows);
        },
        { quiet: cursor !== null },
      );
      if (result?.nextCursor) more.replaceChildren(button("Load more", () => page(result.nextCursor)));
    };
    await page(null);
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void search();
  });
  await search();
}

function field(label: string, input: HTMLElement): HTMLElement {
  return el("label", { text: label }, [input]);
}

function callTable(rows: CallSummary[]): HTMLElement {
  return table(
    rows,
    [
      { title: "Room", cell: (c) => el("strong", { text: c.room }) },
      { title: "Started", cell: (c) => el("span", { text: formatTime(c.startedAt), attrs: { title: c.startedAt } }) },
      { title: "Duration", cell: (c) => (c.endedAt ? formatDuration(c.durationSeconds) : badge("live", "good")) },
      { title: "Members", cell: (c) => String(c.members), className: "num" },
      { title: "Call id", cell: (c) => el("code", { text: c.id }) },
    ],
    { onRow: (c) => (location.hash = `#/calls/${c.id}`), rowLabel: (c) => `Call in ${c.room}` },
  );
}

export async function renderCall(ctx: PageContext): Promise<void> {
  const appKey = ctx.appKey as string;
  const id = ctx.params[0] ?? "";
  const head = el("div", {}, [spinner("Loading the call…")]);
  ctx.root.append(el("p", {}, [link("← Calls", "#/calls")]), head);
  const path = ctx.api.scoped(`/v1/calls/${encodeURIComponent(id)}`, appKey);
  let call: CallDetail;
  try {
    call = await ctx.api.get<CallDetail>(path);
  } catch (err) {
    head.replaceChildren(errorState(err, () => void renderAgain(ctx)));
    return;
  }
  if (!ctx.current()) return;
  const stats = el("div", { className: "stats" });
  head.replaceChildren(el("h1", { text: `Call in ${call.room}` }), stats);

  const charts = new QualityCharts();
  const chartBody = section(ctx.root, "Quality over the call");
  const note = el("p", { className: "muted" });
  chartBody.append(note, charts.element);
  const endpoints = section(ctx.root, "Members");

  const paint = (c: CallDetail) => {
    stats.replaceChildren(
      stat("Started", formatTime(c.startedAt)),
      stat(
        "Duration",
        c.endedAt ? formatDuration(c.durationSeconds) : `live for ${formatDuration((Date.now() - Date.parse(c.startedAt)) / 1000)}`,
        c.endedAt ? "neutral" : "good",
      ),
      stat("Members", String(c.members)),
      stat("Quality samples", String(c.quality.filter((q) => q.source === "sdk").length)),
    );
    note.textContent =
      c.quality.length === 0
        ? "No quality reports yet: each client sends one every few seconds while it is in the call."
        : "From the clients' own reports: what each member sent, the worst loss it received, its round-trip time and the MOS estimate.";
    charts.update(c);
    endpoints.replaceChildren(
      c.endpoints.length === 0
        ? emptyState("Nobody joined this call.")
        : table(c.endpoints, [
            { title: "User", cell: (m) => el("strong", { text: m.user }) },
            { title: "Joined", cell: (m) => when(m.joinedAt) },
            { title: "Left", cell: (m) => (m.leftAt ? formatTime(m.leftAt) : badge("in the call", "good")) },
            { title: "Time in call", cell: (m) => formatDuration(m.durationSeconds) },
            { title: "Why they left", cell: (m) => m.leaveReason ?? "—" },
            {
              title: "Client",
              cell: (m) =>
                m.client
                  ? `${m.client.sdk} ${m.client.version}${m.client.browser ? ` · ${m.client.browser}` : ""}${m.client.platform ? ` · ${m.client.platform}` : ""}`
                  : "—",
            },
          ]),
    );
  };
  paint(call);
  // a live call keeps growing: redraw from the record while the page is open
  if (!call.endedAt) {
    ctx.every(4000, async () => {
      const next = await ctx.api.get<CallDetail>(path).catch(() => null);
      if (next && ctx.current()) paint(next);
    });
  }
}

function renderAgain(ctx: PageContext): void {
  ctx.root.replaceChildren();
  void renderCall(ctx);
}
