/**
 * A throwaway redis-server on 127.0.0.1 for tests: its own temp folder, append-only file on (so a
 * restarted server keeps what it had), no RDB snapshots. Used by the global setup (redis.setup.ts)
 * and by tests that take a Redis away and bring it back.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REDIS_SERVER = "redis-server";

export function redisInstalled(): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${REDIS_SERVER}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export class TestRedis {
  readonly port: number;
  readonly dir: string;
  readonly #password: string | undefined;
  /** A redis.conf to start from (the flags below override its port, bind, dir and persistence). */
  readonly #config: { file: string; args: string[] } | undefined;
  #child: ChildProcess | undefined;

  constructor(port: number, o: { dir?: string; password?: string; config?: { file: string; args: string[] } } = {}) {
    this.port = port;
    this.dir = o.dir ?? mkdtempSync(join(tmpdir(), "parley-redis-"));
    this.#password = o.password;
    this.#config = o.config;
  }

  get url(): string {
    return `redis://${this.#password ? `:${this.#password}@` : ""}127.0.0.1:${this.port}`;
  }

  /** Starts the server and resolves once it accepts connections. */
  async start(): Promise<void> {
    const args = [
      ...(this.#config ? [this.#config.file, ...this.#config.args] : []),
      ...["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--save", "", "--appendonly", "yes"],
    ];
    if (this.#password) args.push("--requirepass", this.#password);
    const child = spawn(REDIS_SERVER, args, { stdio: ["ignore", "ignore", "pipe"] });
    this.#child = child;
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${stderr.slice(-500)}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${this.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM (redis flushes its append-only file) and waits for the exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
