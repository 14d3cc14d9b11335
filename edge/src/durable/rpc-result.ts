import { type ErrorCode, ParleyError } from "@parley/shared";

/**
 * Durable Object RPC does not carry error classes: a ParleyError thrown in a DO reaches the
 * Worker as a plain Error and its code is lost. DO methods return this instead, and the Worker
 * unwraps it back into the typed error.
 */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

export async function toRpcResult<T>(run: () => Promise<T>): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    if (err instanceof ParleyError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}

export function unwrap<T>(result: RpcResult<T>): T {
  if (!result.ok) throw new ParleyError(result.code, result.message);
  return result.value;
}
