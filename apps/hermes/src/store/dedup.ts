import type { EventPublished } from '@maximus/contracts';
import type { Queryable } from '@maximus/kit/db';

interface Row {
  event_id: string;
  topic: string;
  time: Date | string;
}

/**
 * Message ids of `POST /events` within the deduplication window, each with the event it published. Runs in
 * the publish's transaction: the primary key makes a concurrent publish of the same id wait for the first,
 * then find its row.
 */
export const dedup = {
  /**
   * Claims `messageId` for a new publish (returns undefined), unless a publish of it within the window
   * exists: then returns that publish. An expired claim is taken over.
   */
  async claim(tx: Queryable, messageId: string, topic: string, windowMs: number): Promise<(EventPublished & { duplicate: true }) | undefined> {
    const claimed = await tx.query(
      `INSERT INTO hermes.publish_dedup (message_id, event_id, topic, time) VALUES ($1, '', $2, now())
       ON CONFLICT (message_id) DO UPDATE SET event_id = '', topic = EXCLUDED.topic, time = now(), created_at = now()
         WHERE hermes.publish_dedup.created_at < now() - ($3::int * interval '1 millisecond')
       RETURNING message_id`,
      [messageId, topic, windowMs],
    );
    if (claimed.rows.length) return undefined;
    const { rows } = await tx.query<Row>('SELECT event_id, topic, time FROM hermes.publish_dedup WHERE message_id = $1', [messageId]);
    const row = rows[0];
    if (!row) throw new Error(`message id ${messageId} was neither claimed nor found`);
    return { id: row.event_id, topic: row.topic, message_id: messageId, time: new Date(row.time).toISOString(), duplicate: true };
  },

  /** Records the event a claimed message id published. */
  async bind(tx: Queryable, messageId: string, eventId: string): Promise<void> {
    await tx.query('UPDATE hermes.publish_dedup SET event_id = $2 WHERE message_id = $1', [messageId, eventId]);
  },

  /** Forgets ids older than the window. */
  async prune(db: Queryable, windowMs: number): Promise<number> {
    const { rowCount } = await db.query(`DELETE FROM hermes.publish_dedup WHERE created_at < now() - ($1::int * interval '1 millisecond')`, [windowMs]);
    return rowCount;
  },
};
