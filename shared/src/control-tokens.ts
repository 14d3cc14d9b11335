/**
 * Signed tokens between the edge and media nodes (design §3): edge → node control tokens and
 * node → edge fleet tokens, both HS256 with the fleet secret, short-lived, single-use (jti) and
 * bound to the exact body (`bsh`). The schemas they protect are in control.ts.
 */
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import * as z from "zod";
import { CONTROL_LIMITS, EDGE_ISSUER, NodeId, NodeRoomId } from "./control.js";
import { ParleyError } from "./errors.js";
import { randomId } from "./token.js";

/** Claims of an edge → node control token. */
export const ControlClaims = z.object({
  iss: z.literal(EDGE_ISSUER),
  aud: NodeId,
  room: NodeRoomId,
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(8).max(64),
  /** base64url SHA-256 of the request body; when present the node refuses a different body. */
  bsh: z.string().max(64).optional(),
});
export type ControlClaims = z.infer<typeof ControlClaims>;

/** Claims of a node → edge token (heartbeats and events). */
export const FleetClaims = z.object({
  iss: NodeId,
  aud: z.literal(EDGE_ISSUER),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(8).max(64),
  bsh: z.string().max(64).optional(),
});
export type FleetClaims = z.infer<typeof FleetClaims>;

const encoder = new TextEncoder();

/** base64url SHA-256 of a body, for the `bsh` claim. */
export async function bodyHash(body: string | Uint8Array): Promise<string> {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  let binary = "";
  for (const b of digest) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

interface SignOptions {
  secret: string;
  /** The exact body that will be sent: binds the token to it (`bsh`). */
  body?: string;
  ttlSeconds?: number;
  /** Override "now" (unix seconds), for tests. */
  now?: number;
}

async function sign(claims: Record<string, unknown>, iss: string, aud: string, options: SignOptions): Promise<string> {
  if (options.secret.length < CONTROL_LIMITS.minSecretChars)
    throw new RangeError(`fleet secret must be at least ${CONTROL_LIMITS.minSecretChars} characters`);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const ttl = options.ttlSeconds ?? CONTROL_LIMITS.tokenTtlSeconds;
  const all = options.body === undefined ? claims : { ...claims, bsh: await bodyHash(options.body) };
  return new SignJWT(all)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .setJti(randomId(24))
    .sign(encoder.encode(options.secret));
}

/** Edge side: a token for one control call to `node` about `room`. Mint one per request. */
export function signControlToken(options: SignOptions & { node: string; room: string }): Promise<string> {
  NodeId.parse(options.node);
  NodeRoomId.parse(options.room);
  return sign({ room: options.room }, EDGE_ISSUER, options.node, options);
}

/** Node side: a token for one heartbeat/event POST to the edge. */
export function signFleetToken(options: SignOptions & { node: string }): Promise<string> {
  NodeId.parse(options.node);
  return sign({}, options.node, EDGE_ISSUER, options);
}

interface VerifyOptions {
  secret: string;
  /** The raw body received; checked against `bsh` when the token carries one. */
  body?: string | Uint8Array;
  now?: number;
}

/** Maps jose's failures onto Parley's stable token codes. */
function tokenError(error: unknown, audienceCode: "TOKEN_WRONG_NODE" | "TOKEN_MALFORMED"): ParleyError {
  if (error instanceof ParleyError) return error;
  if (error instanceof joseErrors.JWTExpired) return new ParleyError("TOKEN_EXPIRED", "token has expired");
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return new ParleyError("TOKEN_BAD_SIGNATURE", "token signature does not verify");
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return new ParleyError(audienceCode, "token is addressed to someone else");
    if (error.claim === "nbf" || (error.claim === "iat" && error.reason === "check_failed"))
      return new ParleyError("TOKEN_NOT_YET_VALID", "token is not valid yet");
    return new ParleyError("TOKEN_MALFORMED", `token claim ${error.claim} is invalid`);
  }
  return new ParleyError("TOKEN_MALFORMED", "token is not a valid HS256 JWT");
}

async function verify<T>(
  token: string,
  schema: z.ZodType<T>,
  expected: { issuer?: string; audience: string },
  options: VerifyOptions,
  audienceCode: "TOKEN_WRONG_NODE" | "TOKEN_MALFORMED",
): Promise<T> {
  let payload: Record<string, unknown>;
  try {
    const currentDate = options.now === undefined ? undefined : new Date(options.now * 1000);
    const verified = await jwtVerify(token, encoder.encode(options.secret), {
      algorithms: ["HS256"],
      issuer: expected.issuer,
      audience: expected.audience,
      clockTolerance: CONTROL_LIMITS.clockSkewSeconds,
      maxTokenAge: CONTROL_LIMITS.maxTokenTtlSeconds,
      requiredClaims: ["exp", "iat", "jti"],
      currentDate,
    });
    payload = verified.payload as Record<string, unknown>;
  } catch (error) {
    throw tokenError(error, audienceCode);
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success)
    throw new ParleyError("TOKEN_MALFORMED", `token claims are invalid: ${parsed.error.issues[0]?.message ?? "unknown"}`);
  const claims = parsed.data as T & { iat: number; exp: number; bsh?: string };
  if (claims.exp - claims.iat > CONTROL_LIMITS.maxTokenTtlSeconds)
    throw new ParleyError("TOKEN_MALFORMED", `token lives longer than ${CONTROL_LIMITS.maxTokenTtlSeconds} s`);
  if (claims.bsh !== undefined && claims.bsh !== (await bodyHash(options.body ?? "")))
    throw new ParleyError("TOKEN_BAD_SIGNATURE", "token was signed for a different body");
  return parsed.data;
}

/**
 * Node side: verify a control token for this node and the room named in the path.
 * Throws a ParleyError: TOKEN_MISSING | TOKEN_MALFORMED | TOKEN_BAD_SIGNATURE | TOKEN_EXPIRED |
 * TOKEN_NOT_YET_VALID (401) or TOKEN_WRONG_NODE | TOKEN_WRONG_ROOM (403). Replay (jti) is the caller's job.
 */
export async function verifyControlToken(
  token: string | undefined,
  options: VerifyOptions & { node: string; room: string },
): Promise<ControlClaims> {
  if (!token) throw new ParleyError("TOKEN_MISSING", "control calls need Authorization: Bearer <control token>");
  const claims = await verify(token, ControlClaims, { issuer: EDGE_ISSUER, audience: options.node }, options, "TOKEN_WRONG_NODE");
  if (claims.room !== options.room) throw new ParleyError("TOKEN_WRONG_ROOM", "token names a different room");
  return claims;
}

/** Edge side: verify a node's heartbeat/event token; returns the claims (iss = the node id). */
export async function verifyFleetToken(token: string | undefined, options: VerifyOptions): Promise<FleetClaims> {
  if (!token) throw new ParleyError("TOKEN_MISSING", "fleet calls need Authorization: Bearer <fleet token>");
  return verify(token, FleetClaims, { audience: EDGE_ISSUER }, options, "TOKEN_MALFORMED");
}

/** The bearer token of an Authorization header, if any. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header?.trim() ?? "");
  return match?.[1];
}
