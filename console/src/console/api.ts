/**
 * The console's HTTP client and session. The operator key or app credentials live in
 * sessionStorage (gone when the tab closes) and travel only in the Authorization header.
 */

export type Session = { kind: "operator"; key: string } | { kind: "app"; appKey: string; appSecret: string };

const SESSION_KEY = "parley-console-session";
const APP_KEY = "parley-console-app";

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    const value = raw ? (JSON.parse(raw) as Session) : null;
    return value && (value.kind === "operator" || value.kind === "app") ? value : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else {
    sessionStorage.removeItem(SESSION_KEY);
    sessionStorage.removeItem(APP_KEY);
  }
}

/** The app an operator is looking at on app-scoped pages (rooms, calls, recordings, webhooks). */
export function loadSelectedApp(): string | null {
  return sessionStorage.getItem(APP_KEY);
}

export function saveSelectedApp(appKey: string): void {
  sessionStorage.setItem(APP_KEY, appKey);
}

/** An error answer from the edge, or a network failure (`code` NETWORK). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined | null>;

export class Api {
  constructor(
    readonly session: Session,
    private readonly onUnauthorized: () => void,
  ) {}

  get isOperator(): boolean {
    return this.session.kind === "operator";
  }

  /**
   * A path for app-scoped data. App sessions use the app routes; the operator uses the same
   * routes' operator variants with `?app=` (rooms take both; calls, recordings and webhooks
   * have read-only copies under /v1/operator).
   */
  scoped(path: string, appKey: string, query: Query = {}): string {
    if (this.session.kind === "app") return withQuery(path, query);
    const operatorPath = path.startsWith("/v1/rooms") ? path : path.replace(/^\/v1\//, "/v1/operator/");
    return withQuery(operatorPath, { ...query, app: appKey });
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: this.#authorization() };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError("NETWORK", "The edge did not answer. Check that it is running, then try again.", 0);
    }
    if (res.status === 204) return undefined as T;
    const json = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    if (res.ok && json) return json as T;
    const error = json?.error ?? { code: "INTERNAL", message: `The edge answered HTTP ${res.status}.` };
    if (res.status === 401 && error.code !== "NOT_FOUND") this.onUnauthorized();
    throw new ApiError(error.code, error.message, res.status);
  }

  #authorization(): string {
    const s = this.session;
    return s.kind === "operator" ? `Bearer ${s.key}` : `Basic ${btoa(`${s.appKey}:${s.appSecret}`)}`;
  }
}

export function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}
