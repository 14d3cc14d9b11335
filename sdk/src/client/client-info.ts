export const SDK_VERSION = "0.1.0";

/** What this client is, for call records: the SDK and the browser or runtime it runs in. */
export function clientInfo(): { sdk: string; version: string; platform?: string; browser?: string } {
  const nav = (globalThis as { navigator?: { userAgent?: string; platform?: string } }).navigator;
  const proc = (globalThis as { process?: { platform?: string; version?: string } }).process;
  if (nav?.userAgent && !proc?.version) {
    return { sdk: "parley-js", version: SDK_VERSION, platform: nav.platform?.slice(0, 64), browser: nav.userAgent.slice(0, 64) };
  }
  return { sdk: "parley-js", version: SDK_VERSION, platform: `node ${proc?.version ?? ""} ${proc?.platform ?? ""}`.trim().slice(0, 64) };
}
