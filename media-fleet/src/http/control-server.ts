/**
 * The control app (control-app.ts) on a Node HTTP server, through @hono/node-server: listens,
 * bounds how long a slow sender may hold a socket, and closes with every connection.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { type ControlAppOptions, createControlApp } from "./control-app.js";

export type ControlServerOptions = ControlAppOptions;

export class ControlServer {
  readonly #server: Server;

  constructor(options: ControlServerOptions) {
    const app = createControlApp(options);
    // The adapter's own Request/Response (subclasses of the global ones) stand in for the globals,
    // as it does by default: hono/body-limit re-wraps the request it reads, which only they allow.
    this.#server = createAdaptorServer({ fetch: app.fetch }) as Server;
    // Control calls are small and quick; a slow sender should not hold a socket open.
    this.#server.requestTimeout = 15_000;
    this.#server.headersTimeout = 10_000;
  }

  /** Listens and resolves with the bound port (pass 0 for any free port). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
