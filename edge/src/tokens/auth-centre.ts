import { AuthCentreAnswer, LIMITS, ParleyError } from "@parley/shared";

/**
 * Asks a customer's auth centre to validate an opaque token: POST {token, room, appKey}.
 * A 2xx answer naming the user admits; anything else is a clear refusal.
 */
export async function askAuthCentre(url: string, body: { token: string; room: string; appKey: string }): Promise<AuthCentreAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(LIMITS.authCentreTimeoutMs),
    });
  } catch (cause) {
    if (cause instanceof DOMException && (cause.name === "TimeoutError" || cause.name === "AbortError")) {
      throw new ParleyError("AUTH_CENTRE_TIMEOUT", `the app's auth centre did not answer within ${LIMITS.authCentreTimeoutMs} ms`, {
        cause,
      });
    }
    throw new ParleyError("AUTH_CENTRE_FAILED", "the app's auth centre could not be reached", { cause });
  }
  if (response.status === 401 || response.status === 403) {
    throw new ParleyError("AUTH_CENTRE_REFUSED", `the app's auth centre refused the token (HTTP ${response.status})`);
  }
  if (!response.ok) throw new ParleyError("AUTH_CENTRE_FAILED", `the app's auth centre answered HTTP ${response.status}`);
  let json: unknown;
  try {
    json = await response.json();
  } catch (cause) {
    throw new ParleyError("AUTH_CENTRE_FAILED", "the app's auth centre answered 2xx without JSON naming the user", { cause });
  }
  const parsed = AuthCentreAnswer.safeParse(json);
  if (!parsed.success) {
    throw new ParleyError(
      "AUTH_CENTRE_FAILED",
      `the app's auth centre answer is not {user, name?, grants?}: ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}
