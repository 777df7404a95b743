/**
 * SQL condition on an outbox row (alias-free) that holds once no transaction still running could commit a row with a
 * lower `seq`: sequences are taken at insert but rows become visible at commit, so a reader that follows `seq` (a
 * stream with `Last-Event-ID`) must wait for this to hold, or it may step over a row that commits late.
 * @example `SELECT seq, payload FROM core.outbox WHERE seq > $1 AND ${OUTBOX_SETTLED} ORDER BY seq`
 */
export const OUTBOX_SETTLED = 'txid < pg_snapshot_xmin(pg_current_snapshot())';
