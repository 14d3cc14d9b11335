import { decodeCursor } from "./cursor.js";

/**
 * WHERE clauses for lists paged newest first by (time column, id): filters, then the cursor that
 * continues after the previous page's last row.
 */
export class PagedQuery {
  readonly where: string[] = [];
  readonly params: (string | number)[] = [];

  add(clause: string, ...values: (string | number)[]): this {
    this.where.push(clause);
    this.params.push(...values);
    return this;
  }

  after(cursor: string | undefined, timeColumn: string, idColumn: string): this {
    if (!cursor) return this;
    const [at, id] = decodeCursor(cursor);
    return this.add(`(${timeColumn} < ? OR (${timeColumn} = ? AND ${idColumn} < ?))`, at, at, id);
  }

  sql(): string {
    return this.where.join(" AND ");
  }
}
