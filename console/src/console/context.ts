/** What a page gets: the API, its container, the app in scope, and timers tied to its lifetime. */
import type { AppInfo } from "@parley/shared";
import type { Api } from "./api.js";

export interface PageContext {
  api: Api;
  root: HTMLElement;
  /** The app app-scoped pages show: the signed-in app, or the operator's pick. */
  appKey: string | null;
  /** The operator's apps (empty for an app session). */
  apps: AppInfo[];
  /** Path segments after the page name, e.g. ["c_123"] for #/calls/c_123. */
  params: string[];
  /** Runs `fn` every `ms` while this page is shown (live views). */
  every(ms: number, fn: () => Promise<unknown>): void;
  /** False once the person went to another page: late answers must not paint over it. */
  current(): boolean;
  /** Re-reads the apps list (after a change on the apps page). */
  refreshApps(): Promise<void>;
}

export type Page = (ctx: PageContext) => Promise<void> | void;
