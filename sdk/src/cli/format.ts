import type { AppInfo, Licence } from "@parley/shared";

/** Human output goes to stdout; `--json` swaps it for the API's own JSON so scripts can parse it. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: string[]): void {
  process.stdout.write(`${lines.join("\n")}\n`);
}

export function describeLicence(licence: Licence): string {
  const rooms = licence.maxRooms === null ? "unlimited rooms" : `${licence.maxRooms} rooms`;
  const users = licence.maxUsers === null ? "unlimited users" : `${licence.maxUsers} users`;
  const expiry = licence.expiresAt === null ? "no expiry" : `expires ${licence.expiresAt}`;
  return `${rooms}, ${users}, ${expiry}`;
}

export function describeApp(app: AppInfo): string[] {
  return [
    `AppKey:       ${app.appKey}`,
    `Name:         ${app.name}`,
    `Status:       ${app.disabled ? "disabled" : "enabled"}`,
    `Licence:      ${describeLicence(app.licence)}`,
    `Auth centre:  ${app.authCentreUrl ?? "none"}`,
    `Token TTL:    at most ${app.maxTokenTtlSeconds} s`,
    `Secret slots: ${app.secretSlots.join(", ") || "none"}`,
    `Created:      ${app.createdAt}`,
  ];
}

/** Fixed-width columns; the last column is not padded. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
