/**
 * The outbound-target policy: which hosts a URL a tenant gives (webhook, S3 endpoint, RTMP push,
 * watermark image) may reach. Only public unicast addresses, plus the hosts an operator names in
 * OUTBOUND_ALLOW (`host` or `host:port`, comma-separated), which may be loopback or private. Link-
 * local, cloud metadata, multicast, broadcast, unspecified and reserved addresses are refused
 * whatever the operator allows. IP literals are classified in every spelling a resolver accepts
 * (decimal, octal and hex IPv4, IPv4-mapped and NAT64 IPv6) with ipaddr.js.
 *
 * Pure: no DNS. The edge, which cannot resolve names, uses `targetWithoutDns` (it also refuses
 * names that are internal by their look); the media node uses `target`, then `checkResolved` on
 * every address a name resolves to, at connect time. Documented in docs/protocol.md §9.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { ParleyError } from "./errors.js";

/** The environment variable (edge binding, node variable) naming the operator's allowed hosts. */
export const OUTBOUND_ALLOW_VARIABLE = "OUTBOUND_ALLOW";

export type AddressClass = "public" | "loopback" | "private" | "linkLocal" | "metadata" | "multicast" | "unspecified" | "reserved";

/** Only these classes can be opened by the operator's allow-list. */
const ALLOWABLE: ReadonlySet<AddressClass> = new Set(["loopback", "private"]);

const CLASS_LABEL: Record<Exclude<AddressClass, "public">, string> = {
  loopback: "a loopback address",
  private: "a private address",
  linkLocal: "a link-local address",
  metadata: "a cloud metadata address",
  multicast: "a multicast or broadcast address",
  unspecified: "the unspecified address",
  reserved: "a reserved address",
};

/** Instance metadata services (AWS, GCP, Azure, ECS, Alibaba, Oracle), wherever their range is. */
const METADATA_ADDRESSES = new Set(["169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "192.0.0.192"]);
const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"]);
/** Names that are internal by their look (the edge cannot resolve them to check). */
const INTERNAL_SUFFIXES = ["localhost", "local", "internal", "localdomain", "lan", "home.arpa"];

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443, "rtmp:": 1935, "rtmps:": 443 };

const IPV4_CLASSES: Record<string, AddressClass> = {
  unicast: "public",
  loopback: "loopback",
  private: "private",
  carrierGradeNat: "private",
  linkLocal: "linkLocal",
  multicast: "multicast",
  broadcast: "multicast",
  unspecified: "unspecified",
};
const IPV6_CLASSES: Record<string, AddressClass> = {
  unicast: "public",
  loopback: "loopback",
  uniqueLocal: "private",
  linkLocal: "linkLocal",
  deprecatedSiteLocal: "linkLocal",
  multicast: "multicast",
  unspecified: "unspecified",
};

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

/** An IPv6 address that carries an IPv4 one (mapped, translated, NAT64) is the IPv4 one. */
function unwrap(address: Parsed): Parsed {
  if (address.kind() === "ipv4") return address;
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  if (range === "ipv4Mapped") return v6.toIPv4Address();
  if (range === "rfc6145" || (range === "rfc6052" && v6.parts.slice(0, 6).join(",") === "100,65435,0,0,0,0")) {
    const [hi = 0, lo = 0] = v6.parts.slice(6);
    return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  }
  return v6;
}

function parseLiteral(host: string): Parsed | null {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (!ipaddr.isValid(bare)) return null;
  try {
    return unwrap(ipaddr.parse(bare));
  } catch {
    return null;
  }
}

function classOf(address: Parsed): AddressClass {
  if (METADATA_ADDRESSES.has(address.toString())) return "metadata";
  const range = address.range();
  if (address.kind() === "ipv4") return IPV4_CLASSES[range] ?? "reserved";
  // ::/96 (IPv4-compatible, deprecated) is "unicast" to ipaddr.js but no public host lives there.
  if (range === "unicast" && (address as ipaddr.IPv6).parts.slice(0, 6).every((p) => p === 0)) return "reserved";
  return IPV6_CLASSES[range] ?? "reserved";
}

/** The class of an IP literal in any spelling; null when `address` is not one. */
export function classifyAddress(address: string): AddressClass | null {
  const parsed = parseLiteral(address.toLowerCase());
  return parsed ? classOf(parsed) : null;
}

/** One OUTBOUND_ALLOW entry: a host name or canonical IP, and a port (null: any port). */
export interface AllowedHost {
  host: string;
  port: number | null;
}

/** What a URL reaches, once the policy let it through its static checks. */
export interface OutboundTarget {
  /** The request field the URL came from, for messages. */
  field: string;
  url: URL;
  /** Lower case, without a trailing dot; a canonical IP (IPv4 for mapped IPv6) when a literal. */
  host: string;
  port: number;
  /** The address when the host is an IP literal (no lookup needed), else null. */
  address: string | null;
  /** The operator named this host (and port): it may be loopback or private. */
  allowListed: boolean;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function canonicalHost(raw: string): string {
  const host = raw.toLowerCase().replace(/\.$/, "");
  const literal = parseLiteral(host);
  return literal ? literal.toString() : host;
}

/** `host`, `host:port`, `[v6]` or `[v6]:port`; throws with a message naming the entry. */
function parseEntry(entry: string): AllowedHost {
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry);
  if (!match) throw new Error(`"${entry}" is not host or host:port`);
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) throw new Error(`"${entry}" has a port outside 1-65535`);
  const host = canonicalHost(match[1] as string);
  const literal = parseLiteral(host);
  if (literal) {
    const cls = classOf(literal);
    if (cls !== "public" && !ALLOWABLE.has(cls))
      throw new Error(`"${entry}" is ${CLASS_LABEL[cls]}, which is refused whatever OUTBOUND_ALLOW says`);
  } else if (!HOST_NAME.test(host)) {
    throw new Error(`"${entry}" is not a host name or IP address`);
  } else if (METADATA_NAMES.has(host)) {
    throw new Error(`"${entry}" is a cloud metadata host, which is refused whatever OUTBOUND_ALLOW says`);
  }
  return { host, port };
}

function notAllowed(message: string, allowable: boolean): ParleyError {
  const hint = allowable ? "only public addresses, or hosts the operator allows in OUTBOUND_ALLOW" : "refused on every deployment";
  return new ParleyError("TARGET_NOT_ALLOWED", `target not allowed: ${message} (${hint})`);
}

/** The operator's allowed hosts and the checks every tenant-given URL goes through. */
export class OutboundPolicy {
  readonly allowed: readonly AllowedHost[];

  constructor(allowed: readonly AllowedHost[] = []) {
    this.allowed = allowed;
  }

  /** Parses OUTBOUND_ALLOW (comma or space separated); throws an Error naming a bad entry. */
  static parse(text: string | undefined): OutboundPolicy {
    const entries = (text ?? "").split(/[\s,]+/).filter(Boolean);
    return new OutboundPolicy(entries.map(parseEntry));
  }

  /** The same policy with more allowed hosts (e.g. the node's own S3 endpoint, named by the operator). */
  with(extra: readonly AllowedHost[]): OutboundPolicy {
    return new OutboundPolicy([...this.allowed, ...extra]);
  }

  #allows(host: string, port: number): boolean {
    return this.allowed.some((a) => a.host === host && (a.port === null || a.port === port));
  }

  /**
   * Static checks for a caller that resolves names itself (then `checkResolved` each address):
   * IP literals by class, metadata host names always. Throws TARGET_NOT_ALLOWED.
   */
  target(url: string, field: string): OutboundTarget {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ParleyError("INVALID_REQUEST", `${field} is not a valid URL`);
    }
    // Special schemes (http, https) decode and normalise the host; others (rtmp) keep it as typed,
    // where a percent-escape would mean something else to whoever resolves it.
    if (u.hostname === "" || u.hostname.includes("%")) throw notAllowed(`${field} has no plain host`, true);
    const host = canonicalHost(u.hostname);
    const port = u.port === "" ? (DEFAULT_PORTS[u.protocol] ?? 0) : Number(u.port);
    const allowListed = this.#allows(host, port);
    const literal = parseLiteral(host);
    if (literal) {
      const cls = classOf(literal);
      if (cls !== "public" && !(allowListed && ALLOWABLE.has(cls)))
        throw notAllowed(`${field} names ${host}, ${CLASS_LABEL[cls]}`, ALLOWABLE.has(cls));
      return { field, url: u, host, port, address: literal.toString(), allowListed };
    }
    if (METADATA_NAMES.has(host)) throw notAllowed(`${field} names ${host}, a cloud metadata host`, false);
    return { field, url: u, host, port, address: null, allowListed };
  }

  /**
   * For a caller that cannot resolve names (the edge): `target`, and host names that are internal
   * by their look (localhost, *.internal, *.local, a name without a dot…) unless the operator allows them.
   */
  targetWithoutDns(url: string, field: string): OutboundTarget {
    const t = this.target(url, field);
    if (t.address !== null || t.allowListed) return t;
    const internal = !t.host.includes(".") || INTERNAL_SUFFIXES.some((s) => t.host === s || t.host.endsWith(`.${s}`));
    if (internal) throw notAllowed(`${field} names ${t.host}, an internal host name`, true);
    return t;
  }

  /** Connect-time check of one address the target's host name resolved to. Throws TARGET_NOT_ALLOWED. */
  checkResolved(target: OutboundTarget, address: string): void {
    const parsed = parseLiteral(address.toLowerCase());
    const cls = parsed ? classOf(parsed) : "reserved";
    if (cls === "public" || (target.allowListed && ALLOWABLE.has(cls))) return;
    throw notAllowed(`${target.field} host ${target.host} resolves to ${CLASS_LABEL[cls]}`, ALLOWABLE.has(cls));
  }
}

/** OUTBOUND_ALLOW as a config field: absent or empty is the strict policy (public targets only). */
export const OutboundAllowSetting = z
  .string()
  .optional()
  .transform((text, ctx) => {
    try {
      return OutboundPolicy.parse(text);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `OUTBOUND_ALLOW: ${(error as Error).message}` });
      return z.NEVER;
    }
  });

/** `host:port` of a URL (its scheme's default port when none), as an allow-list entry. */
export function allowedHostOf(url: string): AllowedHost {
  const u = new URL(url);
  return { host: canonicalHost(u.hostname), port: u.port === "" ? (DEFAULT_PORTS[u.protocol] ?? null) : Number(u.port) };
}

/** Every image watermark URL of a composite (request or settings), with its field path. */
export function compositeTargets(
  composite: { watermarks?: readonly { kind: string; url?: string | undefined }[] | undefined } | null | undefined,
  field: string,
): { field: string; url: string }[] {
  return (composite?.watermarks ?? []).flatMap((w, i) =>
    w.kind === "image" && w.url !== undefined ? [{ field: `${field}.watermarks.${i}.url`, url: w.url }] : [],
  );
}
