import { ParleyError } from "@parley/shared";

/** Opaque page cursors for lists ordered by (time, id) newest first. */
export function encodeCursor(at: number, id: string): string {
  return btoa(`${at}:${id}`);
}

export function decodeCursor(cursor: string): [number, string] {
  try {
    const [at, id] = atob(cursor).split(":");
    if (!at || !id || !Number.isFinite(Number(at))) throw new Error("bad");
    return [Number(at), id];
  } catch {
    throw new ParleyError("INVALID_REQUEST", "cursor: not a cursor this API returned");
  }
}
