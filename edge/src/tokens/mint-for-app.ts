import { type Grants, mintToken, type SecretSlot } from "@parley/shared";
import type { AppRecord } from "../apps/app-store.js";

/** Mints a token with one of the app's secrets; answers it with its expiry, as the token routes do. */
export async function mintForApp(
  app: AppRecord,
  slot: SecretSlot,
  claims: { room: string; user: string; ttlSeconds: number; grants?: Grants; name?: string },
): Promise<{ token: string; expiresAt: string }> {
  const now = Math.floor(Date.now() / 1000);
  const token = await mintToken({ appKey: app.appKey, appSecret: app.secrets[slot] as string, slot, now, ...claims });
  return { token, expiresAt: new Date((now + claims.ttlSeconds) * 1000).toISOString() };
}
