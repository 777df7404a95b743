import type { Precedent, PrecedentList, PrecedentsSearchedEvent, Principal } from '@maximus/contracts';
import { PENELOPE_TOPICS } from '@maximus/contracts';
import { caseSimilarity } from '../domain/similarity.js';
import type { HealingRuntime } from '../healing/runtime.js';
import { mostAdvanced, SEARCHES } from '../healing/store.js';

/** Past cases compared per search (the most recent of the same language). */
export const PRECEDENT_CANDIDATES = 2000;
/** Below this similarity a past case is not a precedent. */
export const MIN_SIMILARITY = 0.2;

/**
 * Past healing cases similar to a diagnosis: same language, ranked by 0.5·Jaccard(rules) + 0.2·Jaccard(file names)
 * + 0.3·Jaccard(code shape sketches). The search and what it found are recorded; `penelope.precedents.searched` goes out.
 */
export async function findPrecedents(runtime: HealingRuntime, diagnosisId: string, limit: number, principal: Principal | undefined): Promise<PrecedentList> {
  const { store, ctx } = runtime;
  const target = await store.diagnosis(diagnosisId);
  const candidates = await store.precedentCandidates(target.language, target.id, PRECEDENT_CANDIDATES);
  const shape = (target.shape ?? []).map(Number);
  const scored: Precedent[] = candidates
    .map((c) => {
      const { similarity, components } = caseSimilarity({ rules: target.rules, files: target.file_names, shape }, { rules: c.rules, files: c.file_names, shape: c.shape });
      return { diagnosis_id: c.id, similarity, components, language: target.language, rules: c.rules, files: c.file_names, created_at: c.created_at, outcome: mostAdvanced(c.statuses) };
    })
    .filter((p) => p.similarity >= MIN_SIMILARITY)
    .sort((a, b) => b.similarity - a.similarity || (a.created_at < b.created_at ? 1 : -1))
    .slice(0, limit);
  await ctx.outbox.transaction(async (tx, emit) => {
    await tx.query(`INSERT INTO ${SEARCHES} (diagnosis_id, found, best_similarity, searched_by) VALUES ($1, $2, $3, $4)`, [target.id, scored.length, scored[0]?.similarity ?? null, principal?.id ?? 'anonymous']);
    const event: PrecedentsSearchedEvent = { diagnosis_id: target.id, found: scored.length };
    await emit(PENELOPE_TOPICS.precedentsSearched, event);
  });
  return { diagnosis_id: target.id, candidates_compared: candidates.length, data: scored };
}
