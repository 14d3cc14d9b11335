/** Explicit size and rate limits, shared so clients can check before they send. */
export const LIMITS = {
  /** Largest signalling frame the edge reads, in bytes (UTF-8). */
  frameBytes: 32 * 1024,
  /** Largest text message, in bytes of UTF-8. */
  messageTextBytes: 4096,
  /** Largest member metadata, in bytes of its JSON (UTF-8). */
  metadataBytes: 1024,
  /** Largest display name, in characters. */
  nameChars: 64,
  /** Largest notification payload (signal locator), in bytes of its JSON. */
  notifyBytes: 4096,
  /** Largest HTTP JSON body the public API reads, in bytes. */
  httpBodyBytes: 64 * 1024,
  /** Token clock skew tolerated, in seconds. */
  clockSkewSeconds: 10,
  /**
   * Longest access-token lifetime, in seconds (7 days): the edge mints none longer and refuses, at
   * verification, a token whose `exp` is further than this from its `iat` (or earlier `nbf`). An
   * app may have a shorter maximum (`maxTokenTtlSeconds`), never a longer one.
   */
  maxTokenTtlSeconds: 7 * 24 * 3600,
  /** Shortest maximum token lifetime an operator may give an app, in seconds. */
  minAppTokenTtlSeconds: 60,
  /**
   * How long a kick's revocation is kept, in seconds: past the longest token it can cover (issued
   * at the kick, living maxTokenTtlSeconds, accepted clockSkewSeconds after `exp`), so pruning it
   * never lets such a token in again.
   */
  kickRevocationSeconds: 7 * 24 * 3600 + 10 + 60,
  /** Default resume window after a dropped socket, in seconds. */
  resumeWindowSeconds: 120,
  /** Messages per socket: sustained rate per second and burst. */
  messageRatePerSecond: 20,
  messageBurst: 40,
  /** Any frame per socket: sustained rate per second and burst. */
  frameRatePerSecond: 100,
  frameBurst: 200,
  /** Auth-centre call timeout, in milliseconds. */
  authCentreTimeoutMs: 3000,
  /**
   * AppKeys the edge remembers as unknown, per isolate: anyone can send made-up keys, so the
   * negative cache drops its oldest entries past this many.
   */
  unknownAppCacheEntries: 1000,
  /** How long an isolate trusts "no such app", in milliseconds: a new app is seen within this. */
  unknownAppCacheMs: 5000,
} as const;

const encoder = new TextEncoder();
export function utf8Bytes(text: string): number {
  return encoder.encode(text).byteLength;
}
