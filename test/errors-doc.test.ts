import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { declaredErrors } from '@maximus/kit/errors';
import { SDK_ERROR_CODES } from '@maximus/sdk';
// Importing the packages declares their catalogues.
import '@maximus/kit/service';
import '@maximus/gateway';
import '@maximus/cli';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...doc.matchAll(/^\| `([A-Z]+_ERR_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]),
);

describe('docs/errors.md and the error catalogues', () => {
  it('documents every declared code with its status', () => {
    for (const [code, { statusCode }] of declaredErrors()) {
      expect(documented.get(code), `${code} is missing from docs/errors.md`).toBe(statusCode);
    }
  });

  it('documents the SDK\'s own codes, and only those', () => {
    const sdkDocumented = new Set([...doc.matchAll(/^\| `(SDK_ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
    expect([...sdkDocumented].sort()).toEqual(Object.keys(SDK_ERROR_CODES).sort());
  });

  it('documents no code that is not declared (codes are never reused)', () => {
    const declared = new Set(declaredErrors().keys());
    for (const code of documented.keys()) expect(declared.has(code), `${code} is documented but not declared`).toBe(true);
  });
});

describe('docs/security.md', () => {
  it('prints the permission table exactly as the code has it', async () => {
    const { PERMISSIONS } = await import('@maximus/gateway');
    const security = readFileSync(new URL('../docs/security.md', import.meta.url), 'utf8');
    const rows = [...security.matchAll(/^\| (\S+) \| `([^`]+)` \| (\w+) \| (\w+) \| (.+) \|$/gm)].map((m) => ({ method: m[1], path: m[2], role: m[3], class: m[4], what: m[5] }));
    expect(rows).toEqual(PERMISSIONS.map((r) => ({ ...r })));
  });
});
