import { describe, expect, it } from 'vitest';
import { createMemoryBus } from './memory.js';
import type { BusEvent } from './types.js';

const event = (i: number, topic = 'a.b'): BusEvent => ({ id: `e${i}`, topic, payload: { i }, headers: {}, time: new Date(0).toISOString() });

describe('the in-process bus, publishAll', () => {
  it('hands each group its events in order; a concurrent group gets them all started at once, the others one after the other', async () => {
    const bus = createMemoryBus({ redeliveryDelayMs: 1 });
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    const slow = (name: string) => async (e: BusEvent) => {
      log.push(`${name}:start:${e.id}`);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      log.push(`${name}:end:${e.id}`);
    };
    await bus.subscribe('a.*', slow('seq'), { durable: 'seq' });
    await bus.subscribe('a.b', slow('all'), { durable: 'all', concurrent: true });
    await bus.publishAll!([event(1), event(2), event(3, 'a.c'), event(4)]);

    const of = (name: string) => log.filter((l) => l.startsWith(`${name}:`));
    // One after the other, in order, every event of its pattern.
    expect(of('seq')).toEqual(['seq:start:e1', 'seq:end:e1', 'seq:start:e2', 'seq:end:e2', 'seq:start:e3', 'seq:end:e3', 'seq:start:e4', 'seq:end:e4']);
    // Started in order before any ended; a.c is not its topic.
    expect(of('all').slice(0, 3)).toEqual(['all:start:e1', 'all:start:e2', 'all:start:e4']);
    expect(of('all')).toHaveLength(6);
    expect(most).toBeGreaterThanOrEqual(3);
  });

  it('retries a failing event of a batch on its own and resolves once every event is handled or dead-lettered', async () => {
    const bus = createMemoryBus({ maxDeliver: 3, redeliveryDelayMs: 1 });
    const handled: string[] = [];
    const dead: string[] = [];
    let failures = 0;
    await bus.subscribe(
      'x.*',
      async (e) => {
        if (e.id === 'e2' && failures++ < 1) throw new Error('once');
        if (e.id === 'e3') throw new Error('always');
        handled.push(e.id);
        await Promise.resolve();
      },
      { durable: 'x', concurrent: true },
    );
    await bus.subscribe('deadletter.>', (e) => Promise.resolve(void dead.push(e.id)), { durable: 'dl' });
    await bus.publishAll!([event(1, 'x.y'), event(2, 'x.y'), event(3, 'x.y')]);
    expect(handled.sort()).toEqual(['e1', 'e2']);
    expect(dead).toEqual(['e3']);
  });

  it('refuses a batch once closed', async () => {
    const bus = createMemoryBus();
    await bus.close();
    await expect(bus.publishAll!([event(1)])).rejects.toThrow('bus is closed');
  });
});
