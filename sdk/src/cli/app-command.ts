import type { Command } from "commander";
import type { AppSecretCredentials } from "../server/credentials.js";
import { type AppCredentialOptions, appCredentials, edgeUrl, type UrlOptions } from "./context.js";

type GlobalOptions = UrlOptions & { json?: boolean };

/** Adds the app credential flags to a command. */
export function withApp(cmd: Command): Command {
  return cmd
    .option("--app-key <appKey>", "AppKey (default: PARLEY_APP_KEY, then .parley/dev-app.json)")
    .option("--app-secret <secret>", "AppSecret (default: PARLEY_APP_SECRET, then .parley/dev-app.json)");
}

/** The edge URL, app credentials and output mode for an app-authenticated command. */
export async function appContext(cmd: Command): Promise<{ url: string; credentials: AppSecretCredentials; json: boolean }> {
  const options = cmd.optsWithGlobals<GlobalOptions & AppCredentialOptions>();
  return { url: edgeUrl(options), credentials: await appCredentials(options), json: options.json === true };
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
