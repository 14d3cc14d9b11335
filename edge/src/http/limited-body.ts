import { ParleyError } from "@parley/shared";

/**
 * Reads a request body as UTF-8 text, at most `maxBytes`: a declared Content-Length over the limit
 * is refused before any read, and a body streaming past it (no or a wrong length) is cut off there.
 */
export async function readLimitedText(request: Request, maxBytes: number, what: string): Promise<string> {
  const tooLarge = () => new ParleyError("PAYLOAD_TOO_LARGE", `${what} are at most ${maxBytes} bytes`);
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
