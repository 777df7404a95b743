import type { ComponentHealth } from '@maximus/contracts';

/** Times `probe`; `down` with the reason when it fails or outlasts `timeoutMs`. */
export async function checkHealth(kind: string, probe: () => Promise<unknown>, timeoutMs = 2000): Promise<ComponentHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'healthy', kind, latency_ms: round(performance.now() - started) };
  } catch (error) {
    return { status: 'down', kind, latency_ms: round(performance.now() - started), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
