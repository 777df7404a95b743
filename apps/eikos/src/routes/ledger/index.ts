import type { FastifyInstance } from 'fastify';
import { ConsistencyProof, ConsistencyQuery, LedgerEntriesPage, LedgerEntriesQuery, LedgerPublicKey, SignedTreeHead } from '@maximus/contracts';
import { EikosErrors } from '../../errors.js';
import type { Ledger } from '../../ledger/index.js';

const tags = ['ledger'];

/** `/ledger`: the signed root, the public key, consistency proofs and raw pages for replay. */
export async function ledgerRoutes(app: FastifyInstance, ledger: Ledger): Promise<void> {
  const { store, heads } = ledger;

  app.get('/ledger/root', { schema: { summary: 'The latest signed tree head', tags, response: { 200: SignedTreeHead } } }, () => heads.covering());

  app.get('/ledger/public-key', { schema: { summary: 'The Ed25519 key that signs tree heads (PEM and JWK)', tags, response: { 200: LedgerPublicKey } } }, () => {
    const jwk = heads.publicKey.export({ format: 'jwk' });
    return {
      key_id: heads.keyId,
      algorithm: 'Ed25519' as const,
      pem: heads.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      jwk: { kty: 'OKP' as const, crv: 'Ed25519' as const, x: jwk.x ?? '', kid: heads.keyId },
    };
  });

  app.get(
    '/ledger/consistency',
    { schema: { summary: 'A consistency proof between two tree sizes (RFC 9162 §2.1.4)', tags, querystring: ConsistencyQuery, response: { 200: ConsistencyProof } } },
    async (request) => {
      const query = request.query as ConsistencyQuery;
      const head = await heads.covering(query.to === undefined ? -1 : query.to - 1);
      const to = query.to ?? head.tree_size;
      if (to > head.tree_size) throw new EikosErrors.TreeSizeBeyondLog(String(head.tree_size), String(to));
      if (query.from > to) throw new EikosErrors.RangeInvalid(`from (${query.from}) must not exceed to (${to})`);
      const { proof, fromRoot, toRoot } = await store.consistency(query.from, to);
      return { from: query.from, to, from_root: fromRoot.toString('hex'), to_root: toRoot.toString('hex'), hashes: proof.map((h) => h.toString('hex')), tree_head: head };
    },
  );

  app.get(
    '/ledger/entries',
    { schema: { summary: 'Raw entries in index order, a page at a time (replay the log and recompute the root)', tags, querystring: LedgerEntriesQuery, response: { 200: LedgerEntriesPage } } },
    async (request) => {
      const { from = 0, limit = 500 } = request.query as LedgerEntriesQuery;
      const size = await store.size();
      const page = from < size ? await store.page(from, Math.min(limit, size - from)) : [];
      const last = page.at(-1);
      return {
        data: page.map((e) => ({ index: e.index, bytes: e.bytes.toString('base64'), leaf_hash: e.leafHash.toString('hex') })),
        next: last && last.index + 1 < size ? last.index + 1 : null,
        tree_size: size,
      };
    },
  );
  await Promise.resolve();
}
