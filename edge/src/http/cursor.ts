import { ParleyError } from "@parley/shared";

/** Opaque page cursors for lists ordered by (time, id) newest first. */
export function encodeCursor(at: number, id: string): string {
  return btoa(`${at}:${id}`);
}

export function decodeCursor(cursor: string): [number, string] {
  const refusal = (cause?: unknown) => new ParleyError("INVALID_REQUEST", "cursor: not a cursor this API returned", { cause });
  let text: string;
  try {
    text = atob(cursor);
  } catch (cause) {
    throw refusal(cause);
  }
  const [at, id] = text.split(":");
  if (!at || !id || !Number.isFinite(Number(at))) throw refusal();
  return [Number(at), id];
}
