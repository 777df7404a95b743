import type { SafetyStatus } from '@maximus/contracts';
import type { Database } from '@maximus/kit/db';
import { CoreErrors } from '../errors.js';

interface Row {
  shut_down: boolean;
  since: Date | string | null;
  reason: string | null;
  decision_id: string | null;
}

/**
 * The kill switch's state: one row in `core.safety_state` shared by every replica, and this process's copy of it,
 * refreshed after every local change and on every SLA-loop pass (so a replica follows within one tick).
 */
export class SafetyState {
  readonly #db: Database;
  #row: Row = { shut_down: false, since: null, reason: null, decision_id: null };

  constructor(db: Database) {
    this.#db = db;
  }

  /** True while the emergency shutdown holds: core refuses ignitions and modulations. */
  isShutDown(): boolean {
    return this.#row.shut_down;
  }

  /** @throws CORE_ERR_SAFETY_SHUT_DOWN (503) while the emergency shutdown holds. */
  assertRunning(): void {
    if (this.#row.shut_down) throw new CoreErrors.ShutDown(this.#row.reason ?? 'no reason recorded');
  }

  async refresh(): Promise<Omit<SafetyStatus, 'pending' | 'violations'>> {
    const { rows } = await this.#db.query<Row>('SELECT shut_down, since, reason, decision_id FROM core.safety_state WHERE id');
    if (rows[0]) this.#row = rows[0];
    return this.snapshot();
  }

  snapshot(): Omit<SafetyStatus, 'pending' | 'violations'> {
    const r = this.#row;
    return { shut_down: r.shut_down, since: r.since ? new Date(r.since).toISOString() : null, reason: r.reason, decision_id: r.decision_id };
  }
}
