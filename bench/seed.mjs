// Seeds the bench database fast: one ticket made through the real API is the template, and SQLite
// copies it group by group in single INSERT … SELECT statements (100,000 rows in about a second).
// Every column is copied from the template except the few that tell copies apart, so the copies
// stay valid rows whatever columns the schema grows.
import Database from 'better-sqlite3';

/**
 * Adds `count` copies of ticket `templateId` per group, tagged with the group's name, in the order
 * given, oldest first: all share the template's priority, so queue order is group order.
 * @param {string} dbPath
 * @param {number} templateId
 * @param {{ tag: string, count: number }[]} groups
 * @returns {Map<string, { first: number, last: number }>} the id range of each group
 */
export function seedTickets(dbPath, templateId, groups) {
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 10000');
  try {
    const columns = db.prepare('PRAGMA table_info(tickets)').all().map((c) => c.name).filter((n) => n !== 'id');
    const at = "strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01T00:00:00Z', '+' || (@offset + n) || ' seconds')";
    const override = {
      subject: "'Bench ticket ' || @tag || ' #' || n",
      tags: 'json_array(@tag)',
      created_at: at,
      updated_at: at,
    };
    const select = columns.map((c) => override[c] ?? `t.${c}`).join(', ');
    const insert = db.prepare(
      `INSERT INTO tickets (${columns.join(', ')})
       WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < @count)
       SELECT ${select} FROM seq, tickets t WHERE t.id = @template`,
    );
    const ranges = new Map();
    let offset = 0;
    db.transaction(() => {
      for (const { tag, count } of groups) {
        const info = insert.run({ tag, count, offset, template: templateId });
        const last = Number(info.lastInsertRowid);
        ranges.set(tag, { first: last - count + 1, last });
        offset += count;
      }
    })();
    return ranges;
  } finally {
    db.close();
  }
}

/** How many tickets of a group have the status. */
export function countStatus(dbPath, tag, status) {
  const db = new Database(dbPath, { readonly: true });
  db.pragma('busy_timeout = 10000');
  try {
    return db.prepare('SELECT count(*) AS n FROM tickets WHERE tags = json_array(?) AND status = ?').get(tag, status).n;
  } finally {
    db.close();
  }
}

/**
 * Adds `count` internal comment events to ticket `ticketId`, straight into SQLite, stamped a
 * millisecond apart from `startAt`.
 * @returns {{ first: number, last: number }} their id range
 */
export function seedEvents(dbPath, ticketId, count, startAt = new Date()) {
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 10000');
  try {
    const info = db
      .prepare(
        `INSERT INTO events (ticket_id, at, actor, kind, from_value, to_value, note, internal)
         WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < @count)
         SELECT @ticket, strftime('%Y-%m-%dT%H:%M:%fZ', @start, '+' || (n / 1000.0) || ' seconds'), 'bench', 'commented', NULL, NULL, 'internal comment', 1 FROM seq`,
      )
      .run({ count, ticket: ticketId, start: startAt.toISOString() });
    const last = Number(info.lastInsertRowid);
    return { first: last - count + 1, last };
  } finally {
    db.close();
  }
}
