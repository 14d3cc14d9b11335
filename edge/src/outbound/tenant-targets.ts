/**
 * Where the edge applies the outbound-target policy (shared/src/outbound-target.ts) to the URLs a
 * tenant gives: at create/update time, so a refused target is answered TARGET_NOT_ALLOWED at once.
 * Workers have no DNS API, so the edge checks literal addresses, the hosts the operator lists in
 * OUTBOUND_ALLOW and names that are internal by their look; the media node resolves names and checks
 * the address each connection uses. The Webhook DO checks again before every delivery.
 */
import type { OutboundTarget } from "@parley/shared";
import { config } from "../config/index.js";
import type { Env } from "../env.js";

export interface TenantTarget {
  /** The request field, for the message (e.g. `storage.endpoint`). */
  field: string;
  url: string | null | undefined;
}

/** Throws TARGET_NOT_ALLOWED for the first URL the policy refuses; absent URLs are skipped. */
export function checkTenantTargets(env: Env, targets: readonly TenantTarget[]): void {
  const policy = config(env).outbound;
  for (const { field, url } of targets) if (url) policy.targetWithoutDns(url, field);
}

/** The same check for one URL, returning what it reaches. */
export function tenantTarget(env: Env, url: string, field: string): OutboundTarget {
  return config(env).outbound.targetWithoutDns(url, field);
}
