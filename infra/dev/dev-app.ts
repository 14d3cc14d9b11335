import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppsClient } from "@parley/sdk/server";
import { AppKey, ParleyError } from "@parley/shared";
// root zod is 3.x (a tool dependency); its zod/v4 subpath is the API shared/ uses
import { z } from "zod/v4";
import { DEV_APP_NAME } from "../../edge/src/dev/dev-app-name.js";

const DevAppFile = z.object({ appKey: z.string().refine((v) => AppKey.safeParse(v).success), appSecret: z.string().min(1) });
export type DevApp = z.infer<typeof DevAppFile>;

export interface DevAppResult {
  app: DevApp;
  file: string;
  /** True when this run provisioned it: the only time its secret is shown. */
  created: boolean;
  disabled: boolean;
}

/**
 * The app `npm start` and the CLI use by default. Kept in `.parley/dev-app.json`; re-provisioned
 * when the file is missing, unreadable, or names an app the local D1 no longer has (state wiped).
 */
export async function ensureDevApp(edge: { url: string; operatorKey: string }, parleyDir: string): Promise<DevAppResult> {
  const file = path.join(parleyDir, "dev-app.json");
  const apps = new AppsClient(edge.url, edge.operatorKey);
  const existing = await readDevApp(file);
  if (existing) {
    try {
      const info = await apps.get(existing.appKey);
      return { app: existing, file, created: false, disabled: info.disabled };
    } catch (err) {
      if (!(err instanceof ParleyError && err.code === "NOT_FOUND")) throw err;
    }
  }
  // the edge's dev token endpoint (edge/src/dev) finds this app by its name
  const created = await apps.create({ name: DEV_APP_NAME });
  const app = { appKey: created.appKey, appSecret: created.appSecret };
  // write then rename: a reader never sees half a file
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(app, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
  return { app, file, created: true, disabled: false };
}

async function readDevApp(file: string): Promise<DevApp | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    const parsed = DevAppFile.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
