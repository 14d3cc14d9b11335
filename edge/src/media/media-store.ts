import type { TrackInfo } from "@parley/shared";

export interface TransportRow {
  id: string;
  member: string;
  direction: "send" | "recv";
}
export interface ProducerRow {
  id: string;
  member: string;
  transport: string;
  kind: "audio" | "video";
  source: TrackInfo["source"];
  paused: number;
}
export interface ConsumerRow {
  id: string;
  member: string;
  producer: string;
  transport: string;
}

type Row<T> = T & Record<string, SqlStorageValue>;

/** The Room DO's media tables: what each member has open on the room's node. */
export class MediaStore {
  #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`
      CREATE TABLE IF NOT EXISTS media_transports (id TEXT PRIMARY KEY, member TEXT NOT NULL, direction TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS media_producers (
        id TEXT PRIMARY KEY, member TEXT NOT NULL, transport TEXT NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, paused INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS media_consumers (id TEXT PRIMARY KEY, member TEXT NOT NULL, producer TEXT NOT NULL, transport TEXT NOT NULL);
    `);
  }

  transport(id: string): TransportRow | null {
    return this.#sql.exec<Row<TransportRow>>("SELECT * FROM media_transports WHERE id = ?", id).toArray()[0] ?? null;
  }
  producer(id: string): ProducerRow | null {
    return this.#sql.exec<Row<ProducerRow>>("SELECT * FROM media_producers WHERE id = ?", id).toArray()[0] ?? null;
  }
  consumer(id: string): ConsumerRow | null {
    return this.#sql.exec<Row<ConsumerRow>>("SELECT * FROM media_consumers WHERE id = ?", id).toArray()[0] ?? null;
  }

  addTransport(row: TransportRow): void {
    this.#sql.exec("INSERT INTO media_transports (id, member, direction) VALUES (?, ?, ?)", row.id, row.member, row.direction);
  }
  addProducer(row: ProducerRow): void {
    this.#sql.exec(
      "INSERT INTO media_producers (id, member, transport, kind, source, paused) VALUES (?, ?, ?, ?, ?, ?)",
      row.id,
      row.member,
      row.transport,
      row.kind,
      row.source,
      row.paused,
    );
  }
  addConsumer(row: ConsumerRow): void {
    this.#sql.exec(
      "INSERT INTO media_consumers (id, member, producer, transport) VALUES (?, ?, ?, ?)",
      row.id,
      row.member,
      row.producer,
      row.transport,
    );
  }

  setPaused(producer: string, paused: boolean): void {
    this.#sql.exec("UPDATE media_producers SET paused = ? WHERE id = ?", paused ? 1 : 0, producer);
  }

  removeProducer(id: string): ProducerRow | null {
    const row = this.producer(id);
    this.#sql.exec("DELETE FROM media_producers WHERE id = ?", id);
    this.#sql.exec("DELETE FROM media_consumers WHERE producer = ?", id);
    return row;
  }
  removeConsumer(id: string): ConsumerRow | null {
    const row = this.consumer(id);
    this.#sql.exec("DELETE FROM media_consumers WHERE id = ?", id);
    return row;
  }

  /** Removes a transport and what runs over it; returns the producers that went with it. */
  removeTransport(id: string): ProducerRow[] {
    const producers = this.#sql.exec<Row<ProducerRow>>("SELECT * FROM media_producers WHERE transport = ?", id).toArray();
    for (const p of producers) this.removeProducer(p.id);
    this.#sql.exec("DELETE FROM media_consumers WHERE transport = ?", id);
    this.#sql.exec("DELETE FROM media_transports WHERE id = ?", id);
    return producers;
  }

  producersOf(member: string): ProducerRow[] {
    return this.#sql.exec<Row<ProducerRow>>("SELECT * FROM media_producers WHERE member = ? ORDER BY rowid", member).toArray();
  }

  transportsOf(member: string): TransportRow[] {
    return this.#sql.exec<Row<TransportRow>>("SELECT * FROM media_transports WHERE member = ?", member).toArray();
  }

  tracks(): TrackInfo[] {
    return this.#sql
      .exec<Row<ProducerRow>>("SELECT * FROM media_producers ORDER BY rowid")
      .toArray()
      .map((p) => ({ id: p.id, member: p.member, kind: p.kind, source: p.source, muted: p.paused === 1 }));
  }

  clear(): ProducerRow[] {
    const producers = this.#sql.exec<Row<ProducerRow>>("SELECT * FROM media_producers").toArray();
    this.#sql.exec("DELETE FROM media_consumers; DELETE FROM media_producers; DELETE FROM media_transports;");
    return producers;
  }
}
