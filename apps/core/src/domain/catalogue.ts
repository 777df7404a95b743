import Type, { type TSchema } from 'typebox';
import type { AutomationLevel } from '@maximus/contracts';

/** One kind of action a decision can authorise. */
export interface ActionDefinition {
  readonly action_type: string;
  readonly description: string;
  /** The service whose consumer of `governance.execute.<action_type>` runs it. */
  readonly owner: 'core' | 'gateway' | 'nis' | 'maba' | 'penelope' | 'adw';
  /**
   * The executor registry: true when the owner's consumer exists in this build. Decisions on an action
   * without one fail at approval with a clear reason (never hang in `executing`).
   */
  readonly executorAvailable: boolean;
  /** The most automated level allowed (`SUPERVISED`: a human always decides, never FULL). */
  readonly minAutomation: AutomationLevel;
  readonly params: TSchema;
}

const address = Type.String({ minLength: 2, maxLength: 64, pattern: '^[0-9A-Fa-f:.]+(/\\d{1,3})?$', description: 'an IPv4/IPv6 address or CIDR block' });
const duration = Type.Integer({ minimum: 1, maximum: 31_536_000, description: 'seconds until it lapses (absent: until undone)' });
const note = Type.String({ maxLength: 500 });
const strict = { additionalProperties: false } as const;

/** The catalogue (`GET /api/v1/governance/actions`). */
export const ACTIONS: readonly ActionDefinition[] = [
  {
    action_type: 'block_ip',
    description: "Deny an address (or CIDR block) at the gateway: 403 on every route, on every replica",
    owner: 'gateway',
    executorAvailable: true,
    minAutomation: 'FULL',
    params: Type.Object({ address, reason: Type.Optional(note), duration_seconds: Type.Optional(duration) }, strict),
  },
  {
    action_type: 'unblock_ip',
    description: 'Lift a block of an address',
    owner: 'gateway',
    executorAvailable: true,
    minAutomation: 'FULL',
    params: Type.Object({ address, reason: Type.Optional(note) }, strict),
  },
  {
    action_type: 'revoke_api_key',
    description: 'Revoke an API key at once, on every replica',
    owner: 'gateway',
    executorAvailable: true,
    minAutomation: 'SUPERVISED',
    params: Type.Object({ key_id: Type.String({ pattern: '^[0-9a-f]{12}$' }), reason: Type.Optional(note) }, strict),
  },
  {
    action_type: 'tighten_rate_limit',
    description: "A stricter rate limit for one principal (optionally one route class), honoured by the gateway",
    owner: 'gateway',
    executorAvailable: true,
    minAutomation: 'FULL',
    params: Type.Object(
      {
        principal: Type.String({ minLength: 1, maxLength: 200, description: 'e.g. user:key-3f2a9c1b0d4e' }),
        route_class: Type.Optional(Type.Union([Type.Literal('read'), Type.Literal('write'), Type.Literal('expensive')])),
        limit: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
        window_seconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
        duration_seconds: Type.Optional(duration),
      },
      strict,
    ),
  },
  {
    action_type: 'apply_patch',
    description: 'Apply a verified PENELOPE patch (into a workspace the service allows, or record its final content)',
    owner: 'penelope',
    executorAvailable: true,
    minAutomation: 'SUPERVISED',
    params: Type.Object(
      {
        patch_id: Type.String({ minLength: 1, maxLength: 100 }),
        diagnosis_id: Type.Optional(Type.String({ maxLength: 100 })),
        workspace: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'a directory under MAXIMUS_PENELOPE_WORKSPACES; absent: the final content is recorded' })),
      },
      strict,
    ),
  },
  {
    action_type: 'quarantine_file',
    description: 'Move a file out of reach, keeping it for forensics',
    owner: 'adw',
    executorAvailable: false,
    minAutomation: 'SUPERVISED',
    params: Type.Object({ host: Type.String({ minLength: 1, maxLength: 255 }), path: Type.String({ minLength: 1, maxLength: 4096 }), sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })) }, strict),
  },
  {
    action_type: 'isolate_host',
    description: 'Cut a host off the network except for management',
    owner: 'adw',
    executorAvailable: false,
    minAutomation: 'SUPERVISED',
    params: Type.Object({ host: Type.String({ minLength: 1, maxLength: 255 }), reason: Type.Optional(note), duration_seconds: Type.Optional(duration) }, strict),
  },
  {
    action_type: 'emergency_shutdown',
    description: 'The kill switch: stop ignitions and modulations until resumed (executes after its override window unless vetoed)',
    owner: 'core',
    executorAvailable: true,
    minAutomation: 'MANUAL',
    params: Type.Object({ reason: Type.String({ minLength: 10, maxLength: 2000 }) }, strict),
  },
  {
    action_type: 'run_scan',
    description: 'Scan allow-listed hosts (NIS)',
    owner: 'nis',
    executorAvailable: false,
    minAutomation: 'FULL',
    params: Type.Object({ targets: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { minItems: 1, maxItems: 256 }), ports: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 65_535 }), { maxItems: 1024 })) }, strict),
  },
  {
    action_type: 'run_browser_task',
    description: 'Run a browser task (MABA)',
    owner: 'maba',
    executorAvailable: false,
    minAutomation: 'SUPERVISED',
    params: Type.Object({ description: Type.String({ minLength: 1, maxLength: 2000 }), url: Type.String({ minLength: 1, maxLength: 2048 }) }, strict),
  },
];

const byType = new Map(ACTIONS.map((a) => [a.action_type, a]));

export function actionDefinition(type: string): ActionDefinition | undefined {
  return byType.get(type);
}
