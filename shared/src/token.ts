import { SignJWT } from "jose";
import * as z from "zod";
import { RoomName, UserId } from "./ids.js";
import { LIMITS } from "./limits.js";

export const GRANT_NAMES = ["publish", "subscribe", "publishData", "admin", "record", "hidden"] as const;
export type GrantName = (typeof GRANT_NAMES)[number];

export const Grants = z
  .object({
    publish: z.boolean().optional(),
    subscribe: z.boolean().optional(),
    publishData: z.boolean().optional(),
    admin: z.boolean().optional(),
    record: z.boolean().optional(),
    hidden: z.boolean().optional(),
  })
  .strict();
export type Grants = z.infer<typeof Grants>;

/** What a member may do when a token names no grants: take part, not administer. */
export const DEFAULT_GRANTS: Required<Grants> = {
  publish: true,
  subscribe: true,
  publishData: true,
  admin: false,
  record: false,
  hidden: false,
};

export function resolveGrants(grants: Grants | undefined): Required<Grants> {
  return { ...DEFAULT_GRANTS, ...grants };
}

export const SecretSlot = z.union([z.literal(1), z.literal(2)]);
export type SecretSlot = z.infer<typeof SecretSlot>;

/** JWT claims of a Parley access token (design §3). */
export const TokenClaims = z.object({
  iss: z.string().min(1),
  sub: UserId,
  room: z.union([RoomName, z.literal("*")]),
  grants: Grants.optional(),
  name: z.string().max(LIMITS.nameChars).optional(),
  iat: z.number().int(),
  nbf: z.number().int().optional(),
  exp: z.number().int(),
  jti: z.string().max(128).optional(),
});
export type TokenClaims = z.infer<typeof TokenClaims>;

export interface MintTokenOptions {
  appKey: string;
  appSecret: string;
  /** Which secret slot signs it (the token's `kid`). */
  slot?: SecretSlot;
  room: string;
  user: string;
  /** Lifetime in seconds; default one hour. */
  ttlSeconds?: number;
  grants?: Grants;
  name?: string;
  /** Seconds from now before which the token is not valid. */
  notBeforeSeconds?: number;
  /** Override "now" (unix seconds): for tests and clock-skewed callers. */
  now?: number;
}

/** Mints an HS256 access token. Runs anywhere Web Crypto does: Workers, Node, browsers. */
export async function mintToken(options: MintTokenOptions): Promise<string> {
  const ttl = options.ttlSeconds ?? 3600;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > LIMITS.maxTokenTtlSeconds) {
    throw new RangeError(`ttlSeconds must be a whole number from 1 to ${LIMITS.maxTokenTtlSeconds}`);
  }
  RoomName.or(z.literal("*")).parse(options.room);
  UserId.parse(options.user);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { room: options.room };
  if (options.grants) claims.grants = Grants.parse(options.grants);
  if (options.name !== undefined) claims.name = options.name;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid: String(options.slot ?? 1) })
    .setIssuer(options.appKey)
    .setSubject(options.user)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .setJti(randomId(16));
  if (options.notBeforeSeconds) jwt.setNotBefore(now + options.notBeforeSeconds);
  return jwt.sign(new TextEncoder().encode(options.appSecret));
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Random id from crypto.getRandomValues over a 62-letter alphabet, without modulo bias. */
export function randomId(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length))) {
      // 248 = 4 * 62: bytes above it are dropped so every letter is equally likely
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}
