/**
 * S3 endpoints a tenant gave (per-app recording settings): checked when a recording, snapshot or
 * export is accepted (so a refused endpoint is answered at once), and on every connection the S3
 * client makes, through agents that resolve with the guarded lookup.
 */
import { ParleyError, type ResolvedStorage } from "@parley/shared";
import { guardedAgents, resolveChecked } from "./guarded-lookup.js";
import { outboundPolicy } from "./outbound-policy.js";

const FIELD = "storage.endpoint";

/** Throws TARGET_NOT_ALLOWED when the storage's S3 endpoint reaches an address the policy refuses. */
export async function checkStorageTarget(storage: ResolvedStorage): Promise<void> {
  if (storage.kind !== "s3" || !storage.endpoint) return;
  const target = outboundPolicy().target(storage.endpoint, FIELD);
  if (target.address !== null) return;
  try {
    await resolveChecked(target);
  } catch (error) {
    if (error instanceof ParleyError) throw error;
    throw new ParleyError("STORAGE_UNAVAILABLE", `${FIELD} host ${target.host} does not resolve`);
  }
}

/** The S3 client's agents for `endpoint` (none for AWS's own endpoints); throws TARGET_NOT_ALLOWED for a refused literal. */
export function storageAgents(endpoint: string | undefined): ReturnType<typeof guardedAgents> | Record<string, never> {
  return endpoint ? guardedAgents(outboundPolicy().target(endpoint, FIELD)) : {};
}
