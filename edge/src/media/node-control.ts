import {
  CONTROL_ROUTES,
  EXPORT_ROUTES,
  isErrorCode,
  ParleyError,
  RECORDING_ROUTES,
  RTMP_ROUTES,
  SNAPSHOT_ROUTES,
  signControlToken,
} from "@parley/shared";
import type { z } from "zod";

/** Every route the control server serves: media control, recordings, snapshots, exports and RTMP pushes. */
const ROUTES = { ...CONTROL_ROUTES, ...RECORDING_ROUTES, ...SNAPSHOT_ROUTES, ...EXPORT_ROUTES, ...RTMP_ROUTES };
type ControlRouteName = keyof typeof ROUTES;
type Route<N extends ControlRouteName> = (typeof ROUTES)[N];
export type ControlResponse<N extends ControlRouteName> = z.infer<Route<N>["response"]>;
export type ControlBody<N extends ControlRouteName> = Route<N>["request"] extends z.ZodType ? z.input<Route<N>["request"]> : undefined;

const CALL_TIMEOUT_MS = 10_000;

/**
 * The Room DO's client for its media node's control API. Every call carries a fresh token for
 * this node and room, bound to the exact body sent.
 */
export class NodeControl {
  readonly node: string;
  readonly #controlUrl: string;
  readonly #room: string;
  readonly #secret: string;

  constructor(options: { node: string; controlUrl: string; room: string; secret: string }) {
    this.node = options.node;
    this.#controlUrl = options.controlUrl.replace(/\/$/, "");
    this.#room = options.room;
    this.#secret = options.secret;
  }

  async call<N extends ControlRouteName>(name: N, body?: ControlBody<N>, id?: string): Promise<ControlResponse<N>> {
    const route = ROUTES[name];
    const path = route.path.replace(":room", encodeURIComponent(this.#room)).replace(":id", encodeURIComponent(id ?? ""));
    const text = route.method === "GET" || route.method === "DELETE" ? undefined : JSON.stringify(body ?? {});
    const token = await signControlToken({ secret: this.#secret, node: this.node, room: this.#room, body: text });
    let response: Response;
    try {
      response = await fetch(`${this.#controlUrl}${path}`, {
        method: route.method,
        headers: { authorization: `Bearer ${token}`, ...(text === undefined ? {} : { "content-type": "application/json" }) },
        body: text,
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch (cause) {
      throw new ParleyError("NODE_UNAVAILABLE", `media node ${this.node} did not answer; try again`, { cause });
    }
    // a body that is not JSON reads as null: the status decides what the answer means
    const json = (await response.json().catch(() => null)) as { error?: { code?: unknown; message?: unknown } } | null;
    if (!response.ok) {
      const code = json?.error?.code;
      const message = typeof json?.error?.message === "string" ? json.error.message : `media node answered HTTP ${response.status}`;
      if (isErrorCode(code)) throw new ParleyError(code, message);
      throw new ParleyError(response.status >= 500 ? "NODE_UNAVAILABLE" : "MEDIA_REJECTED", message);
    }
    const parsed = route.response.safeParse(json);
    if (!parsed.success) throw new ParleyError("NODE_UNAVAILABLE", `media node ${this.node} gave an unreadable ${name} answer`);
    return parsed.data as ControlResponse<N>;
  }
}
