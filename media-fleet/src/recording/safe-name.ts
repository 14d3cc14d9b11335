/** Member tags are free text; folder names are not. */
export function safeName(value: string): string {
  return (
    value
      .replace(/[^A-Za-z0-9_.-]/g, "_")
      .replace(/^\.+/, "_")
      .slice(0, 64) || "unknown"
  );
}
