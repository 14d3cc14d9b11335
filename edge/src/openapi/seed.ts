import { env } from "cloudflare:test";

/**
 * Test data written straight to D1, as the Room DO's outbox would after a node's recording events:
 * no media node runs in the edge tests, and paging needs rows with known times.
 */
export async function seedRecording(
  appKey: string,
  id: string,
  startedAt: number,
  over: { node?: string; room?: string; storage?: "nas" | "s3"; location?: string; settingsVersion?: number } = {},
): Promise<void> {
  const files = [
    {
      file: "alice-audio-0.ogg",
      member: "m_1",
      kind: "audio",
      codec: "opus",
      segment: 0,
      bytes: 1234,
      sha256: null,
      status: "uploaded",
      location: over.location ?? null,
    },
  ];
  await env.DB.prepare(
    `INSERT INTO recordings (id, app_key, room, call_id, mode, status, node, storage_kind, started_at, ended_at, size_bytes, members, files, error, updated_at, settings_version)
     VALUES (?, ?, ?, NULL, 'tracks', 'available', ?, ?, ?, ?, 1234, '["alice"]', ?, NULL, ?, ?)`,
  )
    .bind(
      id,
      appKey,
      over.room ?? "rec-room",
      over.node ?? "node-seed",
      over.storage ?? "nas",
      startedAt,
      startedAt + 60_000,
      JSON.stringify(files),
      startedAt,
      over.settingsVersion ?? null,
    )
    .run();
}

/** One delivery attempt in the app's log. */
export async function seedDelivery(appKey: string, webhookId: string, eventId: string, at: number): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO webhook_deliveries (app_key, webhook_id, event_id, event_type, attempt, status, http_status, duration_ms, error, at, next_attempt_at)
     VALUES (?, ?, ?, 'room.started', 1, 'delivered', 200, 12, NULL, ?, NULL)`,
  )
    .bind(appKey, webhookId, eventId, at)
    .run();
}
