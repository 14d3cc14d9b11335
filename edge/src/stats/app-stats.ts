import type { StatsBucket, StatsResponse, TrackQualitySample } from "@parley/shared";

/** Rows read per query: statistics over very busy ranges should use smaller ranges. */
const ROW_LIMIT = 50_000;
const STALL_MS = 300;
const GOOD_LOSS = 0.05;

interface Interval {
  start: number;
  end: number | null;
}

/**
 * Per-bucket statistics of one app from its call records: peak concurrent rooms and users
 * (a sweep over join/leave instants), join success (joins vs licence refusals), stall rate,
 * good-transmission rate and average MOS from the members' quality reports.
 */
export async function appStats(db: D1Database, appKey: string, from: number, to: number, bucketSeconds: number): Promise<StatsResponse> {
  const size = bucketSeconds * 1000;
  const first = Math.floor(from / size) * size;
  const count = Math.max(1, Math.ceil((to - first) / size));
  const buckets = Array.from({ length: count }, (_, i) => emptyBucket(first + i * size));

  const [calls, members, refusals, quality] = await db.batch<Record<string, number | string | null>>([
    db
      .prepare(
        "SELECT started_at AS start, ended_at AS end FROM calls WHERE app_key = ? AND started_at < ? AND (ended_at IS NULL OR ended_at >= ?) LIMIT ?",
      )
      .bind(appKey, to, first, ROW_LIMIT),
    db
      .prepare(
        `SELECT m.joined_at AS start, m.left_at AS end FROM call_members m JOIN calls c ON c.id = m.call_id
         WHERE c.app_key = ? AND m.joined_at < ? AND (m.left_at IS NULL OR m.left_at >= ?) LIMIT ?`,
      )
      .bind(appKey, to, first, ROW_LIMIT),
    db.prepare("SELECT at FROM join_refusals WHERE app_key = ? AND at >= ? AND at < ? LIMIT ?").bind(appKey, first, to, ROW_LIMIT),
    db
      .prepare(
        `SELECT q.at AS at, q.mos AS mos, q.tracks AS tracks FROM call_quality q JOIN calls c ON c.id = q.call_id
         WHERE c.app_key = ? AND q.source = 'sdk' AND q.at >= ? AND q.at < ? LIMIT ?`,
      )
      .bind(appKey, first, to, ROW_LIMIT),
  ]);
  const index = (at: number) => Math.floor((at - first) / size);

  sweepPeaks(toIntervals(calls?.results), buckets, first, size, "peakRooms");
  const memberIntervals = toIntervals(members?.results);
  sweepPeaks(memberIntervals, buckets, first, size, "peakUsers");
  for (const m of memberIntervals) {
    const b = buckets[index(m.start)];
    if (b && m.start >= first) b.joins++;
  }
  for (const r of refusals?.results ?? []) {
    const b = buckets[index(Number(r.at))];
    if (b) b.refusedJoins++;
  }

  const mosSum = new Array<number>(count).fill(0);
  const mosCount = new Array<number>(count).fill(0);
  const stalled = new Array<number>(count).fill(0);
  const good = new Array<number>(count).fill(0);
  for (const q of quality?.results ?? []) {
    const i = index(Number(q.at));
    const b = buckets[i];
    if (!b) continue;
    const tracks = JSON.parse(String(q.tracks)) as TrackQualitySample[];
    b.reports++;
    if (tracks.some((t) => t.direction === "recv" && t.kind === "video" && (t.stalledMs ?? 0) > STALL_MS))
      stalled[i] = (stalled[i] ?? 0) + 1;
    if (tracks.every((t) => t.loss < GOOD_LOSS)) good[i] = (good[i] ?? 0) + 1;
    if (typeof q.mos === "number") {
      mosSum[i] = (mosSum[i] ?? 0) + q.mos;
      mosCount[i] = (mosCount[i] ?? 0) + 1;
    }
  }
  buckets.forEach((b, i) => {
    const attempts = b.joins + b.refusedJoins;
    b.joinSuccessRate = attempts ? round(b.joins / attempts) : null;
    b.stallRate = b.reports ? round((stalled[i] ?? 0) / b.reports) : null;
    b.goodTransmissionRate = b.reports ? round((good[i] ?? 0) / b.reports) : null;
    b.averageMos = mosCount[i] ? round((mosSum[i] ?? 0) / (mosCount[i] ?? 1)) : null;
  });
  return { from: new Date(first).toISOString(), to: new Date(to).toISOString(), bucketSeconds, buckets };
}

/** Peak number of intervals open at once within each bucket: +1 at each start, −1 at each end. */
function sweepPeaks(intervals: Interval[], buckets: StatsBucket[], first: number, size: number, field: "peakRooms" | "peakUsers"): void {
  const edges: [number, number][] = [];
  for (const iv of intervals) {
    edges.push([iv.start, 1]);
    if (iv.end !== null) edges.push([iv.end, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // a leave before a join at the same instant
  let open = 0;
  let e = 0;
  for (let i = 0; i < buckets.length; i++) {
    const start = first + i * size;
    const end = start + size;
    while (e < edges.length && (edges[e] as [number, number])[0] < start) open += (edges[e++] as [number, number])[1];
    let peak = open;
    while (e < edges.length && (edges[e] as [number, number])[0] < end) {
      open += (edges[e++] as [number, number])[1];
      peak = Math.max(peak, open);
    }
    (buckets[i] as StatsBucket)[field] = peak;
  }
}

function toIntervals(rows: Record<string, number | string | null>[] | undefined): Interval[] {
  return (rows ?? []).map((r) => ({ start: Number(r.start), end: r.end === null ? null : Number(r.end) }));
}

function emptyBucket(start: number): StatsBucket {
  return {
    start: new Date(start).toISOString(),
    peakRooms: 0,
    peakUsers: 0,
    joins: 0,
    refusedJoins: 0,
    joinSuccessRate: null,
    reports: 0,
    stallRate: null,
    goodTransmissionRate: null,
    averageMos: null,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
