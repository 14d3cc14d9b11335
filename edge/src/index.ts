import { app } from "./app.js";
import type { Env } from "./env.js";

export { FleetDO } from "./fleet/fleet-do.js";
export { AppDO } from "./licences/app-do.js";
export { RoomDO } from "./rooms/room-do.js";
export { WebhookDO } from "./webhooks/webhook-do.js";

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
