import { createHash, createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, verifyConsistency, verifyInclusion } from '@maximus/eikos';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';

// The ledger through the embedded gateway: what a user of /eikos/api/v1 sees.
let gw: TestGateway;
let headers: Record<string, string>;
const api = (path: string) => `/eikos/api/v1${path}`;

beforeAll(async () => {
  gw = await embeddedGateway({ MAXIMUS_RATE_LIMITS: 'read=100000/60,write=100000/60,expensive=1000/60' });
  headers = { 'x-api-key': gw.adminKey };
  // embeddedGateway prepares the services; starting eikos subscribes it to the bus (as `maximus up` does).
  await gw.services.find((s) => s.ctx.name === 'eikos')!.start();
});
afterAll(async () => {
  for (const s of gw.services) await s.stop();
  await gw.close();
});

async function append(subject: string, payload: Record<string, unknown> = {}) {
  const res = await gw.app.inject({ method: 'POST', url: api('/evidence'), headers, payload: { type: 'test.event', subject_id: subject, payload } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ index: number; leaf_hash: string; actor: string; timestamp: string }>();
}

const leafHashOf = (bytes: Buffer) => createHash('sha256').update(Buffer.from([0])).update(bytes).digest('hex');
const fromHex = (hashes: string[]) => hashes.map((h) => Buffer.from(h, 'hex'));

describe('eikos: the evidence ledger', () => {
  it('appends an entry whose retrievable bytes hash to its leaf hash, with a proof against a signed head', async () => {
    const created = await append('subject-a', { b: 2, a: [1, 'x'], nested: { z: true, y: null } });
    expect(created.actor).toMatch(/^user:/);
    const res = await gw.app.inject({ method: 'GET', url: api(`/evidence/${created.index}`), headers });
    expect(res.statusCode).toBe(200);
    const record = res.json();
    const bytes = Buffer.from(record.bytes, 'base64');
    expect(leafHashOf(bytes)).toBe(created.leaf_hash);
    expect(record.entry.leaf_hash).toBe(created.leaf_hash);
    // The bytes are the canonical JSON of the five fields.
    const { type, subject_id, actor, payload, timestamp } = record.entry;
    expect(bytes.toString('utf8')).toBe(canonicalJson({ type, subject_id, actor, payload, timestamp }));
    expect(bytes.toString('utf8')).toContain('"payload":{"a":[1,"x"],"b":2,"nested":{"y":null,"z":true}}');
    // The proof leads to the signed root, and the head includes the entry.
    const head = record.tree_head;
    expect(head.tree_size).toBeGreaterThan(created.index);
    expect(record.inclusion_proof.tree_size).toBe(head.tree_size);
    expect(() => verifyInclusion(created.index, head.tree_size, Buffer.from(created.leaf_hash, 'hex'), fromHex(record.inclusion_proof.hashes), Buffer.from(head.root_hash, 'hex'))).not.toThrow();
  });

  it('signs tree heads with Ed25519 over the canonical JSON of {tree_size, root_hash, timestamp}, verifiable with the public key', async () => {
    await append('subject-sig');
    const key = (await gw.app.inject({ method: 'GET', url: api('/ledger/public-key'), headers })).json();
    const head = (await gw.app.inject({ method: 'GET', url: api('/ledger/root'), headers })).json();
    expect(head.key_id).toBe(key.key_id);
    const message = Buffer.from(JSON.stringify({ root_hash: head.root_hash, timestamp: head.timestamp, tree_size: head.tree_size }));
    const publicKey = createPublicKey(key.pem);
    expect(verify(null, message, publicKey, Buffer.from(head.signature, 'base64'))).toBe(true);
    expect(verify(null, message, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.jwk.x }, format: 'jwk' }), Buffer.from(head.signature, 'base64'))).toBe(true);
    const forged = Buffer.from(JSON.stringify({ root_hash: head.root_hash, timestamp: head.timestamp, tree_size: head.tree_size + 1 }));
    expect(verify(null, forged, publicKey, Buffer.from(head.signature, 'base64'))).toBe(false);
  });

  it('gives 200 concurrent appends consecutive indexes, no gaps, no duplicates', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => append('concurrent', { i })));
    const indexes = results.map((r) => r.index).sort((a, b) => a - b);
    expect(new Set(indexes).size).toBe(200);
    expect(indexes.at(-1)! - indexes[0]!).toBe(199);
    // And the replayed log agrees with what each append answered.
    const page = (await gw.app.inject({ method: 'GET', url: api(`/ledger/entries?from=${indexes[0]}&limit=200`), headers })).json();
    expect((page.data as { index: number }[]).map((e) => e.index)).toEqual(indexes);
    for (const e of page.data as { bytes: string; leaf_hash: string }[]) expect(leafHashOf(Buffer.from(e.bytes, 'base64'))).toBe(e.leaf_hash);
  });

  it('reads a batch, each proof verifying against the returned head; unknown ids are listed as missing', async () => {
    const a = await append('batch');
    const b = await append('batch');
    const res = await gw.app.inject({ method: 'GET', url: api(`/evidence?ids=${a.index},${b.index},999999`), headers });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.missing).toEqual([999999]);
    expect((body.data as { entry: { index: number } }[]).map((r) => r.entry.index)).toEqual([a.index, b.index]);
    for (const r of body.data) {
      expect(() => verifyInclusion(r.entry.index, r.tree_head.tree_size, Buffer.from(r.entry.leaf_hash, 'hex'), fromHex(r.inclusion_proof.hashes), Buffer.from(r.tree_head.root_hash, 'hex'))).not.toThrow();
    }
  });

  it('proves an older head consistent with a newer one', async () => {
    await append('consistency');
    const old = (await gw.app.inject({ method: 'GET', url: api('/ledger/root'), headers })).json();
    for (let i = 0; i < 5; i++) await append('consistency');
    const last = await append('consistency');
    // Asking for the proof of the newest entry signs a head that includes it.
    const record = (await gw.app.inject({ method: 'GET', url: api(`/evidence/${last.index}`), headers })).json();
    const res = await gw.app.inject({ method: 'GET', url: api(`/ledger/consistency?from=${old.tree_size}&to=${record.tree_head.tree_size}`), headers });
    expect(res.statusCode, res.body).toBe(200);
    const proof = res.json();
    expect(proof.from_root).toBe(old.root_hash);
    expect(proof.to_root).toBe(record.tree_head.root_hash);
    expect(() => verifyConsistency(old.tree_size, proof.to, Buffer.from(old.root_hash, 'hex'), Buffer.from(proof.to_root, 'hex'), fromHex(proof.hashes))).not.toThrow();
    expect(() => verifyConsistency(old.tree_size, proof.to, Buffer.from(old.root_hash, 'hex'), Buffer.from(proof.from_root, 'hex'), fromHex(proof.hashes))).toThrow();
  });

  it('answers bad input with a 400 naming the field, and unknown ids with a 404', async () => {
    const missing = await gw.app.inject({ method: 'POST', url: api('/evidence'), headers, payload: { type: 'x', payload: {} } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toContainEqual(expect.objectContaining({ pointer: '/body/subject_id' }));
    const tooMany = await gw.app.inject({ method: 'GET', url: api(`/evidence?ids=${Array.from({ length: 101 }, (_, i) => i).join(',')}`), headers });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().errors[0].pointer).toBe('/querystring/ids');
    const notFound = await gw.app.inject({ method: 'GET', url: api('/evidence/987654'), headers });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json().code).toBe('EIKOS_ERR_EVIDENCE_NOT_FOUND');
    const beyond = await gw.app.inject({ method: 'GET', url: api('/ledger/consistency?from=1&to=987654'), headers });
    expect(beyond.statusCode).toBe(400);
    expect(beyond.json().code).toBe('EIKOS_ERR_LEDGER_SIZE_BEYOND_LOG');
  });

  it('lists the audit trail of a subject in order', async () => {
    const first = await append('trail-subject', { n: 1 });
    await append('other-subject');
    const second = await append('trail-subject', { n: 2 });
    const trail = (await gw.app.inject({ method: 'GET', url: api('/audit/trail/trail-subject'), headers })).json();
    expect((trail.data as { index: number }[]).map((e) => e.index)).toEqual([first.index, second.index]);
    expect(trail.data[1].payload).toEqual({ n: 2 });
  });

  it('records an API key created through the gateway, once, from the outbox', async () => {
    const res = await gw.app.inject({ method: 'POST', url: '/api/v1/keys', headers, payload: { name: 'evidence-probe', role: 'readonly' } });
    expect(res.statusCode).toBe(201);
    const keyId = res.json<{ id: string }>().id;
    let trail: { data: { type: string; actor: string; event_id: string | null; payload: { name: string } }[] } = { data: [] };
    for (let i = 0; i < 100 && trail.data.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      trail = (await gw.app.inject({ method: 'GET', url: api(`/audit/trail/${keyId}`), headers })).json();
    }
    expect(trail.data).toHaveLength(1);
    expect(trail.data[0]).toMatchObject({ type: 'audit.key.created', payload: { name: 'evidence-probe' } });
    expect(trail.data[0]!.actor).toMatch(/^user:/);
    // A redelivered event is not appended twice.
    const eventId = trail.data[0]!.event_id!;
    await gw.platform.bus.publish({ id: eventId, topic: 'audit.key.created', payload: { key_id: keyId }, headers: {}, time: new Date().toISOString() });
    const again = (await gw.app.inject({ method: 'GET', url: api(`/audit/trail/${keyId}`), headers })).json();
    expect(again.data).toHaveLength(1);
  });

  it('names the first changed entry when a stored byte is flipped', async () => {
    const cleanRes = await gw.app.inject({ method: 'POST', url: api('/forensics/analyze'), headers, payload: {} });
    expect(cleanRes.statusCode, cleanRes.body).toBe(200);
    const clean = cleanRes.json();
    expect(clean.verification).toMatchObject({ ok: true, first_bad_index: null, signature_valid: true });
    expect(clean.verification.entries_checked).toBe(clean.tree_head.tree_size);
    expect(clean.verification.computed_root).toBe(clean.tree_head.root_hash);

    const victim = await append('victim', { amount: 100 });
    await append('after-victim');
    await gw.app.inject({ method: 'GET', url: api(`/evidence/${victim.index + 1}`), headers });
    // "amount":100 → "amount":900: one byte.
    await gw.platform.db.query(`UPDATE eikos.entries SET bytes = convert_to(replace(convert_from(bytes, 'UTF8'), '"amount":100', '"amount":900'), 'UTF8') WHERE index = $1`, [victim.index]);
    const report = (await gw.app.inject({ method: 'POST', url: api('/forensics/analyze'), headers, payload: { subject_id: 'victim' } })).json();
    expect(report.verification.ok).toBe(false);
    expect(report.verification.first_bad_index).toBe(victim.index);
    expect((report.timeline as { index: number }[]).map((e) => e.index)).toEqual([victim.index]);
    expect(report.verification.computed_root).not.toBe(report.tree_head.root_hash);

    // Rewriting the leaf hash as well does not hide it: the rebuilt tree no longer matches the stored nodes and the signed root.
    await gw.platform.db.query(`UPDATE eikos.entries SET leaf_hash = sha256('\\x00'::bytea || bytes) WHERE index = $1`, [victim.index]);
    const rewritten = (await gw.app.inject({ method: 'POST', url: api('/forensics/analyze'), headers, payload: {} })).json();
    expect(rewritten.verification.ok).toBe(false);
    expect(rewritten.verification.first_bad_index).toBe(victim.index - (victim.index % 2));
  });
});
