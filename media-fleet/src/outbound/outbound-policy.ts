/**
 * The node's outbound-target policy (shared/src/outbound-target.ts), process-wide like the node's
 * other configuration: set once at start from OUTBOUND_ALLOW (config.ts), strict (public targets
 * only) until then. Every connection the node makes for a tenant — watermark images, S3 endpoints,
 * RTMP pushes — is checked against it at connect time, with the address it actually uses.
 */
import { OutboundPolicy } from "@parley/shared";

let current = new OutboundPolicy();

export function setOutboundPolicy(policy: OutboundPolicy): void {
  current = policy;
}

export function outboundPolicy(): OutboundPolicy {
  return current;
}
