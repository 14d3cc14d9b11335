import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod/v4";

/** Same rules as the edge's config validation (edge/src/config): refuse what the edge would refuse. */
const OperatorKey = z.string().min(32, "must be at least 32 characters");
const MasterKey = z.string().refine((v) => Buffer.from(v, "base64").byteLength === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v), {
  message: "must be base64 of exactly 32 bytes",
});

const FleetSecret = z.string().min(32, "must be at least 32 characters");

export interface DevKeys {
  operatorKey: string;
  masterKey: string;
  /** Shared by the edge and local media nodes to sign control calls, events and heartbeats. */
  fleetSecret: string;
  operatorKeyPath: string;
}

export function operatorKeyPath(parleyDir: string): string {
  return path.join(parleyDir, "operator-key");
}

/**
 * Local operator key, master key and fleet secret, generated on first use and kept (mode 0600) so local state
 * stays readable across runs: app secrets in D1 are sealed with the master key.
 */
export async function ensureDevKeys(parleyDir: string): Promise<DevKeys> {
  await mkdir(parleyDir, { recursive: true, mode: 0o700 });
  const opPath = operatorKeyPath(parleyDir);
  const operatorKey = await readOrCreate(opPath, OperatorKey, () => randomBytes(32).toString("base64url"));
  const masterKey = await readOrCreate(path.join(parleyDir, "master-key"), MasterKey, () => randomBytes(32).toString("base64"));
  const fleetSecret = await readOrCreate(path.join(parleyDir, "fleet-secret"), FleetSecret, () => randomBytes(32).toString("base64url"));
  return { operatorKey, masterKey, fleetSecret, operatorKeyPath: opPath };
}

async function readOrCreate(file: string, schema: z.ZodType<string>, generate: () => string): Promise<string> {
  let existing: string | null = null;
  try {
    existing = (await readFile(file, "utf8")).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (existing !== null) {
    const parsed = schema.safeParse(existing);
    // name the file, never the value
    if (!parsed.success) throw new Error(`${file} ${parsed.error.issues[0]?.message ?? "is invalid"}; fix it or delete it to regenerate`);
    return parsed.data;
  }
  const value = generate();
  // wx: never clobber a key another process wrote a moment ago
  try {
    await writeFile(file, `${value}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return readOrCreate(file, schema, generate);
    throw err;
  }
  await chmod(file, 0o600);
  return value;
}
