import { describe, expect, it } from "vitest";
import { ParleyError } from "./errors.js";

describe("ParleyError", () => {
  it("keeps the failure underneath as cause, and never puts it in the body a client gets", () => {
    const cause = new SyntaxError("Unexpected token");
    const error = new ParleyError("INVALID_REQUEST", "request body is not valid JSON", { cause });
    expect(error.cause).toBe(cause);
    expect(error.status).toBe(400);
    expect(error.toBody()).toEqual({ code: "INVALID_REQUEST", message: "request body is not valid JSON" });
    expect(new ParleyError("NOT_FOUND", "no such thing").cause).toBeUndefined();
  });
});
