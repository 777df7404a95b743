/** The eight MAXIMUS services, in the order the platform starts and lists them. */
export const SERVICE_NAMES = ['core', 'penelope', 'maba', 'nis', 'adw', 'eikos', 'thoth', 'hermes'] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceInfo {
  readonly name: ServiceName;
  /** The port the service listens on when it runs alone (`maximus serve <service>`). */
  readonly port: number;
  /** A critical service being down makes the whole platform `down`. */
  readonly critical: boolean;
  readonly summary: string;
}

/** The service table of ARCHITECTURE.md. */
export const SERVICES: Readonly<Record<ServiceName, ServiceInfo>> = {
  core: { name: 'core', port: 8100, critical: true, summary: 'queries, consciousness model, governance (human-in-the-loop)' },
  penelope: { name: 'penelope', port: 8154, critical: true, summary: 'code healing; fruits and virtues' },
  maba: { name: 'maba', port: 8152, critical: false, summary: 'browser automation in headless Chromium' },
  nis: { name: 'nis', port: 8153, critical: false, summary: 'network intelligence' },
  adw: { name: 'adw', port: 8155, critical: false, summary: 'adversarial defense' },
  eikos: { name: 'eikos', port: 8156, critical: false, summary: 'evidence ledger (RFC 6962)' },
  thoth: { name: 'thoth', port: 8157, critical: false, summary: 'knowledge graph' },
  hermes: { name: 'hermes', port: 8158, critical: false, summary: 'event bus and service registry' },
};

/** The gateway's port. */
export const GATEWAY_PORT = 8000;

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}
