import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { History, historyPath } from './history.js';

describe('History', () => {
  it('lives under XDG_STATE_HOME, else ~/.local/state', () => {
    expect(historyPath({ XDG_STATE_HOME: '/s' })).toBe('/s/maximus/history');
    expect(historyPath({})).toMatch(/\/\.local\/state\/maximus\/history$/);
  });

  it('saves oldest first, bounded, without duplicates or trailing spaces, mode 0600, and reads it back newest first', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'maximus-history-')), 'deep', 'history');
    const history = new History(path, 3);
    expect(history.newestFirst).toEqual([]);
    expect(history.save(['/quit', '/governance ', '/health', '/governance', '/help'])).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe('/health\n/governance\n/quit\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(new History(path).newestFirst).toEqual(['/quit', '/governance', '/health']);
  });

  it('says once that it cannot write, and goes on', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'maximus-history-')), 'a-file');
    writeFileSync(file, ''); // XDG_STATE_HOME pointing at a file
    const history = new History(join(file, 'maximus', 'history'));
    expect(history.save(['/health'])).toMatch(/^history not saved/);
    expect(history.save(['/help', '/health'])).toBeUndefined();
    expect(history.newestFirst).toEqual(['/help', '/health']);
  });
});
