import { ParleyError, type SecretSlot } from "@parley/shared";
import { decodeProtectedHeader } from "jose";
import { type AppRecord, AppStore } from "../../apps/app-store.js";
import type { Env } from "../../env.js";
import { JWT_SHAPE, verifyAccessToken } from "../../tokens/verify.js";

/**
 * An access token with the admin grant as an API credential (design §3). Each call carries only the
 * privilege it needs: a token for one room reaches that room's routes (`/v1/rooms/<room>/…`); the
 * app-wide routes (calls, recordings, webhooks, stats…) need a token for room `*`.
 */
export async function adminTokenApp(env: Env, token: string, path: string): Promise<{ app: AppRecord; slot: SecretSlot }> {
  if (!JWT_SHAPE.test(token)) throw new ParleyError("TOKEN_MALFORMED", "a Bearer credential on app routes must be an access token (a JWT)");
  const room = roomOfPath(path);
  let identity: Awaited<ReturnType<typeof verifyAccessToken>>;
  try {
    identity = await verifyAccessToken(env, token, room ?? "*");
  } catch (error) {
    if (room === undefined && error instanceof ParleyError && error.code === "TOKEN_WRONG_ROOM") {
      throw new ParleyError("TOKEN_WRONG_ROOM", "this route covers the whole app: it needs an admin token for room *");
    }
    throw error;
  }
  if (!identity.grants.admin) throw new ParleyError("GRANT_MISSING", "API calls with an access token need the admin grant");
  const app = await new AppStore(env).get(identity.appKey);
  if (!app) throw new ParleyError("APP_UNKNOWN", "no app with that AppKey"); // deleted since verification
  return { app, slot: decodeProtectedHeader(token).kid === "2" ? 2 : 1 };
}

/** `/v1/rooms/<room>/…` → the room; undefined for app-wide routes (including the room list). */
function roomOfPath(path: string): string | undefined {
  const match = /^\/v1\/rooms\/([^/]+)/.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1] as string);
  } catch {
    // not valid percent-encoding: the raw segment, which holds a "%" no room name may, so the route refuses it
    return match[1];
  }
}
