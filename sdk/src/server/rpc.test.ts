/** The RPC base's error mapping, with a stub fetch: what callers catch for each kind of answer. */
import { ParleyError } from "@parley/shared";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ParleyTransportError, RpcClient } from "./rpc.js";

function answering(status: number, body: string): typeof fetch {
  return async () => new Response(body, { status, headers: { "content-type": "application/json" } });
}

const Ok = z.object({ ok: z.literal(true) });

async function failure(client: RpcClient): Promise<unknown> {
  return client.call("GET", "/x", Ok).then(
    () => null,
    (e: unknown) => e,
  );
}

describe("RpcClient", () => {
  it("returns the parsed body of a 2xx answer and sends the credential", async () => {
    let seen: Headers | undefined;
    const client = new RpcClient("http://127.0.0.1:1/", "Bearer k", {
      fetch: async (_url, init) => {
        seen = new Headers(init?.headers);
        return new Response('{"ok":true}', { status: 200 });
      },
    });
    await expect(client.call("GET", "/x", Ok)).resolves.toEqual({ ok: true });
    expect(seen?.get("authorization")).toBe("Bearer k");
  });

  it("turns {error:{code,message}} into ParleyError with that code", async () => {
    const err = await failure(
      new RpcClient("http://127.0.0.1:1", "x", { fetch: answering(404, '{"error":{"code":"NOT_FOUND","message":"no app"}}') }),
    );
    expect(err).toBeInstanceOf(ParleyError);
    expect(err).toMatchObject({ code: "NOT_FOUND", message: "no app", status: 404 });
  });

  it("keeps an unknown code's words when the edge is newer than the SDK", async () => {
    const err = await failure(
      new RpcClient("http://127.0.0.1:1", "x", { fetch: answering(409, '{"error":{"code":"BRAND_NEW","message":"later"}}') }),
    );
    expect(err).toMatchObject({ code: "INTERNAL", message: "BRAND_NEW: later" });
  });

  it.each([
    [502, "<html>bad gateway</html>", /HTTP 502 with a body that is not JSON/],
    [500, '{"oops":1}', /HTTP 500 without a Parley error body/],
    [200, '{"ok":"yes"}', /unexpected answer shape/],
  ])("reports HTTP %i %s as ParleyTransportError", async (status, body, message) => {
    const err = await failure(new RpcClient("http://127.0.0.1:1", "x", { fetch: answering(status, body) }));
    expect(err).toBeInstanceOf(ParleyTransportError);
    expect((err as Error).message).toMatch(message);
  });

  it("refuses a base URL that is not http(s)", () => {
    expect(() => new RpcClient("ftp://example.com", "x")).toThrow(/must be http/);
    expect(() => new RpcClient("not a url", "x")).toThrow(/not a URL/);
  });
});
