/**
 * A real RTMP server for tests: Debian's nginx with libnginx-mod-rtmp, on free 127.0.0.1 ports,
 * config and logs in a temp dir, one foreground process (no master, no workers). An `application
 * live` takes pushes; an HTTP `rtmp_stat` page says which streams are being published, so a test can
 * see a push arrive and end without playing it.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
const START_TIMEOUT_MS = 10_000;

export interface NginxRtmp {
  port: number;
  /** `rtmp://127.0.0.1:<port>/live/<stream>`: push here, pull from here. */
  url(stream: string): string;
  /** Names of the streams in `live` that have a publisher now. */
  publishing(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function freeLocalPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

export async function startNginxRtmp(): Promise<NginxRtmp> {
  if (!existsSync(RTMP_MODULE)) throw new Error("an RTMP test needs Debian's nginx-light (or nginx-core) and libnginx-mod-rtmp");
  const dir = await mkdtemp(path.join(os.tmpdir(), "parley-nginx-rtmp-"));
  const [port, statPort] = [await freeLocalPort(), await freeLocalPort()];
  const conf = path.join(dir, "nginx.conf");
  const errorLog = path.join(dir, "error.log");
  await writeFile(
    conf,
    [
      `load_module ${RTMP_MODULE};`,
      "daemon off;",
      "master_process off;",
      `pid ${path.join(dir, "nginx.pid")};`,
      `error_log ${errorLog} warn;`,
      "events { worker_connections 64; }",
      `rtmp { server { listen 127.0.0.1:${port}; chunk_size 4096; application live { live on; record off; } } }`,
      `http { access_log off; client_body_temp_path ${path.join(dir, "body")}; proxy_temp_path ${path.join(dir, "proxy")};`,
      `  server { listen 127.0.0.1:${statPort}; location /stat { rtmp_stat all; } } }`,
      "",
    ].join("\n"),
  );
  const nginx: ChildProcess = spawn("nginx", ["-p", dir, "-e", errorLog, "-c", conf], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => nginx.once("exit", () => resolve()));
  const stop = async () => {
    if (nginx.exitCode === null && nginx.signalCode === null) {
      nginx.kill("SIGQUIT");
      const timer = setTimeout(() => nginx.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (nginx.exitCode !== null) {
      const log = await readFile(errorLog, "utf8").catch(() => "");
      await stop();
      throw new Error(`nginx exited: ${log}`);
    }
    const { stdout } = await run("ss", ["-ltn"]).catch(() => ({ stdout: "" }));
    if (stdout.includes(`127.0.0.1:${port} `) && stdout.includes(`127.0.0.1:${statPort} `)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not listen on ${port} and ${statPort} within ${START_TIMEOUT_MS} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    url: (stream) => `rtmp://127.0.0.1:${port}/live/${stream}`,
    async publishing() {
      const xml = await (await fetch(`http://127.0.0.1:${statPort}/stat`)).text();
      return xml
        .split("<stream>")
        .slice(1)
        .filter((block) => block.includes("<publishing/>"))
        .map((block) => /<name>([^<]*)<\/name>/.exec(block)?.[1] ?? "");
    },
    stop,
  };
}

export interface ProbedStream {
  type: string;
  codec: string;
  width?: number;
  height?: number;
  rate?: string;
}

/** What a player pulling `url` gets: ffprobe reads the stream back from the server. */
export async function probeStreams(url: string): Promise<ProbedStream[]> {
  const { stdout } = await run("ffprobe", ["-v", "error", "-show_streams", "-of", "json", url], { timeout: 20_000 });
  const json = JSON.parse(stdout) as {
    streams: { codec_name: string; codec_type: string; width?: number; height?: number; sample_rate?: string }[];
  };
  return json.streams.map((s) => ({ type: s.codec_type, codec: s.codec_name, width: s.width, height: s.height, rate: s.sample_rate }));
}
