import type { EmergencyShutdownAccepted, EmergencyShutdownParams, SafetyResumeParams, SafetyStatus } from '@maximus/contracts';
import type { APIPromise } from '../core/api-promise.js';
import type { RequestOptions } from '../core/request.js';
import { APIResource } from '../core/resource.js';

const BASE = '/core/api/v1/consciousness/safety';

/**
 * The kill switch (`/core/api/v1/consciousness/safety`): admin only.
 * @example
 * const { shut_down } = await client.consciousness.safety.status();
 */
export class Safety extends APIResource {
  /**
   * Whether the emergency shutdown holds, and any request still inside its override window.
   * @example const { shut_down, pending } = await client.consciousness.safety.status();
   */
  status(options?: RequestOptions): APIPromise<SafetyStatus> {
    return this._client.request<SafetyStatus>({ method: 'GET', path: `${BASE}/status` }, options);
  }

  /**
   * Requests the emergency shutdown: a governance decision that executes after the override window unless
   * another admin rejects it (`governance.decisions.reject`); the requester may cancel it.
   * @throws ConflictError when a shutdown is already requested or in force
   * @example
   * const { decision, executes_at } = await client.consciousness.safety.emergencyShutdown({ reason: 'runaway ignitions since 03:10' });
   */
  emergencyShutdown(params: EmergencyShutdownParams, options?: RequestOptions): APIPromise<EmergencyShutdownAccepted> {
    return this._client.request<EmergencyShutdownAccepted>({ method: 'POST', path: `${BASE}/emergency-shutdown`, body: params }, options);
  }

  /**
   * Lifts the emergency shutdown.
   * @throws ConflictError when the platform is not shut down
   * @example await client.consciousness.safety.resume({ reason: 'root cause fixed' });
   */
  resume(params: SafetyResumeParams = {}, options?: RequestOptions): APIPromise<SafetyStatus> {
    return this._client.request<SafetyStatus>({ method: 'POST', path: `${BASE}/resume`, body: params }, options);
  }
}

/**
 * The consciousness model (core). Only its safety part exists yet: the TIG fabric, arousal and ignitions
 * arrive with their issue, and their resources with them.
 * @example
 * const status = await client.consciousness.safety.status();
 */
export class Consciousness extends APIResource {
  readonly safety = new Safety(this._client);
}
