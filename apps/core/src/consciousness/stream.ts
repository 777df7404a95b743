import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '@maximus/kit/db';
import { streamOutbox } from '@maximus/kit/outbox';
import type { ConsciousnessRuntime } from './runtime.js';

/**
 * SSE of the consciousness model: a `state` event (as `GET /state`) every `interval_ms`, and every
 * `consciousness.*` event from core's outbox as it commits (`esgt.success`, `arousal.level_changed`,
 * `tig.nodes_changed`, `safety.violation`, …) with its sequence number as the id, so `Last-Event-ID` resumes them.
 */
export function streamConsciousness(request: FastifyRequest, reply: FastifyReply, runtime: ConsciousnessRuntime, db: Database, intervalMs: number): void {
  const stream = streamOutbox(request, reply, { db, schema: 'core', topicPrefix: 'consciousness.', comment: 'consciousness state and events' });
  let timer: NodeJS.Timeout | undefined;
  stream.onClose(() => clearTimeout(timer));
  const state = async () => {
    if (stream.closed) return;
    try {
      stream.send('state', await runtime.state());
    } catch (error) {
      request.log.warn({ err: error }, 'consciousness stream state failed; will retry');
    }
    if (!stream.closed) timer = setTimeout(() => void state(), intervalMs);
  };
  void state();
}
