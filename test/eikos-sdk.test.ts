import { createPublicKey } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Audit, BadRequestError, Evidence, Forensics, Ledger, Maximus, NotFoundError } from '@maximus/sdk';
import { program } from '@maximus/cli';
import { hashLeaf, verifyConsistency, verifyInclusion, verifyTreeHead } from '@maximus/eikos';
import { embeddedGateway, type TestGateway } from './gateway-helpers.js';

// The evidence resources of the SDK against the real gateway over HTTP, then `maximus evidence verify` against it.
let gw: TestGateway;
let baseURL: string;
let client: Maximus;
let evidence: Evidence;
let ledger: Ledger;

beforeAll(async () => {
  gw = await embeddedGateway({ MAXIMUS_RATE_LIMITS: 'read=100000/60,write=100000/60,expensive=1000/60' });
  baseURL = await gw.app.listen({ host: '127.0.0.1', port: 0 });
  client = new Maximus({ baseURL, apiKey: gw.adminKey, token: null, maxRetries: 0 });
  evidence = new Evidence(client);
  ledger = new Ledger(client);
});
afterAll(async () => {
  await client?.close();
  await gw?.close();
});

const hex = (h: string) => Buffer.from(h, 'hex');

describe('SDK evidence resources ↔ eikos through the gateway', () => {
  it('creates, retrieves and lists entries whose proofs verify against the signed head', async () => {
    const a = await evidence.create({ type: 'sdk.test', subject_id: 'sdk-subject', payload: { step: 1 } });
    const b = await evidence.create({ type: 'sdk.test', subject_id: 'sdk-subject', payload: { step: 2 } });
    expect(b.index).toBe(a.index + 1);
    const record = await evidence.retrieve(b.index);
    expect(hashLeaf(Buffer.from(record.bytes, 'base64')).toString('hex')).toBe(b.leaf_hash);
    verifyInclusion(b.index, record.tree_head.tree_size, hex(b.leaf_hash), record.inclusion_proof.hashes.map(hex), hex(record.tree_head.root_hash));
    const key = await ledger.publicKey();
    expect(verifyTreeHead(record.tree_head, Buffer.from(record.tree_head.signature, 'base64'), createPublicKey(key.pem))).toBe(true);
    const list = await evidence.list([a.index, b.index, 424242]);
    expect(list.data.map((r) => r.entry.payload)).toEqual([{ step: 1 }, { step: 2 }]);
    expect(list.missing).toEqual([424242]);
    await expect(evidence.retrieve(424242)).rejects.toBeInstanceOf(NotFoundError);
    await expect(evidence.create({ type: 'sdk.test', subject_id: '', payload: {} })).rejects.toBeInstanceOf(BadRequestError);
  });

  it('reads the root, a consistency proof, and every entry page by page', async () => {
    const before = await ledger.root();
    for (let i = 0; i < 3; i++) await evidence.create({ type: 'sdk.page', subject_id: `page-${i}`, payload: { i } });
    const last = await evidence.create({ type: 'sdk.page', subject_id: 'page-last', payload: {} });
    const head = (await evidence.retrieve(last.index)).tree_head;
    const proof = await ledger.consistency({ from: before.tree_size, to: head.tree_size });
    verifyConsistency(before.tree_size, head.tree_size, hex(before.root_hash), hex(head.root_hash), proof.hashes.map(hex));
    const seen: number[] = [];
    let pages = 0;
    for await (const page of ledger.entries({ limit: 2 })) {
      pages++;
      for (const e of page.data) seen.push(e.index);
    }
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
    expect(seen.length).toBeGreaterThanOrEqual(head.tree_size);
    expect(pages).toBe(Math.ceil(seen.length / 2));
  });

  it('reads an audit trail and runs forensics', async () => {
    const trail = await new Audit(client).trail('sdk-subject');
    expect(trail.data.map((e) => e.payload)).toEqual([{ step: 1 }, { step: 2 }]);
    const report = await new Forensics(client).analyze({ subject_id: 'sdk-subject' });
    expect(report.timeline).toHaveLength(2);
    expect(report.verification.ok).toBe(true);
  });
});

function fakeIo(env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const io = { stdout: stdout as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream, env, interrupted: new Promise<NodeJS.Signals>(() => {}) };
  return { io, output: () => out };
}

async function cli(args: string[]): Promise<{ code: number; output: string }> {
  const { io, output } = fakeIo({ MAXIMUS_API_KEY: gw.adminKey, NO_COLOR: '1' });
  let code = 0;
  await program(io, (c) => (code = c)).parseAsync(['node', 'maximus', ...args]);
  return { code, output: output() };
}

describe('maximus evidence verify', () => {
  it('replays the log and prints OK with the tree size and root', async () => {
    await evidence.create({ type: 'cli.test', subject_id: 'cli', payload: { n: 1 } });
    await ledger.root();
    const head = (await evidence.retrieve((await ledger.root()).tree_size - 1)).tree_head;
    const text = await cli(['evidence', 'verify', '--url', baseURL]);
    expect(text.code).toBe(0);
    expect(text.output).toContain('OK');
    const json = await cli(['evidence', 'verify', '--url', baseURL, '--json']);
    const result = JSON.parse(json.output);
    expect(result).toMatchObject({ ok: true, signature_valid: true, first_bad_index: null });
    expect(result.tree_size).toBeGreaterThanOrEqual(head.tree_size);
    expect(result.computed_root).toBe(result.root_hash);
  });

  it('names the first bad index and exits 1 when a stored byte was flipped', async () => {
    const victim = await evidence.create({ type: 'cli.victim', subject_id: 'cli-victim', payload: { amount: 100 } });
    await evidence.create({ type: 'cli.test', subject_id: 'cli', payload: { n: 2 } });
    await evidence.create({ type: 'cli.test', subject_id: 'cli', payload: { n: 3 } });
    await evidence.retrieve(victim.index + 2); // a head that includes all three
    const flip = (from: string, to: string) =>
      gw.platform.db.query(`UPDATE eikos.entries SET bytes = convert_to(replace(convert_from(bytes, 'UTF8'), $2, $3), 'UTF8') WHERE index = $1`, [victim.index, from, to]);
    await flip('"amount":100', '"amount":900');
    const result = await cli(['evidence', 'verify', '--url', baseURL, '--json']);
    expect(result.code, result.output).toBe(1);
    expect(JSON.parse(result.output)).toMatchObject({ ok: false, first_bad_index: victim.index });
    const text = await cli(['evidence', 'verify', '--url', baseURL]);
    expect(text.code).toBe(1);
    expect(text.output).toContain(`first bad index: ${victim.index}`);

    // A careful forger rewrites the leaf hash too: only the signed root (and the stored nodes) remember.
    await gw.platform.db.query(`UPDATE eikos.entries SET leaf_hash = sha256('\\x00'::bytea || bytes) WHERE index = $1`, [victim.index]);
    const forged = await cli(['evidence', 'verify', '--url', baseURL, '--json']);
    expect(forged.code, forged.output).toBe(1);
    const report = JSON.parse(forged.output);
    expect(report.computed_root).not.toBe(report.root_hash);
    // Located by consistency proofs against the signed head: the entry, or the one just before it.
    expect([victim.index - 1, victim.index]).toContain(report.first_bad_index);

    await flip('"amount":900', '"amount":100');
    await gw.platform.db.query(`UPDATE eikos.entries SET leaf_hash = sha256('\\x00'::bytea || bytes) WHERE index = $1`, [victim.index]);
    expect((await cli(['evidence', 'verify', '--url', baseURL])).code).toBe(0);
  });
});
