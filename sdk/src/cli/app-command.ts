import type { Command } from "commander";
import type { AppCredentials } from "../server/credentials.js";
import { type AppCredentialOptions, appCredentials, edgeUrl, type UrlOptions } from "./context.js";

type GlobalOptions = UrlOptions & { json?: boolean };

/** Adds the app credential flags to a command. */
export function withApp(cmd: Command): Command {
  return cmd
    .option("--app-key <appKey>", "AppKey (default: PARLEY_APP_KEY, then .parley/dev-app.json)")
    .option("--app-secret <secret>", "AppSecret (default: PARLEY_APP_SECRET, then .parley/dev-app.json)")
    .addHelpText(
      "after",
      "\nWith PARLEY_TOKEN set (an access token with the admin grant) and no --app-key, it is used instead of the AppSecret.",
    );
}

/**
 * The edge URL, app credentials and output mode for an app-authenticated command. An admin access
 * token in PARLEY_TOKEN stands in for the AppSecret (taken from the environment only: a flag would
 * show it in `ps`), unless --app-key/--app-secret are given.
 */
export async function appContext(
  cmd: Command,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ url: string; credentials: AppCredentials; json: boolean }> {
  const options = cmd.optsWithGlobals<GlobalOptions & AppCredentialOptions>();
  const token = options.appKey === undefined && env.PARLEY_TOKEN ? env.PARLEY_TOKEN.trim() : undefined;
  return { url: edgeUrl(options, env), credentials: token ? { token } : await appCredentials(options, env), json: options.json === true };
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
