import { randomId, type WebhookEvent, type WebhookEventData, type WebhookEventType } from "@parley/shared";
import type { Env } from "../env.js";
import { log } from "../log/index.js";
import { webhookStub } from "./webhook-do.js";

export function newWebhookEventId(): string {
  return `evt_${randomId(24)}`;
}

/**
 * Hands one event to the app's Webhook DO, which stores it and delivers it to every webhook
 * subscribed to its type. Never throws: a webhook problem must not fail a join or a recording,
 * so a failure is logged and the caller carries on. Resolves to the event id, or null if the
 * event was not queued.
 */
export async function emitWebhookEvent<T extends WebhookEventType>(
  env: Env,
  appKey: string,
  type: T,
  data: WebhookEventData<T>,
  opts: { id?: string; createdAt?: string } = {},
): Promise<string | null> {
  const id = opts.id ?? newWebhookEventId();
  try {
    const event = { id, type, app: appKey, createdAt: opts.createdAt ?? new Date().toISOString(), data } as WebhookEvent;
    return (await webhookStub(env, appKey).enqueue(event)) ? id : null;
  } catch (err) {
    log({ event: "webhook.not_queued", type, eventId: id, error: err });
    return null;
  }
}

/**
 * For a Durable Object that emits several events in a row (the Room DO): events are handed over
 * one after another in the order `emit` was called, without making the caller wait for them.
 */
export class OrderedWebhookEmitter {
  #ctx: DurableObjectState;
  #env: Env;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    this.#ctx = ctx;
    this.#env = env;
  }

  emit<T extends WebhookEventType>(appKey: string | null, type: T, data: WebhookEventData<T>): void {
    if (!appKey) return;
    const opts = { id: newWebhookEventId(), createdAt: new Date().toISOString() };
    this.#chain = this.#chain.then(() => emitWebhookEvent(this.#env, appKey, type, data, opts));
    this.#ctx.waitUntil(this.#chain);
  }
}
