import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { EvidenceBatchQuery, EvidenceCreateParams, EvidenceEntry, EvidenceList, EvidenceRecord, type SignedTreeHead } from '@maximus/contracts';
import { canonicalJson } from '@maximus/kit/merkle';
import { EikosErrors } from '../../errors.js';
import { toWireEntry, type Ledger, type StoredEntryWithBytes } from '../../ledger/index.js';

const tags = ['evidence'];

/** `/evidence`: append an entry; read entries with their inclusion proofs. */
export async function evidenceRoutes(app: FastifyInstance, ledger: Ledger): Promise<void> {
  const { store, heads } = ledger;

  async function records(entries: readonly StoredEntryWithBytes[]): Promise<{ head: SignedTreeHead; data: EvidenceRecord[] }> {
    const maxIndex = Math.max(-1, ...entries.map((e) => e.index));
    // A proof is always against a signed head that includes the entry: sign one now if the latest does not.
    const head = await heads.covering(maxIndex);
    const data = await Promise.all(
      entries.map(async (entry) => ({
        entry: toWireEntry(entry),
        bytes: entry.bytes.toString('base64'),
        inclusion_proof: {
          leaf_index: entry.index,
          tree_size: head.tree_size,
          hashes: (await store.inclusionProof(entry.index, head.tree_size)).map((h) => h.toString('hex')),
        },
        tree_head: head,
      })),
    );
    return { head, data };
  }

  app.post(
    '/evidence',
    { schema: { summary: 'Append an entry to the ledger (actor: the caller; timestamp: server time)', tags, body: EvidenceCreateParams, response: { 201: EvidenceEntry } } },
    async (request, reply) => {
      const body = request.body as EvidenceCreateParams;
      try {
        canonicalJson(body.payload);
      } catch (error) {
        throw new EikosErrors.PayloadInvalid((error as Error).message, { cause: error });
      }
      const entry = await store.append({ type: body.type, subject_id: body.subject_id, actor: request.principal?.id ?? 'anonymous', payload: body.payload });
      return reply.code(201).send(toWireEntry(entry));
    },
  );

  app.get(
    '/evidence/:id',
    {
      schema: {
        summary: 'One entry: its exact bytes, its inclusion proof and the signed tree head the proof leads to',
        tags,
        params: Type.Object({ id: Type.Integer({ minimum: 0 }) }),
        response: { 200: EvidenceRecord },
      },
    },
    async (request) => {
      const { id } = request.params as { id: number };
      const [entry] = await store.entries([id]);
      if (!entry) throw new EikosErrors.EntryNotFound(String(id));
      const { data } = await records([entry]);
      return data[0];
    },
  );

  app.get(
    '/evidence',
    { schema: { summary: 'Several entries at once (the batch read), each with its proof against one signed head', tags, querystring: EvidenceBatchQuery, response: { 200: EvidenceList } } },
    async (request) => {
      const ids = [...new Set((request.query as EvidenceBatchQuery).ids.split(',').map(Number))];
      const entries = await store.entries(ids);
      const found = new Set(entries.map((e) => e.index));
      const { data } = await records(entries);
      return { data, missing: ids.filter((id) => !found.has(id)) };
    },
  );
  await Promise.resolve();
}
