/**
 * Where an RTMP push's ffmpeg connects. ffmpeg resolves names itself, so for plain rtmp:// the node
 * resolves and checks the name and hands ffmpeg the checked address, with the original host kept in
 * the tcUrl the server sees (`-rtmp_tcurl`, what ffmpeg would have sent). rtmps:// keeps its name —
 * TLS needs it for SNI — and is checked right before each ffmpeg start.
 */
import type { OutboundTarget } from "@parley/shared";
import { resolveChecked } from "./guarded-lookup.js";
import { outboundPolicy } from "./outbound-policy.js";

/** ffmpeg's output: options that go before the URL, and the URL. */
export interface RtmpOutput {
  options: string[];
  url: string;
}

/** The checked target of `url`; throws TARGET_NOT_ALLOWED. Called before every ffmpeg run (reconnects too). */
export async function rtmpOutput(url: string): Promise<RtmpOutput> {
  const target = outboundPolicy().target(url, "url");
  if (target.address !== null) return { options: [], url };
  const [first] = await resolveChecked(target);
  if (!first || target.url.protocol === "rtmps:") return { options: [], url };
  const host = first.family === 6 ? `[${first.address}]` : first.address;
  const rest = url.slice(url.indexOf("/", target.url.protocol.length + 2));
  return { options: ["-rtmp_tcurl", tcUrl(target)], url: `${target.url.protocol}//${host}:${target.port}${rest}` };
}

/**
 * `proto://host:port/app` as ffmpeg's rtmp protocol builds it: the app is the path's first segment,
 * or its first two when a third follows (an application instance), unless a `:` (mp4:…) comes first.
 */
function tcUrl(target: OutboundTarget): string {
  const path = target.url.pathname.replace(/^\//, "");
  const first = path.indexOf("/");
  let app = "";
  if (first >= 0) {
    const second = path.indexOf("/", first + 1);
    const colon = path.indexOf(":", first + 1);
    app = second < 0 || (colon >= 0 && colon < second) ? path.slice(0, first) : path.slice(0, second);
  }
  return `${target.url.protocol}//${target.host}:${target.port}/${app}`;
}
