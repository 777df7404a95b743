import type { FastifyReply, FastifyRequest } from 'fastify';
import { streamOutbox } from '@maximus/kit/outbox';
import type { GovernanceRuntime } from './runtime.js';

/**
 * SSE of transitions, read from core's outbox (`governance.decision.*` rows): every replica sees every transition,
 * in the order of their sequence numbers, and `Last-Event-ID` (the sequence number) resumes after a reconnect.
 */
export function streamTransitions(request: FastifyRequest, reply: FastifyReply, runtime: GovernanceRuntime): void {
  streamOutbox(request, reply, { db: runtime.db, schema: 'core', topicPrefix: 'governance.decision.', comment: 'governance transitions' });
}
