/** The audit log (operator): every administrative action — who, what, when, from where. */
import type { AuditEntry, AuditPage } from "@parley/shared";
import type { PageContext } from "./context.js";
import { button, el, emptyState, formatTime, load, section, table, timeAgo } from "./ui.js";

/** Plain words for the actions app-store.ts and the webhook routes write. */
const ACTIONS: Record<string, string> = {
  "app.create": "Created the app",
  "app.update": "Changed the app's settings",
  "app.disable": "Disabled the app",
  "app.enable": "Enabled the app",
  "licence.set": "Set the licence limits",
  "webhook.create": "Added a webhook",
  "webhook.update": "Changed a webhook",
  "webhook.delete": "Deleted a webhook",
  "webhook.secret.rotate": "Rotated a webhook's signing secret",
};

export function describeAction(action: string): string {
  const secret = /^secret\.(add|revoke)\.(\d)$/.exec(action);
  if (secret) return secret[1] === "add" ? `Added secret ${secret[2]} (rotation)` : `Revoked secret ${secret[2]}`;
  return ACTIONS[action] ?? action;
}

function describeActor(actor: string): string {
  if (actor === "operator") return "Operator";
  if (actor.startsWith("app:")) return `App ${actor.slice(4)}`;
  return actor;
}

/** An app's name next to its key when the target is an app the operator can see. */
function target(ctx: PageContext, value: string | null): Node | string {
  if (!value) return "—";
  const app = ctx.apps.find((a) => a.appKey === value);
  return el("span", {}, [...(app ? [el("span", { text: `${app.name} ` })] : []), el("code", { text: value })]);
}

export async function renderAudit(ctx: PageContext): Promise<void> {
  ctx.root.append(el("h1", { text: "Audit log" }), el("p", { className: "muted", text: "Every administrative action, newest first." }));
  const refreshButton = button("Refresh", () => void page(null));
  const body = section(ctx.root, "Actions", [refreshButton]);
  const more = el("div", { className: "more" });
  body.after(more);
  const rows: AuditEntry[] = [];
  const page = async (cursor: string | null) => {
    if (cursor === null) rows.length = 0;
    more.replaceChildren();
    const result = await load(
      body,
      () => ctx.api.get<AuditPage>(`/v1/audit?limit=50${cursor ? `&cursor=${cursor}` : ""}`),
      (p) => {
        rows.push(...p.entries);
        if (rows.length === 0)
          return emptyState("Nothing has been changed yet.", "Creating apps, rotating secrets and changing webhooks are recorded here.");
        return table(rows, [
          { title: "When", cell: (e) => el("time", { text: formatTime(e.at), attrs: { datetime: e.at, title: timeAgo(e.at) } }) },
          { title: "Who", cell: (e) => describeActor(e.actor) },
          { title: "What", cell: (e) => el("span", { text: describeAction(e.action), attrs: { title: e.action } }) },
          { title: "On", cell: (e) => target(ctx, e.target) },
          { title: "From", cell: (e) => e.ip ?? "unknown" },
        ]);
      },
      { quiet: cursor !== null },
    );
    if (result?.nextCursor) more.replaceChildren(button("Load older", () => page(result.nextCursor)));
  };
  await page(null);
}
