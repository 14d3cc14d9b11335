/** Building blocks every console page uses: sections, tables, loading/empty/error states, formats. */
import { el } from "../dom.js";
import { ApiError } from "./api.js";

export { el };

/** A page section: a panel with a heading, optional actions on the right, and a body. */
export function section(parent: HTMLElement, title: string, actions: Node[] = []): HTMLElement {
  const body = el("div", { className: "section-body" });
  parent.append(
    el("section", { className: "panel card" }, [el("header", { className: "card-head" }, [el("h2", { text: title }), ...actions]), body]),
  );
  return body;
}

export function spinner(text = "Loading…"): HTMLElement {
  return el("p", { className: "state loading", text, attrs: { role: "status" } });
}

export function emptyState(title: string, hint = ""): HTMLElement {
  return el("div", { className: "state empty" }, [
    el("strong", { text: title }),
    ...(hint ? [el("p", { className: "muted", text: hint })] : []),
  ]);
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.code === "NETWORK" ? err.message : `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}

export function errorState(err: unknown, retry?: () => void): HTMLElement {
  const box = el("div", { className: "state error", attrs: { role: "alert" } }, [
    el("strong", { text: "Could not load this." }),
    el("p", { text: describeError(err) }),
  ]);
  if (retry) box.append(button("Try again", retry));
  return box;
}

export function button(text: string, onClick: () => void | Promise<void>, className = ""): HTMLButtonElement {
  const b = el("button", { text, className, attrs: { type: "button" } });
  b.addEventListener("click", () => {
    const done = onClick();
    if (done instanceof Promise) {
      b.disabled = true;
      void done.finally(() => (b.disabled = false));
    }
  });
  return b;
}

/**
 * Fills `target` from `fetcher`: a spinner the first time, then the result, an empty state or
 * the error with a retry. `quiet` refreshes (polling) keep what is shown until the answer arrives.
 */
export async function load<T>(
  target: HTMLElement,
  fetcher: () => Promise<T>,
  show: (data: T) => Node,
  opts: { quiet?: boolean } = {},
): Promise<T | null> {
  if (!opts.quiet) target.replaceChildren(spinner());
  target.setAttribute("aria-busy", "true");
  try {
    const data = await fetcher();
    target.replaceChildren(show(data));
    return data;
  } catch (err) {
    target.replaceChildren(errorState(err, () => void load(target, fetcher, show)));
    return null;
  } finally {
    target.removeAttribute("aria-busy");
  }
}

export interface Column<T> {
  title: string;
  cell: (row: T) => Node | string;
  className?: string;
}

export function table<T>(
  rows: T[],
  columns: Column<T>[],
  opts: { onRow?: (row: T) => void; rowLabel?: (row: T) => string } = {},
): HTMLElement {
  const head = el(
    "tr",
    {},
    columns.map((c) => el("th", { text: c.title, className: c.className ?? "" })),
  );
  const body = rows.map((row) => {
    const tr = el(
      "tr",
      {},
      columns.map((c) => {
        const value = c.cell(row);
        return el("td", { className: c.className ?? "" }, [typeof value === "string" ? document.createTextNode(value) : value]);
      }),
    );
    if (opts.onRow) {
      const open = opts.onRow;
      tr.classList.add("clickable");
      tr.tabIndex = 0;
      if (opts.rowLabel) tr.setAttribute("aria-label", opts.rowLabel(row));
      tr.addEventListener("click", () => open(row));
      tr.addEventListener("keydown", (e) => {
        if (e.key === "Enter") open(row);
      });
    }
    return tr;
  });
  return el("div", { className: "table-wrap" }, [el("table", {}, [el("thead", {}, [head]), el("tbody", {}, body)])]);
}

export type Tone = "good" | "fair" | "poor" | "neutral";

export function badge(text: string, tone: Tone = "neutral"): HTMLElement {
  return el("span", { className: "badge", text, attrs: { "data-tone": tone } });
}

export function link(text: string, href: string): HTMLAnchorElement {
  return el("a", { text, attrs: { href } });
}

export function mono(text: string): HTMLElement {
  return el("code", { text });
}

// ── formats ──────────────────────────────────────────────────────────────

export function formatTime(iso: string | number | null): string {
  if (iso === null) return "—";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function timeAgo(iso: string | number): string {
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function when(iso: string | number): HTMLElement {
  return el("time", { text: timeAgo(iso), attrs: { datetime: new Date(iso).toISOString(), title: formatTime(iso) } });
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "ongoing";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** A dialog for something shown once (a new secret): it says so, and offers to copy. */
export function showSecret(title: string, rows: [string, string][], note: string): void {
  const dialog = el("dialog", { className: "secret-dialog", attrs: { "aria-label": title } });
  const items = rows.map(([label, value]) => {
    const copy = button("Copy", async () => {
      await navigator.clipboard?.writeText(value).catch(() => undefined);
      copy.textContent = "Copied";
    });
    return el("div", { className: "secret-row" }, [
      el("span", { className: "muted", text: label }),
      el("code", { className: "secret", text: value }),
      copy,
    ]);
  });
  const close = button(
    "I have stored it",
    () => {
      dialog.close();
      dialog.remove();
    },
    "primary",
  );
  dialog.append(
    el("h2", { text: title }),
    el("p", { className: "warning", text: note }),
    ...items,
    el("div", { className: "dialog-actions" }, [close]),
  );
  document.body.append(dialog);
  dialog.showModal();
}

/** A small inline form in a dialog; resolves with the form's values, or null when cancelled. */
export function confirmDialog(title: string, text: string, confirmLabel: string, danger = false): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = el("dialog", { attrs: { "aria-label": title } });
    const done = (ok: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    dialog.append(
      el("h2", { text: title }),
      el("p", { text }),
      el("div", { className: "dialog-actions" }, [
        button("Cancel", () => done(false)),
        button(confirmLabel, () => done(true), danger ? "danger" : "primary"),
      ]),
    );
    dialog.addEventListener("cancel", () => done(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}
