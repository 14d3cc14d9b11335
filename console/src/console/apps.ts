/** Apps and licences (operator): create, add and revoke secrets (rotation), limits, disable/enable. */
import type { AppInfo, CreatedApp, CreatedSecret, Licence } from "@parley/shared";
import type { PageContext } from "./context.js";
import { badge, button, confirmDialog, describeError, el, emptyState, load, section, showSecret } from "./ui.js";

interface UsageAnswer {
  usage: { rooms: number; users: number };
}

export async function renderApps(ctx: PageContext): Promise<void> {
  const status = el("p", { className: "flash", attrs: { role: "status", "aria-live": "polite" } });
  const createForm = el("form", { className: "inline-form" }, [
    el("label", { text: "New app " }, [
      el("input", { attrs: { name: "name", required: "", maxlength: "128", placeholder: "name, e.g. Acme production" } }),
    ]),
    el("button", { text: "Create app", className: "primary", attrs: { type: "submit" } }),
  ]);
  ctx.root.append(
    el("h1", { text: "Apps and licences" }),
    el("p", {
      className: "muted",
      text: "Each app has an AppKey and up to two secrets: add the second, move your back end to it, then revoke the first.",
    }),
    status,
  );
  const body = section(ctx.root, "Apps", [createForm]);
  const flash = (text: string, kind: "info" | "error" = "info") => {
    status.textContent = text;
    status.dataset.kind = kind;
  };
  const refresh = async () => {
    await load(
      body,
      () => ctx.api.get<{ apps: AppInfo[] }>("/v1/apps"),
      ({ apps }) =>
        apps.length === 0
          ? emptyState("No apps yet.", "Create one above: its secret is shown once, so have somewhere safe to put it.")
          : el(
              "div",
              { className: "app-list" },
              apps.map((app) => appCard(ctx, app, act)),
            ),
    );
    await ctx.refreshApps().catch(() => undefined);
  };
  /** Runs a change, says what happened, and re-reads the list. */
  const act = async (what: string, change: () => Promise<void>) => {
    try {
      await change();
      flash(what);
    } catch (err) {
      flash(`Could not do that: ${describeError(err)}`, "error");
    }
    await refresh();
  };
  createForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const name = String(new FormData(createForm).get("name") ?? "").trim();
    void act(`App “${name}” created.`, async () => {
      const created = await ctx.api.request<CreatedApp>("POST", "/v1/apps", { name });
      createForm.reset();
      showSecret(
        `App “${created.name}” created`,
        [
          ["AppKey", created.appKey],
          ["AppSecret", created.appSecret],
        ],
        "This secret is shown only now. Store it in your back end's secret store; Parley keeps it sealed and cannot show it again.",
      );
    });
  });
  await refresh();
}

type Act = (what: string, change: () => Promise<void>) => Promise<void>;

function appCard(ctx: PageContext, app: AppInfo, act: Act): HTMLElement {
  const path = `/v1/apps/${app.appKey}`;
  const usage = el("span", { className: "muted", text: "…" });
  void ctx.api
    .get<UsageAnswer>(`${path}/usage`)
    .then(
      ({ usage: u }) =>
        (usage.textContent = `${u.users} user${u.users === 1 ? "" : "s"} in ${u.rooms} room${u.rooms === 1 ? "" : "s"} now`),
    )
    .catch(() => (usage.textContent = "usage unavailable"));

  const secretButtons =
    app.secretSlots.length < 2
      ? [
          button("Add secret (rotate)", () =>
            act(`A new secret was added to ${app.name}.`, async () => {
              const created = await ctx.api.request<CreatedSecret>("POST", `${path}/secrets`);
              showSecret(
                `New secret for “${app.name}” (slot ${created.slot})`,
                [["AppSecret", created.appSecret]],
                "Shown only now. Tokens signed with either secret work until you revoke the old one.",
              );
            }),
          ),
        ]
      : [];
  const revokeButtons =
    app.secretSlots.length > 1
      ? app.secretSlots.map((slot) =>
          button(
            `Revoke secret ${slot}`,
            async () => {
              if (
                !(await confirmDialog(
                  `Revoke secret ${slot}?`,
                  `Tokens signed with secret ${slot} of “${app.name}” stop working at once.`,
                  "Revoke",
                  true,
                ))
              )
                return;
              await act(`Secret ${slot} of ${app.name} was revoked.`, () => ctx.api.request("DELETE", `${path}/secrets/${slot}`));
            },
            "danger-outline",
          ),
        )
      : [];
  const toggle = app.disabled
    ? button("Enable", () => act(`${app.name} is enabled.`, () => ctx.api.request("PATCH", path, { disabled: false })))
    : button(
        "Disable",
        async () => {
          if (
            !(await confirmDialog(
              `Disable “${app.name}”?`,
              "New connections and API calls with its credentials are refused until you enable it again.",
              "Disable",
              true,
            ))
          )
            return;
          await act(`${app.name} is disabled.`, () => ctx.api.request("PATCH", path, { disabled: true }));
        },
        "danger-outline",
      );

  return el("article", { className: "app-card", attrs: { "data-app": app.appKey, "aria-label": `App ${app.name}` } }, [
    el("header", {}, [el("h3", { text: app.name }), app.disabled ? badge("disabled", "poor") : badge("active", "good")]),
    el("dl", {}, [
      ...pair("AppKey", el("code", { text: app.appKey })),
      ...pair(
        "Secrets",
        el(
          "span",
          {},
          [1, 2].map((s) =>
            badge(
              `slot ${s}${app.secretSlots.includes(s as 1 | 2) ? "" : " empty"}`,
              app.secretSlots.includes(s as 1 | 2) ? "good" : "neutral",
            ),
          ),
        ),
      ),
      ...pair("Licence", el("span", { text: describeLicence(app.licence) })),
      ...pair("Live", usage),
      ...pair("Created", el("span", { text: new Date(app.createdAt).toLocaleDateString() })),
    ]),
    el("div", { className: "actions" }, [
      ...secretButtons,
      ...revokeButtons,
      button("Set limits", () => editLicence(ctx, app, act)),
      toggle,
    ]),
  ]);
}

function pair(term: string, value: Node): HTMLElement[] {
  return [el("dt", { text: term }), el("dd", {}, [value])];
}

function describeLicence(l: Licence): string {
  const parts = [
    l.maxUsers === null ? "unlimited users" : `${l.maxUsers} users`,
    l.maxRooms === null ? "unlimited rooms" : `${l.maxRooms} rooms`,
    l.expiresAt === null ? "no expiry" : `expires ${new Date(l.expiresAt).toLocaleString()}`,
  ];
  return parts.join(" · ");
}

/** The licence form in a dialog: empty means unlimited (or no expiry). */
async function editLicence(ctx: PageContext, app: AppInfo, act: Act): Promise<void> {
  const l = app.licence;
  const localTime = (iso: string) => new Date(new Date(iso).getTime() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const form = el("form", { className: "dialog-form", attrs: { method: "dialog" } }, [
    el("label", { text: "Concurrent users" }, [
      el("input", { attrs: { name: "maxUsers", type: "number", min: "0", placeholder: "unlimited", value: l.maxUsers?.toString() ?? "" } }),
    ]),
    el("label", { text: "Concurrent rooms" }, [
      el("input", { attrs: { name: "maxRooms", type: "number", min: "0", placeholder: "unlimited", value: l.maxRooms?.toString() ?? "" } }),
    ]),
    el("label", { text: "Expires" }, [
      el("input", { attrs: { name: "expiresAt", type: "datetime-local", value: l.expiresAt ? localTime(l.expiresAt) : "" } }),
    ]),
    el("p", { className: "muted", text: "Leave a field empty for no limit." }),
  ]);
  const dialog = el("dialog", { attrs: { "aria-label": `Limits of ${app.name}` } }, [el("h2", { text: `Limits of “${app.name}”` }), form]);
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  form.append(
    el("div", { className: "dialog-actions" }, [
      button("Cancel", close),
      el("button", { text: "Save limits", className: "primary", attrs: { type: "submit" } }),
    ]),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const num = (name: string) => (String(data.get(name) ?? "") === "" ? null : Number(data.get(name)));
    const expires = String(data.get("expiresAt") ?? "");
    close();
    void act(`Limits of ${app.name} saved.`, () =>
      ctx.api.request("PUT", `/v1/apps/${app.appKey}/licence`, {
        maxUsers: num("maxUsers"),
        maxRooms: num("maxRooms"),
        expiresAt: expires ? new Date(expires).toISOString() : null,
      }),
    );
  });
  document.body.append(dialog);
  dialog.showModal();
}
