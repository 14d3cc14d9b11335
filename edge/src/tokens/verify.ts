import { type Grants, LIMITS, type Licence, ParleyError, resolveGrants, TokenClaims } from "@parley/shared";
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from "jose";
import { type AppRecord, AppStore } from "../apps/app-store.js";
import type { Env } from "../env.js";
import { askAuthCentre } from "./auth-centre.js";

/** Who a verified token says the caller is, for one room. */
export interface Identity {
  appKey: string;
  room: string;
  user: string;
  name?: string;
  grants: Required<Grants>;
  /** Issued-at, unix seconds: compared with kick revocations. */
  iat: number;
  licence: Licence;
}

export const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Verifies an access token for `room`. A JWT is checked locally (no round trip); an opaque
 * token is sent to the app's auth centre when the caller names the app (`appKey`).
 */
export async function verifyAccessToken(env: Env, token: string | undefined, room: string, appKey?: string): Promise<Identity> {
  if (!token) throw new ParleyError("TOKEN_MISSING", "an access token is required (?token=...)");
  const store = new AppStore(env);
  if (!JWT_SHAPE.test(token)) {
    if (!appKey) throw new ParleyError("TOKEN_MALFORMED", "token is not a JWT; for an auth-centre token also pass ?app=<AppKey>");
    const app = await usableApp(store, appKey);
    if (!app.authCentreUrl) throw new ParleyError("TOKEN_MALFORMED", "token is not a JWT and this app has no auth-centre URL");
    const answer = await askAuthCentre(app.authCentreUrl, { token, room, appKey });
    if (answer.iat !== undefined && answer.iat > nowSeconds() + LIMITS.clockSkewSeconds) {
      throw new ParleyError("AUTH_CENTRE_FAILED", "the app's auth centre answered an iat in the future (check its clock)");
    }
    return {
      appKey,
      room,
      user: answer.user,
      name: answer.name,
      grants: resolveGrants(answer.grants),
      // without the customer's issue time the token counts as older than any kick
      iat: answer.iat ?? 0,
      licence: app.licence,
    };
  }

  let issuer: string | undefined;
  let kid: string | undefined;
  try {
    issuer = decodeJwt(token).iss;
    kid = decodeProtectedHeader(token).kid;
  } catch (cause) {
    throw new ParleyError("TOKEN_MALFORMED", "token is not a readable JWT", { cause });
  }
  if (!issuer) throw new ParleyError("TOKEN_MALFORMED", "token has no iss (the AppKey)");
  const app = await usableApp(store, issuer);
  const slot = kid === "1" ? 1 : kid === "2" ? 2 : undefined;
  if (!slot) throw new ParleyError("TOKEN_MALFORMED", "token header kid must be the secret slot, 1 or 2");
  const secret = app.secrets[slot];
  if (!secret) throw new ParleyError("TOKEN_BAD_SIGNATURE", `token is signed with secret slot ${slot}, which holds no secret (revoked?)`);

  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, await hmacKey(secret), {
      algorithms: ["HS256"],
      issuer,
      clockTolerance: LIMITS.clockSkewSeconds,
      requiredClaims: ["exp", "iat", "sub"],
    }));
  } catch (err) {
    throw mapJoseError(err);
  }
  const claims = TokenClaims.safeParse(payload);
  if (!claims.success) {
    const issue = claims.error.issues[0];
    throw new ParleyError("TOKEN_MALFORMED", `token claim ${issue?.path.join(".")}: ${issue?.message}`);
  }
  if (claims.data.iat > nowSeconds() + LIMITS.clockSkewSeconds) {
    throw new ParleyError("TOKEN_NOT_YET_VALID", "token is not valid yet (iat is in the future: check the minting clock)");
  }
  const lifetime = claims.data.exp - Math.min(claims.data.iat, claims.data.nbf ?? claims.data.iat);
  if (lifetime > app.maxTokenTtlSeconds) {
    throw new ParleyError(
      "TOKEN_LIFETIME_EXCEEDED",
      `token lives ${lifetime} s from iat/nbf to exp; this app accepts at most ${app.maxTokenTtlSeconds} s: mint shorter tokens`,
    );
  }
  if (claims.data.room !== "*" && claims.data.room !== room) {
    throw new ParleyError("TOKEN_WRONG_ROOM", `token is for room ${claims.data.room}, not ${room}`);
  }
  return {
    appKey: app.appKey,
    room,
    user: claims.data.sub,
    name: claims.data.name,
    grants: resolveGrants(claims.data.grants),
    iat: claims.data.iat,
    licence: app.licence,
  };
}

async function usableApp(store: AppStore, appKey: string): Promise<AppRecord> {
  const app = await store.get(appKey);
  if (!app) throw new ParleyError("APP_UNKNOWN", `no app with AppKey ${appKey}`);
  if (app.disabled) throw new ParleyError("APP_DISABLED", "this app is disabled; its tokens are refused");
  if (app.licence.expiresAt && Date.parse(app.licence.expiresAt) <= Date.now()) {
    throw new ParleyError("LICENCE_EXPIRED", `the app's licence expired at ${app.licence.expiresAt}`);
  }
  return app;
}

function mapJoseError(err: unknown): ParleyError {
  if (err instanceof errors.JWTExpired) return new ParleyError("TOKEN_EXPIRED", "token has expired; mint a new one");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "nbf" || err.claim === "iat") {
      return new ParleyError("TOKEN_NOT_YET_VALID", `token is not valid yet (${err.claim} is in the future)`);
    }
    return new ParleyError("TOKEN_MALFORMED", `token claim ${err.claim} is not valid: ${err.reason}`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new ParleyError("TOKEN_BAD_SIGNATURE", "token signature does not match the app's secret");
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return new ParleyError("TOKEN_MALFORMED", "tokens must be signed with HS256");
  return new ParleyError("TOKEN_MALFORMED", "token could not be verified", { cause: err });
}

/** Imported HMAC keys by secret: importing costs more than verifying, and every join verifies. */
const hmacKeys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    if (hmacKeys.size > 1000) hmacKeys.clear(); // bounded: two slots per app
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    hmacKeys.set(secret, key);
  }
  return key;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
