import type { Pool } from 'undici';
import type { ComponentHealth, ServiceHealth } from '@maximus/contracts';
import { SERVICES, type AggregateHealth, type HealthStatus, type ServiceHealthEntry, type ServiceName } from '@maximus/contracts';
import type { PreparedService } from '@maximus/kit/service';

/** Where the gateway gets one service's health: in process (embedded) or over HTTP (connected). */
export interface HealthTarget {
  readonly name: ServiceName;
  check(): Promise<ServiceHealth>;
  close?(): Promise<void>;
}

export function inProcessTarget(service: PreparedService): HealthTarget {
  return { name: service.ctx.name, check: () => service.ctx.health() };
}

export function httpTarget(name: ServiceName, pool: Pool, timeoutMs: number): HealthTarget {
  return {
    name,
    async check() {
      const response = await pool.request({ method: 'GET', path: '/health', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
      const body = (await response.body.json()) as ServiceHealth;
      if (typeof body?.status !== 'string') throw new Error(`unexpected /health answer (HTTP ${response.statusCode})`);
      return body;
    },
  };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

async function entry(target: HealthTarget, timeoutMs: number): Promise<ServiceHealthEntry> {
  const started = performance.now();
  const critical = SERVICES[target.name].critical;
  let timer: NodeJS.Timeout | undefined;
  try {
    const health = await Promise.race([
      target.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: health.status, latency_ms: round(performance.now() - started), critical, version: health.version, components: health.components };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
    const message = (error as Error).message;
    return { status: 'down', latency_ms: round(performance.now() - started), critical, components: {}, error: cause ? `${cause}: ${message}` : message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The platform's state: `down` when a critical service (core, penelope) is down, `degraded` when any
 * service is not healthy, else `healthy`.
 */
export function overallStatus(services: readonly ServiceHealthEntry[], own: readonly ComponentHealth[] = []): HealthStatus {
  if (services.some((s) => s.critical && s.status === 'down')) return 'down';
  return services.every((s) => s.status === 'healthy') && own.every((c) => c.status === 'healthy') ? 'healthy' : 'degraded';
}

export async function aggregateHealth(
  targets: readonly HealthTarget[],
  meta: { version: string; mode: 'embedded' | 'connected'; startedAt: number; timeoutMs: number; components: Record<string, ComponentHealth> },
): Promise<AggregateHealth> {
  const entries = await Promise.all(targets.map((t) => entry(t, meta.timeoutMs)));
  return {
    status: overallStatus(entries, Object.values(meta.components)),
    service: 'gateway',
    version: meta.version,
    mode: meta.mode,
    uptime_seconds: Math.round((performance.now() - meta.startedAt) / 10) / 100,
    timestamp: new Date().toISOString(),
    components: meta.components,
    services: Object.fromEntries(targets.map((t, i) => [t.name, entries[i]!])),
  };
}
