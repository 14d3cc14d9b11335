/**
 * The Parley operator console (served by the edge at /console): sign in with the operator key or
 * an app's AppKey and AppSecret, then fleet, live rooms, calls with quality charts, recordings,
 * apps and licences, webhooks and the audit log. Plain DOM and hash routes (#/calls/c_…).
 */
import type { AppInfo } from "@parley/shared";
import { byId } from "../dom.js";
import { Api, ApiError, loadSelectedApp, loadSession, type Session, saveSelectedApp, saveSession } from "./api.js";
import { renderApps } from "./apps.js";
import { renderAudit } from "./audit.js";
import { renderCall, renderCalls } from "./calls.js";
import type { Page, PageContext } from "./context.js";
import { renderFleet } from "./fleet.js";
import { renderRecordings } from "./recordings.js";
import { renderRoom, renderRooms } from "./rooms.js";
import { describeError, el, emptyState } from "./ui.js";
import { renderWebhooks } from "./webhooks.js";

interface Route {
  title: string;
  page: Page;
  detail?: Page;
  operatorOnly?: boolean;
  /** Shows one app's data: needs an app in scope. */
  scoped?: boolean;
}

const ROUTES: Record<string, Route> = {
  fleet: { title: "Fleet", page: renderFleet, operatorOnly: true },
  rooms: { title: "Live rooms", page: renderRooms, detail: renderRoom, scoped: true },
  calls: { title: "Calls", page: renderCalls, detail: renderCall, scoped: true },
  recordings: { title: "Recordings", page: renderRecordings, scoped: true },
  apps: { title: "Apps and licences", page: renderApps, operatorOnly: true },
  webhooks: { title: "Webhooks", page: renderWebhooks, scoped: true },
  audit: { title: "Audit log", page: renderAudit, operatorOnly: true },
};

const signInForm = byId("sign-in", HTMLFormElement);
const signInError = byId("sign-in-error", HTMLElement);
const shell = byId("shell", HTMLElement);
const nav = byId("nav", HTMLElement);
const main = byId("page", HTMLElement);
const who = byId("who", HTMLElement);
const appPicker = byId("app-picker", HTMLSelectElement);
const appField = byId("app-field", HTMLElement);

let api: Api | null = null;
let apps: AppInfo[] = [];
let generation = 0;
let timers: ReturnType<typeof setInterval>[] = [];

function signOut(message = ""): void {
  saveSession(null);
  api = null;
  for (const t of timers) clearInterval(t);
  timers = [];
  shell.hidden = true;
  signInForm.hidden = false;
  signInError.textContent = message;
  document.body.dataset.state = "signed-out";
}

async function signIn(session: Session): Promise<void> {
  const candidate = new Api(session, () => signOut("Your credentials were refused. Sign in again."));
  // one cheap authenticated read proves the credentials before the console opens
  if (session.kind === "operator") apps = (await candidate.get<{ apps: AppInfo[] }>("/v1/apps")).apps;
  else await candidate.get("/v1/calls?limit=1");
  api = candidate;
  saveSession(session);
  signInForm.hidden = true;
  shell.hidden = false;
  who.textContent = session.kind === "operator" ? "Operator" : `App ${session.appKey}`;
  for (const [name, route] of Object.entries(ROUTES)) {
    const item = nav.querySelector<HTMLElement>(`[data-page="${name}"]`);
    if (item) item.hidden = Boolean(route.operatorOnly) && session.kind !== "operator";
  }
  fillAppPicker();
  document.body.dataset.state = "signed-in";
  if (!location.hash || location.hash === "#/") location.hash = session.kind === "operator" ? "#/fleet" : "#/rooms";
  else void show();
}

function fillAppPicker(): void {
  const selected = loadSelectedApp();
  appPicker.replaceChildren(
    ...apps.map((a) => el("option", { text: `${a.name} (${a.appKey.slice(0, 10)}…)`, attrs: { value: a.appKey } })),
  );
  const pick = apps.find((a) => a.appKey === selected) ?? apps[0];
  if (pick) appPicker.value = pick.appKey;
}

function scopeApp(): string | null {
  const session = api?.session;
  if (!session) return null;
  return session.kind === "app" ? session.appKey : appPicker.value || null;
}

/** Renders the page the hash names. */
async function show(): Promise<void> {
  if (!api) return;
  for (const t of timers) clearInterval(t);
  timers = [];
  const mine = ++generation;
  const [name = "fleet", ...params] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const route = ROUTES[name] ?? ROUTES.fleet;
  if (!route) return;
  for (const a of nav.querySelectorAll<HTMLAnchorElement>("a[data-page]")) {
    if (a.dataset.page === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  appField.hidden = !(route.scoped && api.isOperator);
  document.title = `${route.title} · Parley console`;
  main.replaceChildren();
  if (route.operatorOnly && !api.isOperator) {
    main.append(emptyState("This page is for the operator.", "Sign in with the operator key to see it."));
    return;
  }
  const appKey = scopeApp();
  if (route.scoped && !appKey) {
    main.append(emptyState("There are no apps yet.", "Create one on the Apps page; its rooms, calls and webhooks show up here."));
    return;
  }
  const ctx: PageContext = {
    api,
    root: main,
    appKey,
    apps,
    params,
    every(ms, fn) {
      const timer = setInterval(() => {
        if (mine === generation && !document.hidden) void fn();
      }, ms);
      timers.push(timer);
    },
    current: () => mine === generation,
    refreshApps: async () => {
      if (!api?.isOperator) return;
      apps = (await api.get<{ apps: AppInfo[] }>("/v1/apps")).apps;
      fillAppPicker();
    },
  };
  try {
    await ((params.length > 0 && route.detail) || route.page)(ctx);
  } catch (err) {
    if (mine === generation) main.append(emptyState("Something went wrong on this page.", describeError(err)));
  }
}

signInForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const data = new FormData(signInForm);
  const mode = String(data.get("mode"));
  const session: Session =
    mode === "operator"
      ? { kind: "operator", key: String(data.get("operatorKey")).trim() }
      : { kind: "app", appKey: String(data.get("appKey")).trim(), appSecret: String(data.get("appSecret")).trim() };
  const submit = signInForm.querySelector<HTMLButtonElement>("button[type=submit]");
  if (submit) submit.disabled = true;
  signInError.textContent = "";
  signIn(session)
    .catch((err: unknown) => {
      signInError.textContent =
        err instanceof ApiError && (err.status === 401 || err.status === 403) ? `Not accepted: ${err.message}` : describeError(err);
    })
    .finally(() => {
      if (submit) submit.disabled = false;
    });
});

// the two ways in: show the fields of the one chosen
for (const radio of signInForm.querySelectorAll<HTMLInputElement>("input[name=mode]")) {
  radio.addEventListener("change", () => {
    for (const group of signInForm.querySelectorAll<HTMLElement>("[data-mode]")) {
      group.hidden = group.dataset.mode !== radio.value;
      for (const input of group.querySelectorAll("input")) input.required = !group.hidden;
    }
  });
}

byId("sign-out", HTMLButtonElement).addEventListener("click", () => signOut("Signed out."));
appPicker.addEventListener("change", () => {
  saveSelectedApp(appPicker.value);
  void show();
});
window.addEventListener("hashchange", () => void show());

const saved = loadSession();
if (saved) {
  signIn(saved).catch((err: unknown) => signOut(`Please sign in again: ${describeError(err)}`));
} else signOut();
