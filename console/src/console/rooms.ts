/** Live rooms of the app in scope, and one room's members; both refresh while shown. */
import type { CallPage, LiveRoomDetail, LiveRoomsResponse } from "@parley/shared";
import type { PageContext } from "./context.js";
import { badge, el, emptyState, link, load, section, table, when } from "./ui.js";

const REFRESH_MS = 2000;

export async function renderRooms(ctx: PageContext): Promise<void> {
  const appKey = ctx.appKey as string;
  ctx.root.append(
    el("h1", { text: "Live rooms" }),
    el("p", { className: "muted", text: "Rooms with someone in them right now. Updates every 2 seconds." }),
  );
  const body = section(ctx.root, "Rooms");
  const refresh = (quiet: boolean) =>
    load(
      body,
      () => ctx.api.get<LiveRoomsResponse>(ctx.api.scoped("/v1/rooms", appKey)),
      ({ rooms }) => {
        if (rooms.length === 0) return emptyState("Nobody is in a call right now.", "Rooms appear here as soon as someone joins.");
        return table(
          rooms,
          [
            { title: "Room", cell: (r) => el("strong", { text: r.room }) },
            { title: "Members", cell: (r) => `${r.members}`, className: "num" },
            {
              title: "Connection",
              cell: (r) =>
                r.connected === r.members ? badge("all connected", "good") : badge(`${r.members - r.connected} reconnecting`, "fair"),
            },
            { title: "Live since", cell: (r) => when(r.since) },
          ],
          { onRow: (r) => (location.hash = `#/rooms/${encodeURIComponent(r.room)}`), rowLabel: (r) => `Room ${r.room}` },
        );
      },
      { quiet },
    );
  await refresh(false);
  ctx.every(REFRESH_MS, () => refresh(true));
}

export async function renderRoom(ctx: PageContext): Promise<void> {
  const appKey = ctx.appKey as string;
  const room = ctx.params[0] ?? "";
  const callLink = el("p", { className: "call-link muted", text: "Looking for this call's record…" });
  ctx.root.append(el("p", {}, [link("← Live rooms", "#/rooms")]), el("h1", { text: `Room ${room}` }), callLink);
  const body = section(ctx.root, "Members");
  const refresh = (quiet: boolean) =>
    load(
      body,
      () => ctx.api.get<LiveRoomDetail>(ctx.api.scoped(`/v1/rooms/${encodeURIComponent(room)}`, appKey)),
      ({ members }) => {
        if (members.length === 0) return emptyState("This room is empty.", "Everyone left; the call's record is kept under Calls.");
        return table(members, [
          { title: "User", cell: (m) => el("strong", { text: m.user }) },
          { title: "Name", cell: (m) => m.name ?? "—" },
          { title: "Member id", cell: (m) => el("code", { text: m.id }) },
          { title: "Joined", cell: (m) => when(m.joinedAt) },
          { title: "Status", cell: (m) => (m.connected ? badge("connected", "good") : badge("reconnecting", "fair")) },
          { title: "Visibility", cell: (m) => (m.hidden ? badge("hidden", "neutral") : "visible") },
        ]);
      },
      { quiet },
    );
  let found = (await Promise.all([refresh(false), findCall(ctx, appKey, room, callLink)]))[1];
  ctx.every(REFRESH_MS, async () => {
    await refresh(true);
    // the record reaches D1 a moment after the first join: keep looking until it is there
    if (!found) found = await findCall(ctx, appKey, room, callLink);
  });
}

/** The room's current call (the newest record, still open), linked to its quality charts. */
async function findCall(ctx: PageContext, appKey: string, room: string, target: HTMLElement): Promise<boolean> {
  try {
    const page = await ctx.api.get<CallPage>(ctx.api.scoped("/v1/calls", appKey, { room, limit: 1 }));
    const call = page.calls[0];
    if (!ctx.current()) return true;
    if (!call) {
      target.textContent = "No call record yet: it is written a moment after the first join.";
      return false;
    }
    target.replaceChildren(link(call.endedAt ? "Last call record and quality" : "Call record and quality →", `#/calls/${call.id}`));
    return true;
  } catch {
    target.textContent = "The call record could not be loaded.";
    return false;
  }
}
