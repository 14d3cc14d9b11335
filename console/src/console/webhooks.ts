/** Webhooks of the app in scope and their delivery log. Changes need the app's own credentials. */
import type { DeliveryPage, WebhookInfo, WebhookWithSecret } from "@parley/shared";
import type { PageContext } from "./context.js";
import {
  badge,
  button,
  confirmDialog,
  describeError,
  el,
  emptyState,
  formatTime,
  load,
  section,
  showSecret,
  type Tone,
  table,
} from "./ui.js";

/** How many event types there are (shared/src/webhooks.ts): a type-only import keeps zod out of the bundle. */
const ALL_EVENT_TYPES = 8;
const DELIVERY_TONE: Record<string, Tone> = { delivered: "good", retrying: "fair", failed: "poor" };

export async function renderWebhooks(ctx: PageContext): Promise<void> {
  const appKey = ctx.appKey as string;
  const canEdit = !ctx.api.isOperator;
  const status = el("p", { className: "flash", attrs: { role: "status", "aria-live": "polite" } });
  ctx.root.append(
    el("h1", { text: "Webhooks" }),
    el("p", {
      className: "muted",
      text: canEdit
        ? "Signed POSTs to your URLs when rooms, members and recordings change."
        : "Read-only for the operator: sign in with the app's AppKey and AppSecret to add or change webhooks.",
    }),
    status,
  );
  const createForm = el("form", { className: "inline-form" }, [
    el("label", { text: "URL " }, [
      el("input", { attrs: { name: "url", type: "url", required: "", placeholder: "https://example.com/parley", size: "32" } }),
    ]),
    el("label", { text: "Description " }, [el("input", { attrs: { name: "description", maxlength: "256", placeholder: "optional" } })]),
    el("button", { text: "Add webhook", className: "primary", attrs: { type: "submit" } }),
  ]);
  const list = section(ctx.root, "Endpoints", canEdit ? [createForm] : []);
  const filter = el("select", { attrs: { "aria-label": "Show deliveries" } }, [
    el("option", { text: "All deliveries", attrs: { value: "" } }),
    ...["delivered", "retrying", "failed"].map((s) => el("option", { text: s, attrs: { value: s } })),
  ]);
  const log = section(ctx.root, "Delivery log", [filter]);

  const act = async (what: string, change: () => Promise<void>) => {
    try {
      await change();
      status.textContent = what;
      status.dataset.kind = "info";
    } catch (err) {
      status.textContent = `Could not do that: ${describeError(err)}`;
      status.dataset.kind = "error";
    }
    await refreshList();
  };
  const refreshList = () =>
    load(
      list,
      () => ctx.api.get<{ webhooks: WebhookInfo[] }>(ctx.api.scoped("/v1/webhooks", appKey)),
      ({ webhooks }) =>
        webhooks.length === 0
          ? emptyState("No webhooks.", canEdit ? "Add a URL above to get events." : "The app has not added any.")
          : table(webhooks, [
              { title: "URL", cell: (w) => el("code", { text: w.url }) },
              { title: "Description", cell: (w) => w.description ?? "—" },
              { title: "Events", cell: (w) => (w.events.length === ALL_EVENT_TYPES ? "all" : w.events.join(", ")) },
              { title: "State", cell: (w) => (w.enabled ? badge("enabled", "good") : badge("disabled", "neutral")) },
              { title: "Added", cell: (w) => formatTime(w.createdAt) },
              { title: "", cell: (w) => (canEdit ? actions(ctx, w, act) : el("span")) },
            ]),
    );
  const refreshLog = (quiet = false) =>
    load(
      log,
      () => ctx.api.get<DeliveryPage>(ctx.api.scoped("/v1/webhooks/deliveries", appKey, { limit: 50, status: filter.value })),
      ({ deliveries }) =>
        deliveries.length === 0
          ? emptyState("No deliveries yet.", "Each attempt to deliver an event is listed here, newest first.")
          : table(deliveries, [
              { title: "When", cell: (d) => formatTime(d.at) },
              { title: "Event", cell: (d) => d.eventType },
              { title: "Attempt", cell: (d) => String(d.attempt), className: "num" },
              { title: "Result", cell: (d) => badge(d.status, DELIVERY_TONE[d.status] ?? "neutral") },
              { title: "HTTP", cell: (d) => (d.httpStatus === null ? "no answer" : String(d.httpStatus)), className: "num" },
              { title: "Took", cell: (d) => `${d.durationMs} ms`, className: "num" },
              { title: "Problem", cell: (d) => d.error ?? (d.nextAttemptAt ? `retry at ${formatTime(d.nextAttemptAt)}` : "—") },
            ]),
      { quiet },
    );
  filter.addEventListener("change", () => void refreshLog(false));
  createForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(createForm);
    const description = String(data.get("description") ?? "").trim();
    void act("Webhook added.", async () => {
      const created = await ctx.api.request<WebhookWithSecret>("POST", "/v1/webhooks", {
        url: String(data.get("url")),
        description: description || null,
      });
      createForm.reset();
      showSecret(
        "Webhook added",
        [["Signing secret", created.secret]],
        "Shown only now: verify the Parley-Signature header of each delivery with it.",
      );
    });
  });
  await Promise.all([refreshList(), refreshLog()]);
  ctx.every(10_000, () => refreshLog(true));
}

function actions(ctx: PageContext, w: WebhookInfo, act: (what: string, change: () => Promise<void>) => Promise<void>): HTMLElement {
  const path = `/v1/webhooks/${w.id}`;
  return el("span", { className: "actions" }, [
    button(w.enabled ? "Disable" : "Enable", () =>
      act(w.enabled ? "Webhook disabled." : "Webhook enabled.", () => ctx.api.request("PATCH", path, { enabled: !w.enabled })),
    ),
    button("Rotate secret", () =>
      act("Signing secret rotated.", async () => {
        const rotated = await ctx.api.request<WebhookWithSecret>("POST", `${path}/rotate-secret`);
        showSecret("New signing secret", [["Signing secret", rotated.secret]], "Shown only now. The old secret stopped signing at once.");
      }),
    ),
    button(
      "Delete",
      async () => {
        if (
          !(await confirmDialog(
            "Delete this webhook?",
            `${w.url} gets no more events; its pending deliveries are dropped.`,
            "Delete",
            true,
          ))
        )
          return;
        await act("Webhook deleted.", () => ctx.api.request("DELETE", path));
      },
      "danger-outline",
    ),
  ]);
}
